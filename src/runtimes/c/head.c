/* head [-n N] [-c N] [FILE...]: the first N lines (default 10) or bytes.
 * With more than one file each gets a "==> NAME <==" header. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "head";

static int head_stream(FILE *in, long long n, int bytes) {
  int ch;
  long long seen = 0;
  while (seen < n && (ch = getc(in)) != EOF) {
    putchar(ch);
    if (bytes || ch == '\n') ++seen;
  }
  return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv) {
  long long n = 10;
  int bytes = 0, opt;
  while ((opt = getopt(argc, argv, "n:c:")) != -1) {
    if (opt != 'n' && opt != 'c') return 1;
    if (wg_parse_count(optarg, &n) != 0) {
      wg_warn(kProg, "invalid number of %s: '%s'", opt == 'n' ? "lines" : "bytes", optarg);
      return 1;
    }
    bytes = opt == 'c';
  }
  if (optind == argc) return head_stream(stdin, n, bytes) == 0 ? 0 : 1;
  int status = 0, printed = 0;
  for (int i = optind; i < argc; ++i) {
    FILE *in = wg_open_input(kProg, argv[i]);
    if (in == NULL) {
      status = 1;
      continue;
    }
    if (argc - optind > 1) printf("%s==> %s <==\n", printed++ ? "\n" : "", argv[i]);
    if (head_stream(in, n, bytes) != 0) {
      wg_warn_errno(kProg, argv[i]);
      status = 1;
    }
    wg_close_input(in);
  }
  return status;
}
