/* cut -f LIST [-d DELIM] [-s] [FILE...] | cut -c LIST [FILE...]: print the
 * selected fields (separated by DELIM, default TAB) or byte positions of
 * each line. LIST is comma-separated numbers and ranges (1-3, -2, 4-),
 * counted from 1. Lines without DELIM are printed whole unless -s. */
#include <limits.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "cut";

#define kMaxRanges 64
static struct { long long lo, hi; } ranges[kMaxRanges];
static int nranges;

static int parse_list(const char *list) {
  const char *p = list;
  while (*p) {
    if (nranges == kMaxRanges) return -1;
    long long lo = 1, hi = LLONG_MAX;
    char *end;
    if (*p != '-') {
      lo = strtoll(p, &end, 10);
      if (end == p || lo < 1) return -1;
      p = end;
      hi = lo;
    }
    if (*p == '-') {
      ++p;
      hi = LLONG_MAX;
      if (*p >= '0' && *p <= '9') {
        hi = strtoll(p, &end, 10);
        p = end;
      }
      if (hi < lo) return -1;
    }
    ranges[nranges].lo = lo;
    ranges[nranges].hi = hi;
    ++nranges;
    if (*p == ',') ++p;
    else if (*p != '\0') return -1;
  }
  return nranges > 0 ? 0 : -1;
}

static int selected(long long i) {
  for (int k = 0; k < nranges; ++k) {
    if (i >= ranges[k].lo && i <= ranges[k].hi) return 1;
  }
  return 0;
}

static void cut_line(const char *line, size_t len, int by_char, char delim, int only_delimited) {
  if (by_char) {
    for (size_t i = 0; i < len; ++i) {
      if (selected((long long)i + 1)) putchar(line[i]);
    }
    putchar('\n');
    return;
  }
  if (memchr(line, delim, len) == NULL) {
    if (!only_delimited) {
      fwrite(line, 1, len, stdout);
      putchar('\n');
    }
    return;
  }
  long long field = 1;
  int printed = 0;
  size_t start = 0;
  for (size_t i = 0; i <= len; ++i) {
    if (i < len && line[i] != delim) continue;
    if (selected(field)) {
      if (printed++) putchar(delim);
      fwrite(line + start, 1, i - start, stdout);
    }
    ++field;
    start = i + 1;
  }
  putchar('\n');
}

int main(int argc, char **argv) {
  const char *list = NULL;
  int by_char = 0, only_delimited = 0, opt;
  char delim = '\t';
  while ((opt = getopt(argc, argv, "f:c:b:d:s")) != -1) {
    switch (opt) {
      case 'f': list = optarg; by_char = 0; break;
      case 'c': case 'b': list = optarg; by_char = 1; break;
      case 'd':
        if (strlen(optarg) != 1) {
          wg_warn(kProg, "the delimiter must be a single character");
          return 1;
        }
        delim = optarg[0];
        break;
      case 's': only_delimited = 1; break;
      default: return 1;
    }
  }
  if (list == NULL) {
    wg_warn(kProg, "you must specify a list of bytes, characters, or fields");
    return 1;
  }
  if (parse_list(list) != 0) {
    wg_warn(kProg, "invalid list '%s'", list);
    return 1;
  }
  int status = 0, nfiles = argc - optind;
  for (int i = 0; i < (nfiles ? nfiles : 1); ++i) {
    const char *name = nfiles ? argv[optind + i] : "-";
    FILE *in = wg_open_input(kProg, name);
    if (in == NULL) {
      status = 1;
      continue;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, in)) >= 0) {
      size_t len = (size_t)got;
      if (len > 0 && line[len - 1] == '\n') --len;
      cut_line(line, len, by_char, delim, only_delimited);
    }
    free(line);
    wg_close_input(in);
  }
  return status;
}
