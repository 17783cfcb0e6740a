/* uniq [-c] [-d] [-u] [-i] [INPUT [OUTPUT]]: collapse runs of equal
 * adjacent lines. -c prefixes each line with its count ("%7lld "), -d
 * prints only repeated lines, -u only unique ones, -i ignores case. */
#include <strings.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "uniq";
static int opt_count, opt_repeated, opt_unique, opt_icase;

static int same(const char *a, size_t alen, const char *b, size_t blen) {
  if (alen != blen) return 0;
  return opt_icase ? strncasecmp(a, b, alen) == 0 : memcmp(a, b, alen) == 0;
}

static void emit(FILE *out, const char *line, size_t len, long long count) {
  if (opt_repeated && count < 2) return;
  if (opt_unique && count > 1) return;
  if (opt_count) fprintf(out, "%7lld ", count);
  fwrite(line, 1, len, out);
  fputc('\n', out);
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "cdui")) != -1) {
    switch (opt) {
      case 'c': opt_count = 1; break;
      case 'd': opt_repeated = 1; break;
      case 'u': opt_unique = 1; break;
      case 'i': opt_icase = 1; break;
      default: return 1;
    }
  }
  if (argc - optind > 2) {
    wg_warn(kProg, "extra operand '%s'", argv[optind + 2]);
    return 1;
  }
  FILE *in = wg_open_input(kProg, optind < argc ? argv[optind] : "-");
  if (in == NULL) return 1;
  FILE *out = stdout;
  if (argc - optind == 2 && (out = fopen(argv[optind + 1], "wb")) == NULL) {
    wg_warn_errno(kProg, argv[optind + 1]);
    return 1;
  }
  char *prev = NULL, *line = NULL;
  size_t prev_cap = 0, cap = 0, prev_len = 0;
  long long count = 0;
  ssize_t got;
  while ((got = getline(&line, &cap, in)) >= 0) {
    size_t len = (size_t)got;
    if (len > 0 && line[len - 1] == '\n') --len;
    if (count > 0 && same(prev, prev_len, line, len)) {
      ++count;
      continue;
    }
    if (count > 0) emit(out, prev, prev_len, count);
    if (prev_cap < len + 1) {
      prev_cap = len + 1;
      prev = wg_xrealloc(kProg, prev, prev_cap);
    }
    memcpy(prev, line, len);
    prev_len = len;
    count = 1;
  }
  if (count > 0) emit(out, prev, prev_len, count);
  int status = 0;
  if (ferror(in)) {
    wg_warn_errno(kProg, optind < argc ? argv[optind] : "-");
    status = 1;
  }
  free(line);
  free(prev);
  wg_close_input(in);
  if (out != stdout && fclose(out) != 0) {
    wg_warn_errno(kProg, argv[optind + 1]);
    status = 1;
  }
  return status;
}
