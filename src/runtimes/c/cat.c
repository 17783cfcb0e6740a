/* cat [-n] [FILE...]: concatenate files ("-" or none: stdin) to stdout. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "cat";

static int cat_stream(FILE *in, int number, long long *line, int *at_line_start) {
  char buf[8192];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
    if (!number) {
      if (fwrite(buf, 1, got, stdout) != got) return -1;
      continue;
    }
    for (size_t i = 0; i < got; ++i) {
      if (*at_line_start) {
        printf("%6lld\t", ++*line);
        *at_line_start = 0;
      }
      putchar(buf[i]);
      if (buf[i] == '\n') *at_line_start = 1;
    }
  }
  return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv) {
  int number = 0, opt;
  while ((opt = getopt(argc, argv, "n")) != -1) {
    if (opt == 'n') number = 1;
    else return 1;
  }
  int status = 0, at_line_start = 1;
  long long line = 0;
  if (optind == argc) return cat_stream(stdin, number, &line, &at_line_start) == 0 ? 0 : 1;
  for (int i = optind; i < argc; ++i) {
    FILE *in = wg_open_input(kProg, argv[i]);
    if (in == NULL) {
      status = 1;
      continue;
    }
    if (cat_stream(in, number, &line, &at_line_start) != 0) {
      wg_warn_errno(kProg, argv[i]);
      status = 1;
    }
    wg_close_input(in);
  }
  return status;
}
