/* seq [-s SEP] [-w] [FIRST [INCREMENT]] LAST: print integers from FIRST
 * (default 1) by INCREMENT (default 1) up to LAST. -s separates with SEP
 * instead of a newline, -w pads with zeros to equal width. Integers only. */
#include <limits.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "seq";

static int parse(const char *text, long long *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno != 0) {
    wg_warn(kProg, "invalid integer argument: '%s'", text);
    return -1;
  }
  *out = v;
  return 0;
}

static int width_of(long long v) {
  char buf[32];
  return snprintf(buf, sizeof buf, "%lld", v);
}

int main(int argc, char **argv) {
  const char *sep = "\n";
  int equal_width = 0, opt;
  /* A leading "-5" is a negative number, not an option. */
  while (optind < argc && !(argv[optind][0] == '-' && argv[optind][1] >= '0' && argv[optind][1] <= '9') &&
         (opt = getopt(argc, argv, "s:w")) != -1) {
    if (opt == 's') sep = optarg;
    else if (opt == 'w') equal_width = 1;
    else return 1;
  }
  int n = argc - optind;
  if (n < 1 || n > 3) {
    wg_warn(kProg, n < 1 ? "missing operand" : "extra operand '%s'", n > 3 ? argv[optind + 3] : "");
    return 1;
  }
  long long first = 1, step = 1, last = 0;
  if (parse(argv[argc - 1], &last) != 0) return 1;
  if (n >= 2 && parse(argv[optind], &first) != 0) return 1;
  if (n == 3 && parse(argv[optind + 1], &step) != 0) return 1;
  if (step == 0) {
    wg_warn(kProg, "invalid Zero increment value: '%s'", argv[optind + 1]);
    return 1;
  }
  int width = 0;
  if (equal_width) {
    width = width_of(first);
    if (width_of(last) > width) width = width_of(last);
  }
  int printed = 0;
  for (long long v = first; step > 0 ? v <= last : v >= last;) {
    if (printed++) fputs(sep, stdout);
    if (equal_width && v < 0) printf("-%0*lld", width - 1, -v);
    else printf("%0*lld", width, v);
    /* Stop instead of overflowing past LLONG_MAX/LLONG_MIN. */
    if ((step > 0 && v > LLONG_MAX - step) || (step < 0 && v < LLONG_MIN - step)) break;
    v += step;
  }
  if (printed) putchar('\n');
  return 0;
}
