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
  return wg_each_source_to_dest(kProg, argc, argv, optind, move);
}
