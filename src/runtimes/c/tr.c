/* tr [-d] [-s] [-c] SET1 [SET2]: translate, delete (-d) or squeeze (-s)
 * bytes from stdin to stdout. Sets are characters, ranges "a-z", escapes
 * (\n \t \r \\ \NNN octal) and the classes [:alpha:] [:digit:] [:alnum:]
 * [:lower:] [:upper:] [:space:] [:punct:]. When SET2 is shorter than SET1
 * its last character repeats. -c complements SET1. */
#include <ctype.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "tr";

/* Expands `spec` into `out` (at most 256 entries kept in order); returns
 * the length or -1 for a malformed set. */
static int expand(const char *spec, unsigned char *out) {
  int n = 0;
  for (const char *p = spec; *p;) {
    if (*p == '[' && p[1] == ':') {
      const char *end = strstr(p + 2, ":]");
      if (end == NULL) return -1;
      size_t len = (size_t)(end - (p + 2));
      int (*pred)(int) = NULL;
      if (len == 5 && strncmp(p + 2, "alpha", 5) == 0) pred = isalpha;
      else if (len == 5 && strncmp(p + 2, "digit", 5) == 0) pred = isdigit;
      else if (len == 5 && strncmp(p + 2, "alnum", 5) == 0) pred = isalnum;
      else if (len == 5 && strncmp(p + 2, "lower", 5) == 0) pred = islower;
      else if (len == 5 && strncmp(p + 2, "upper", 5) == 0) pred = isupper;
      else if (len == 5 && strncmp(p + 2, "space", 5) == 0) pred = isspace;
      else if (len == 5 && strncmp(p + 2, "punct", 5) == 0) pred = ispunct;
      else return -1;
      for (int c = 0; c < 256; ++c) {
        if (pred(c) && n < 4096) out[n++] = (unsigned char)c;
      }
      p = end + 2;
      continue;
    }
    int c;
    if (*p == '\\' && p[1] != '\0') {
      ++p;
      if (*p >= '0' && *p <= '7') {
        c = 0;
        for (int k = 0; k < 3 && *p >= '0' && *p <= '7'; ++k) c = c * 8 + (*p++ - '0');
      } else {
        switch (*p) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          default: c = (unsigned char)*p;
        }
        ++p;
      }
    } else {
      c = (unsigned char)*p++;
    }
    if (*p == '-' && p[1] != '\0') {
      int hi = (unsigned char)p[1];
      if (hi < c) return -1;
      for (int x = c; x <= hi && n < 4096; ++x) out[n++] = (unsigned char)x;
      p += 2;
    } else if (n < 4096) {
      out[n++] = (unsigned char)c;
    }
  }
  return n;
}

int main(int argc, char **argv) {
  int del = 0, squeeze = 0, complement = 0, opt;
  while ((opt = getopt(argc, argv, "dsc")) != -1) {
    if (opt == 'd') del = 1;
    else if (opt == 's') squeeze = 1;
    else if (opt == 'c') complement = 1;
    else return 1;
  }
  int nsets = argc - optind;
  if (nsets < 1) {
    wg_warn(kProg, "missing operand");
    return 1;
  }
  if (nsets > 2) {
    wg_warn(kProg, "extra operand '%s'", argv[optind + 2]);
    return 1;
  }
  if (nsets == 1 && !del && !squeeze) {
    wg_warn(kProg, "missing operand after '%s'", argv[optind]);
    return 1;
  }
  static unsigned char set1[4096], set2[4096];
  int n1 = expand(argv[optind], set1);
  int n2 = nsets == 2 ? expand(argv[optind + 1], set2) : 0;
  if (n1 < 0 || n2 < 0) {
    wg_warn(kProg, "invalid set '%s'", n1 < 0 ? argv[optind] : argv[optind + 1]);
    return 1;
  }
  int in1[256] = {0};
  for (int i = 0; i < n1; ++i) in1[set1[i]] = 1;
  if (complement) {
    n1 = 0;
    for (int c = 0; c < 256; ++c) {
      if (!in1[c]) set1[n1++] = (unsigned char)c;
    }
    memset(in1, 0, sizeof in1);
    for (int i = 0; i < n1; ++i) in1[set1[i]] = 1;
  }
  int map[256];
  for (int c = 0; c < 256; ++c) map[c] = c;
  int translating = nsets == 2 && !del;
  if (translating) {
    if (n2 == 0) {
      wg_warn(kProg, "when not truncating set1, string2 must be non-empty");
      return 1;
    }
    for (int i = 0; i < n1; ++i) map[set1[i]] = set2[i < n2 ? i : n2 - 1];
  }
  /* The squeeze set: SET2 when translating or deleting with two sets, else SET1. */
  int sq[256] = {0};
  if (squeeze) {
    if (nsets == 2) {
      for (int i = 0; i < n2; ++i) sq[set2[i]] = 1;
    } else {
      for (int c = 0; c < 256; ++c) sq[c] = in1[c];
    }
  }
  int ch, last = -1;
  while ((ch = getchar()) != EOF) {
    if (del && in1[ch]) continue;
    int out = map[ch];
    if (squeeze && sq[out] && out == last) continue;
    putchar(out);
    last = out;
  }
  return 0;
}
