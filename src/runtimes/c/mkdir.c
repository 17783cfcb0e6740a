/* mkdir [-p] DIR...: create directories. -p creates missing parents and
 * accepts directories that already exist. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "mkdir";

static int make_one(const char *path, int parents) {
  if (mkdir(path, 0777) == 0) return 0;
  int err = errno;
  struct stat st;
  if (parents && err == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  if (parents && err == ENOENT) {
    /* Create each missing ancestor, left to right. */
    char *copy = strdup(path);
    for (char *p = copy + 1; *p; ++p) {
      if (*p != '/') continue;
      *p = '\0';
      if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create directory '%s': %s\n", kProg, copy, strerror(errno));
        free(copy);
        return 1;
      }
      *p = '/';
    }
    free(copy);
    if (mkdir(path, 0777) == 0) return 0;
    err = errno;
    if (err == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
  }
  fprintf(stderr, "%s: cannot create directory '%s': %s\n", kProg, path, strerror(err));
  return 1;
}

int main(int argc, char **argv) {
  int parents = 0, opt;
  while ((opt = getopt(argc, argv, "p")) != -1) {
    if (opt == 'p') parents = 1;
    else return 1;
  }
  if (optind == argc) {
    wg_warn(kProg, "missing operand");
    return 1;
  }
  int status = 0;
  for (int i = optind; i < argc; ++i) status |= make_one(argv[i], parents);
  return status;
}
