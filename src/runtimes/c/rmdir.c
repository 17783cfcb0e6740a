/* rmdir [-p] DIR...: remove empty directories; -p also removes each
 * parent named in DIR once it is empty. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "rmdir";

static int remove_one(const char *path) {
  if (rmdir(path) == 0) return 0;
  fprintf(stderr, "%s: failed to remove '%s': %s\n", kProg, path, strerror(errno));
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
  for (int i = optind; i < argc; ++i) {
    if (remove_one(argv[i]) != 0) {
      status = 1;
      continue;
    }
    if (!parents) continue;
    char *copy = strdup(argv[i]);
    for (;;) {
      size_t len = strlen(copy);
      while (len > 1 && copy[len - 1] == '/') copy[--len] = '\0';
      char *slash = strrchr(copy, '/');
      if (slash == NULL || slash == copy) break;
      *slash = '\0';
      if (remove_one(copy) != 0) {
        status = 1;
        break;
      }
    }
    free(copy);
  }
  return status;
}
