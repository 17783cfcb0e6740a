/* sort [-r] [-n] [-u] [-f] [-o OUTPUT] [FILE...]: sort lines bytewise (the C
 * locale). -n compares leading numbers (lines without one count as 0),
 * -f folds case, -r reverses, -u keeps the first of each run of lines that
 * compare equal. Ties are broken bytewise on the whole line, so the
 * output is fully determined by the input. */
#include <ctype.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "sort";
static int opt_reverse, opt_numeric, opt_unique, opt_fold;

struct line {
  const char *text;
  size_t len;
  double number;
};

static int bytes_compare(const struct line *a, const struct line *b, int fold) {
  size_t n = a->len < b->len ? a->len : b->len;
  for (size_t i = 0; i < n; ++i) {
    int x = (unsigned char)a->text[i], y = (unsigned char)b->text[i];
    if (fold) {
      x = toupper(x);
      y = toupper(y);
    }
    if (x != y) return x < y ? -1 : 1;
  }
  return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

/* The key comparison: what -u treats as "equal". */
static int key_compare(const struct line *a, const struct line *b) {
  if (opt_numeric) return a->number < b->number ? -1 : a->number > b->number ? 1 : 0;
  return bytes_compare(a, b, opt_fold);
}

static int full_compare(const void *pa, const void *pb) {
  const struct line *a = pa, *b = pb;
  int c = key_compare(a, b);
  if (c == 0 && !opt_unique) c = bytes_compare(a, b, 0);
  return opt_reverse ? -c : c;
}

static double leading_number(const char *text, size_t len) {
  char buf[64];
  size_t i = 0;
  while (i < len && (text[i] == ' ' || text[i] == '\t')) ++i;
  size_t n = 0;
  if (i < len && (text[i] == '-' || text[i] == '+')) buf[n++] = text[i++];
  while (i < len && n < sizeof buf - 1 && (isdigit((unsigned char)text[i]) || text[i] == '.')) buf[n++] = text[i++];
  buf[n] = '\0';
  return strtod(buf, NULL);
}

int main(int argc, char **argv) {
  const char *output = NULL;
  int opt;
  while ((opt = getopt(argc, argv, "rnufo:")) != -1) {
    switch (opt) {
      case 'r': opt_reverse = 1; break;
      case 'n': opt_numeric = 1; break;
      case 'u': opt_unique = 1; break;
      case 'f': opt_fold = 1; break;
      case 'o': output = optarg; break;
      default: return 1;
    }
  }
  /* Read every input first, so -o may name one of the inputs. */
  char **buffers = NULL;
  size_t nbuf = 0;
  struct line *lines = NULL;
  size_t nlines = 0, cap = 0;
  int status = 0;
  int nfiles = argc - optind;
  for (int i = 0; i < (nfiles ? nfiles : 1); ++i) {
    const char *name = nfiles ? argv[optind + i] : "-";
    FILE *in = wg_open_input(kProg, name);
    if (in == NULL) {
      status = 1;
      continue;
    }
    size_t len = 0;
    char *data = wg_read_all(kProg, in, &len);
    wg_close_input(in);
    if (data == NULL) {
      wg_warn_errno(kProg, name);
      status = 1;
      continue;
    }
    buffers = wg_xrealloc(kProg, buffers, (nbuf + 1) * sizeof *buffers);
    buffers[nbuf++] = data;
    for (size_t pos = 0; pos < len;) {
      char *nl = memchr(data + pos, '\n', len - pos);
      size_t end = nl ? (size_t)(nl - data) : len;
      if (nlines == cap) {
        cap = cap ? cap * 2 : 256;
        lines = wg_xrealloc(kProg, lines, cap * sizeof *lines);
      }
      lines[nlines].text = data + pos;
      lines[nlines].len = end - pos;
      lines[nlines].number = opt_numeric ? leading_number(data + pos, end - pos) : 0;
      ++nlines;
      pos = end + 1;
    }
  }
  if (status != 0) return status;
  /* Keys that compare equal under -u keep input order: qsort is not stable,
   * so sort (key, then input position) by stable merge instead. */
  if (opt_unique) {
    struct line *tmp = wg_xrealloc(kProg, NULL, (nlines ? nlines : 1) * sizeof *tmp);
    for (size_t width = 1; width < nlines; width *= 2) {
      for (size_t lo = 0; lo < nlines; lo += 2 * width) {
        size_t mid = lo + width < nlines ? lo + width : nlines;
        size_t hi = lo + 2 * width < nlines ? lo + 2 * width : nlines;
        size_t a = lo, b = mid, k = lo;
        while (a < mid && b < hi) tmp[k++] = full_compare(&lines[b], &lines[a]) < 0 ? lines[b++] : lines[a++];
        while (a < mid) tmp[k++] = lines[a++];
        while (b < hi) tmp[k++] = lines[b++];
      }
      memcpy(lines, tmp, nlines * sizeof *lines);
    }
    free(tmp);
  } else {
    qsort(lines, nlines, sizeof *lines, full_compare);
  }
  FILE *out = stdout;
  if (output != NULL && (out = fopen(output, "wb")) == NULL) {
    wg_warn_errno(kProg, output);
    return 1;
  }
  for (size_t i = 0; i < nlines; ++i) {
    if (opt_unique && i > 0 && key_compare(&lines[i - 1], &lines[i]) == 0) continue;
    fwrite(lines[i].text, 1, lines[i].len, out);
    fputc('\n', out);
  }
  if (out != stdout && fclose(out) != 0) {
    wg_warn_errno(kProg, output);
    return 1;
  }
  return 0;
}
