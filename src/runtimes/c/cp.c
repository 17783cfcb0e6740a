/* cp [-r] [-f] SOURCE... DEST: copy files. With several sources, or when
 * DEST is a directory, each source is copied into DEST. -r copies
 * directories recursively (symlinks are copied as links). */
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "cp";
static int opt_recursive;

static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb");
  if (in == NULL) {
    fprintf(stderr, "%s: cannot open '%s' for reading: %s\n", kProg, from, strerror(errno));
    return 1;
  }
  FILE *out = fopen(to, "wb");
  if (out == NULL) {
    fprintf(stderr, "%s: cannot create regular file '%s': %s\n", kProg, to, strerror(errno));
    fclose(in);
    return 1;
  }
  char buf[8192];
  size_t got;
  int status = 0;
  while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
    if (fwrite(buf, 1, got, out) != got) {
      fprintf(stderr, "%s: error writing '%s': %s\n", kProg, to, strerror(errno));
      status = 1;
      break;
    }
  }
  if (ferror(in)) {
    fprintf(stderr, "%s: error reading '%s': %s\n", kProg, from, strerror(errno));
    status = 1;
  }
  fclose(in);
  if (fclose(out) != 0 && status == 0) {
    fprintf(stderr, "%s: error writing '%s': %s\n", kProg, to, strerror(errno));
    status = 1;
  }
  return status;
}

static int copy_path(const char *from, const char *to);

static int copy_dir(const char *from, const char *to) {
  struct stat st;
  if (mkdir(to, 0777) != 0 && !(errno == EEXIST && stat(to, &st) == 0 && S_ISDIR(st.st_mode))) {
    fprintf(stderr, "%s: cannot create directory '%s': %s\n", kProg, to, strerror(errno));
    return 1;
  }
  DIR *dir = opendir(from);
  if (dir == NULL) {
    fprintf(stderr, "%s: cannot open directory '%s': %s\n", kProg, from, strerror(errno));
    return 1;
  }
  int status = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char *a = wg_join(kProg, from, e->d_name), *b = wg_join(kProg, to, e->d_name);
    status |= copy_path(a, b);
    free(a);
    free(b);
  }
  closedir(dir);
  return status;
}

static int copy_path(const char *from, const char *to) {
  struct stat st;
  if (lstat(from, &st) != 0) {
    fprintf(stderr, "%s: cannot stat '%s': %s\n", kProg, from, strerror(errno));
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!opt_recursive) {
      fprintf(stderr, "%s: -r not specified; omitting directory '%s'\n", kProg, from);
      return 1;
    }
    /* Copying a directory into itself would never end. */
    size_t n = strlen(from);
    if (strncmp(from, to, n) == 0 && (to[n] == '/' || to[n] == '\0')) {
      fprintf(stderr, "%s: cannot copy a directory, '%s', into itself, '%s'\n", kProg, from, to);
      return 1;
    }
    return copy_dir(from, to);
  }
  if (S_ISLNK(st.st_mode) && opt_recursive) {
    char target[4096];
    ssize_t len = readlink(from, target, sizeof target - 1);
    if (len < 0) {
      fprintf(stderr, "%s: cannot read symbolic link '%s': %s\n", kProg, from, strerror(errno));
      return 1;
    }
    target[len] = '\0';
    unlink(to);
    if (symlink(target, to) != 0) {
      fprintf(stderr, "%s: cannot create symbolic link '%s': %s\n", kProg, to, strerror(errno));
      return 1;
    }
    return 0;
  }
  return copy_file(from, to);
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "rRf")) != -1) {
    if (opt == 'r' || opt == 'R') opt_recursive = 1;
    else if (opt != 'f') return 1;
  }
  return wg_each_source_to_dest(kProg, argc, argv, optind, copy_path);
}
