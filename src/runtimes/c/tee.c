/* tee [-a] [FILE...]: copy stdin to stdout and to every FILE (-a appends).
 * A file that cannot be opened is reported; the others still get the data. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "tee";

int main(int argc, char **argv) {
  int append = 0, opt;
  while ((opt = getopt(argc, argv, "a")) != -1) {
    if (opt == 'a') append = 1;
    else return 1;
  }
  int status = 0, n = argc - optind;
  FILE **outs = calloc((size_t)(n ? n : 1), sizeof *outs);
  for (int i = 0; i < n; ++i) {
    outs[i] = fopen(argv[optind + i], append ? "ab" : "wb");
    if (outs[i] == NULL) {
      wg_warn_errno(kProg, argv[optind + i]);
      status = 1;
    }
  }
  char buf[8192];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, stdin)) > 0) {
    fwrite(buf, 1, got, stdout);
    for (int i = 0; i < n; ++i) {
      if (outs[i] != NULL && fwrite(buf, 1, got, outs[i]) != got) {
        wg_warn_errno(kProg, argv[optind + i]);
        fclose(outs[i]);
        outs[i] = NULL;
        status = 1;
      }
    }
  }
  for (int i = 0; i < n; ++i) {
    if (outs[i] != NULL && fclose(outs[i]) != 0) {
      wg_warn_errno(kProg, argv[optind + i]);
      status = 1;
    }
  }
  free(outs);
  return status;
}
