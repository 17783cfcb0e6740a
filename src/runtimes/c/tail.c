/* tail [-n [+]N] [-c [+]N] [FILE...]: the last N lines (default 10) or
 * bytes; "+N" starts at line (byte) N instead. Headers as in head. */
#include <unistd.h>

#include "util.h"

static const char *kProg = "tail";

static int tail_stream(FILE *in, long long n, int from_start, int bytes) {
  size_t len = 0;
  char *data = wg_read_all(kProg, in, &len);
  if (data == NULL) return -1;
  size_t start = 0;
  if (bytes) {
    if (from_start) start = n > 0 ? (size_t)(n - 1) : 0;
    else start = (size_t)n >= len ? 0 : len - (size_t)n;
    if (start > len) start = len;
  } else if (from_start) {
    /* Skip n-1 lines. */
    long long skip = n > 0 ? n - 1 : 0;
    while (skip > 0 && start < len) {
      char *nl = memchr(data + start, '\n', len - start);
      start = nl ? (size_t)(nl - data) + 1 : len;
      --skip;
    }
  } else {
    /* Walk back over n line ends; a final line without '\n' still counts. */
    size_t pos = len;
    if (pos > 0 && data[pos - 1] == '\n') --pos;
    long long need = n;
    if (need == 0) {
      start = len;
    } else {
      while (pos > 0) {
        if (data[pos - 1] == '\n' && --need == 0) break;
        --pos;
      }
      start = pos;
    }
  }
  fwrite(data + start, 1, len - start, stdout);
  free(data);
  return 0;
}

int main(int argc, char **argv) {
  long long n = 10;
  int bytes = 0, from_start = 0, opt;
  while ((opt = getopt(argc, argv, "n:c:")) != -1) {
    if (opt != 'n' && opt != 'c') return 1;
    const char *text = optarg;
    from_start = *text == '+';
    if (*text == '+' || *text == '-') ++text;
    if (wg_parse_count(text, &n) != 0) {
      wg_warn(kProg, "invalid number of %s: '%s'", opt == 'n' ? "lines" : "bytes", optarg);
      return 1;
    }
    bytes = opt == 'c';
  }
  if (optind == argc) return tail_stream(stdin, n, from_start, bytes) == 0 ? 0 : 1;
  int status = 0, printed = 0;
  for (int i = optind; i < argc; ++i) {
    FILE *in = wg_open_input(kProg, argv[i]);
    if (in == NULL) {
      status = 1;
      continue;
    }
    if (argc - optind > 1) printf("%s==> %s <==\n", printed++ ? "\n" : "", argv[i]);
    if (tail_stream(in, n, from_start, bytes) != 0) {
      wg_warn_errno(kProg, argv[i]);
      status = 1;
    }
    wg_close_input(in);
  }
  return status;
}
