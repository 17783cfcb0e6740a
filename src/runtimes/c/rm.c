/* rm [-r] [-f] FILE...: remove files; -r removes directories and their
 * contents; -f ignores missing files and a missing operand. "/", "." and
 * ".." are refused, as GNU rm does by default. */
#include <dirent.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "rm";
static int opt_recursive, opt_force;

static int remove_path(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (opt_force && errno == ENOENT) return 0;
    fprintf(stderr, "%s: cannot remove '%s': %s\n", kProg, path, strerror(errno));
    return 1;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path) != 0) {
      fprintf(stderr, "%s: cannot remove '%s': %s\n", kProg, path, strerror(errno));
      return 1;
    }
    return 0;
  }
  if (!opt_recursive) {
    fprintf(stderr, "%s: cannot remove '%s': Is a directory\n", kProg, path);
    return 1;
  }
  DIR *dir = opendir(path);
  if (dir == NULL) {
    fprintf(stderr, "%s: cannot remove '%s': %s\n", kProg, path, strerror(errno));
    return 1;
  }
  /* Collect first: removing entries while reading the directory could make
   * readdir skip some. */
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names = wg_xrealloc(kProg, names, (n + 1) * sizeof *names);
    names[n++] = wg_join(kProg, path, e->d_name);
  }
  closedir(dir);
  int status = 0;
  for (size_t i = 0; i < n; ++i) {
    status |= remove_path(names[i]);
    free(names[i]);
  }
  free(names);
  if (status == 0 && rmdir(path) != 0) {
    fprintf(stderr, "%s: cannot remove '%s': %s\n", kProg, path, strerror(errno));
    return 1;
  }
  return status;
}

static int refused(const char *path) {
  size_t len = strlen(path);
  if (len > 0 && strspn(path, "/") == len) {
    fprintf(stderr, "%s: refusing to remove '/'\n", kProg);
    return 1;
  }
  char *base = wg_basename(kProg, path);
  int dots = strcmp(base, ".") == 0 || strcmp(base, "..") == 0;
  free(base);
  if (dots) fprintf(stderr, "%s: refusing to remove '.' or '..' directory: skipping '%s'\n", kProg, path);
  return dots;
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "rRf")) != -1) {
    if (opt == 'r' || opt == 'R') opt_recursive = 1;
    else if (opt == 'f') opt_force = 1;
    else return 1;
  }
  if (optind == argc) {
    if (opt_force) return 0;
    wg_warn(kProg, "missing operand");
    return 1;
  }
  int status = 0;
  for (int i = optind; i < argc; ++i) {
    if (refused(argv[i])) {
      status = 1;
      continue;
    }
    status |= remove_path(argv[i]);
  }
  return status;
}
