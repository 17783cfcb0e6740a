/* ln -s [-f] TARGET LINK_NAME | ln -s [-f] TARGET... DIR: create symbolic
 * links. The sandbox has no hard links, so -s is required. -f replaces an
 * existing LINK_NAME. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "ln";

int main(int argc, char **argv) {
  int symbolic = 0, force = 0, opt;
  while ((opt = getopt(argc, argv, "sf")) != -1) {
    if (opt == 's') symbolic = 1;
    else if (opt == 'f') force = 1;
    else return 1;
  }
  if (!symbolic) {
    wg_warn(kProg, "hard links are not supported; use -s");
    return 1;
  }
  int n = argc - optind;
  if (n < 2) {
    wg_warn(kProg, n == 0 ? "missing file operand" : "missing destination file operand");
    return 1;
  }
  const char *dest = argv[argc - 1];
  struct stat st;
  int dest_is_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
  if (n > 2 && !dest_is_dir) {
    wg_warn(kProg, "target '%s' is not a directory", dest);
    return 1;
  }
  int status = 0;
  for (int i = optind; i < argc - 1; ++i) {
    char *link = NULL;
    if (dest_is_dir) {
      char *base = wg_basename(kProg, argv[i]);
      link = wg_join(kProg, dest, base);
      free(base);
    } else {
      link = strdup(dest);
    }
    if (force) unlink(link);
    if (symlink(argv[i], link) != 0) {
      fprintf(stderr, "%s: failed to create symbolic link '%s': %s\n", kProg, link, strerror(errno));
      status = 1;
    }
    free(link);
  }
  return status;
}
