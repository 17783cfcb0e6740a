/* mv [-f] SOURCE... DEST: rename files and directories. With several
 * sources, or when DEST is a directory, each source moves into DEST. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "mv";

static int move(const char *from, const char *to) {
  struct stat st;
  if (lstat(from, &st) != 0) {
    fprintf(stderr, "%s: cannot stat '%s': %s\n", kProg, from, strerror(errno));
    return 1;
  }
  if (rename(from, to) != 0) {
    fprintf(stderr, "%s: cannot move '%s' to '%s': %s\n", kProg, from, to, strerror(errno));
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "f")) != -1) {
    if (opt != 'f') return 1;
  }
  int n = argc - optind;
  if (n < 2) {
    if (n == 0) wg_warn(kProg, "missing file operand");
    else wg_warn(kProg, "missing destination file operand after '%s'", argv[optind]);
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
    if (!dest_is_dir) {
      status |= move(argv[i], dest);
      continue;
    }
    char *base = wg_basename(kProg, argv[i]);
    char *to = wg_join(kProg, dest, base);
    status |= move(argv[i], to);
    free(base);
    free(to);
  }
  return status;
}
