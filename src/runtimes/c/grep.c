/* grep [-F|-E] [-i] [-n] [-v] [-c] [-l] [-q] [-r] [-H|-h] [-e PATTERN] PATTERN [FILE...]
 * Basic regular expressions by default (POSIX regcomp), -E extended, -F a
 * fixed string. -r searches directories recursively ("." without FILE).
 * Exit: 0 a line matched, 1 none, 2 an error (and no -q match). */
#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "grep";

static int opt_fixed, opt_extended, opt_icase, opt_number, opt_invert, opt_count, opt_list, opt_quiet,
    opt_recursive, opt_with_name = -1;
static const char *pattern;
static regex_t regex;
static int any_match, had_error, implicit_dot;

static int fixed_match(const char *line, size_t len) {
  size_t plen = strlen(pattern);
  if (plen == 0) return 1;
  if (plen > len) return 0;
  for (size_t i = 0; i + plen <= len; ++i) {
    size_t j = 0;
    if (opt_icase) {
      while (j < plen && tolower((unsigned char)line[i + j]) == tolower((unsigned char)pattern[j])) ++j;
    } else {
      while (j < plen && line[i + j] == pattern[j]) ++j;
    }
    if (j == plen) return 1;
  }
  return 0;
}

static int line_matches(const char *line, size_t len) {
  int m = opt_fixed ? fixed_match(line, len) : regexec(&regex, line, 0, NULL, 0) == 0;
  return m != opt_invert;
}

/* Searches one open stream; `name` is printed when with_name. */
static void grep_stream(FILE *in, const char *name, int with_name) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  long long lineno = 0, matches = 0;
  while ((got = getline(&line, &cap, in)) >= 0) {
    ++lineno;
    size_t len = (size_t)got;
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if (!line_matches(line, len)) continue;
    ++matches;
    any_match = 1;
    if (opt_quiet) break;
    if (opt_list) break;
    if (opt_count) continue;
    if (with_name) printf("%s:", name);
    if (opt_number) printf("%lld:", lineno);
    fwrite(line, 1, len, stdout);
    putchar('\n');
  }
  free(line);
  if (ferror(in)) {
    wg_warn_errno(kProg, name);
    had_error = 1;
    return;
  }
  if (opt_quiet) return;
  if (opt_list) {
    if (matches > 0) printf("%s\n", name);
  } else if (opt_count) {
    if (with_name) printf("%s:", name);
    printf("%lld\n", matches);
  }
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void grep_path(const char *path, int with_name, int top) {
  if (strcmp(path, "-") == 0) {
    grep_stream(stdin, "(standard input)", with_name);
    return;
  }
  struct stat st;
  if (stat(path, &st) != 0) {
    wg_warn_errno(kProg, path);
    had_error = 1;
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!opt_recursive) {
      if (top) wg_warn(kProg, "%s: Is a directory", path);
      had_error = 1;
      return;
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
      wg_warn_errno(kProg, path);
      had_error = 1;
      return;
    }
    /* Sorted, so the output order does not depend on the directory layout. */
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      names = wg_xrealloc(kProg, names, (n + 1) * sizeof *names);
      /* grep -r without FILE names files as "a.txt", not "./a.txt". */
      names[n++] = implicit_dot && top ? strdup(e->d_name) : wg_join(kProg, path, e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, compare_names);
    for (size_t i = 0; i < n; ++i) {
      struct stat sub;
      /* Like grep -r: symlinks found while recursing are not followed. */
      if (lstat(names[i], &sub) == 0 && !S_ISLNK(sub.st_mode)) grep_path(names[i], with_name, 0);
      free(names[i]);
    }
    free(names);
    return;
  }
  FILE *in = fopen(path, "rb");
  if (in == NULL) {
    wg_warn_errno(kProg, path);
    had_error = 1;
    return;
  }
  grep_stream(in, path, with_name);
  fclose(in);
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "FEGinvclqrRHhe:")) != -1) {
    switch (opt) {
      case 'F': opt_fixed = 1; break;
      case 'E': opt_extended = 1; opt_fixed = 0; break;
      case 'G': opt_extended = 0; opt_fixed = 0; break;
      case 'i': opt_icase = 1; break;
      case 'n': opt_number = 1; break;
      case 'v': opt_invert = 1; break;
      case 'c': opt_count = 1; break;
      case 'l': opt_list = 1; break;
      case 'q': opt_quiet = 1; break;
      case 'r': case 'R': opt_recursive = 1; break;
      case 'H': opt_with_name = 1; break;
      case 'h': opt_with_name = 0; break;
      case 'e': pattern = optarg; break;
      default:
        fprintf(stderr, "usage: grep [-FEinvclqrHh] [-e PATTERN] PATTERN [FILE...]\n");
        return 2;
    }
  }
  if (pattern == NULL) {
    if (optind == argc) {
      fprintf(stderr, "usage: grep [-FEinvclqrHh] [-e PATTERN] PATTERN [FILE...]\n");
      return 2;
    }
    pattern = argv[optind++];
  }
  if (!opt_fixed) {
    int flags = REG_NOSUB | (opt_extended ? REG_EXTENDED : 0) | (opt_icase ? REG_ICASE : 0);
    int rc = regcomp(&regex, pattern, flags);
    if (rc != 0) {
      char msg[256];
      regerror(rc, &regex, msg, sizeof msg);
      wg_warn(kProg, "invalid regular expression '%s': %s", pattern, msg);
      return 2;
    }
  }
  int files = argc - optind;
  int with_name = opt_with_name >= 0 ? opt_with_name : (files > 1 || opt_recursive);
  if (files == 0) {
    if (opt_recursive) {
      implicit_dot = 1;
      grep_path(".", with_name, 1);
    }
    else grep_stream(stdin, "(standard input)", with_name);
  }
  for (int i = optind; i < argc && !(opt_quiet && any_match); ++i) grep_path(argv[i], with_name, 1);
  if (!opt_fixed) regfree(&regex);
  if (opt_quiet && any_match) return 0;
  if (had_error) return 2;
  return any_match ? 0 : 1;
}
