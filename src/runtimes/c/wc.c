/* wc [-l] [-w] [-c] [FILE...]: count lines, words and bytes. Without
 * options all three. Output follows POSIX: the counts separated by one
 * space, then the name; a "total" line for more than one file. */
#include <ctype.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "wc";
static int show_lines, show_words, show_bytes;

static void print_counts(long long l, long long w, long long c, const char *name) {
  const char *sep = "";
  if (show_lines) { printf("%s%lld", sep, l); sep = " "; }
  if (show_words) { printf("%s%lld", sep, w); sep = " "; }
  if (show_bytes) { printf("%s%lld", sep, c); sep = " "; }
  if (name != NULL) printf(" %s", name);
  putchar('\n');
}

static int count(FILE *in, long long *l, long long *w, long long *c) {
  char buf[8192];
  size_t got;
  int in_word = 0;
  while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
    *c += (long long)got;
    for (size_t i = 0; i < got; ++i) {
      unsigned char ch = (unsigned char)buf[i];
      if (ch == '\n') ++*l;
      if (isspace(ch)) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1;
        ++*w;
      }
    }
  }
  return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "lwc")) != -1) {
    if (opt == 'l') show_lines = 1;
    else if (opt == 'w') show_words = 1;
    else if (opt == 'c') show_bytes = 1;
    else return 1;
  }
  if (!show_lines && !show_words && !show_bytes) show_lines = show_words = show_bytes = 1;
  int status = 0;
  if (optind == argc) {
    long long l = 0, w = 0, c = 0;
    if (count(stdin, &l, &w, &c) != 0) {
      wg_warn_errno(kProg, "-");
      return 1;
    }
    print_counts(l, w, c, NULL);
    return 0;
  }
  long long tl = 0, tw = 0, tc = 0;
  for (int i = optind; i < argc; ++i) {
    FILE *in = wg_open_input(kProg, argv[i]);
    if (in == NULL) {
      status = 1;
      continue;
    }
    long long l = 0, w = 0, c = 0;
    if (count(in, &l, &w, &c) != 0) {
      wg_warn_errno(kProg, argv[i]);
      status = 1;
    } else {
      print_counts(l, w, c, argv[i]);
      tl += l; tw += w; tc += c;
    }
    wg_close_input(in);
  }
  if (argc - optind > 1) print_counts(tl, tw, tc, "total");
  return status;
}
