/* find [PATH...] [-name PATTERN] [-type f|d|l] [-maxdepth N] [-mindepth N]:
 * print every path under each PATH (default ".") that passes all tests,
 * depth first, entries of a directory in name order. PATTERN is a shell
 * glob (fnmatch) matched against the last component. Symlinks are not
 * followed. */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "find";
static const char *name_pattern;
static char type_filter;
static long long max_depth = LLONG_MAX, min_depth;
static int status;

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int passes(const char *path, const struct stat *st, long long depth) {
  if (depth < min_depth) return 0;
  if (type_filter == 'f' && !S_ISREG(st->st_mode)) return 0;
  if (type_filter == 'd' && !S_ISDIR(st->st_mode)) return 0;
  if (type_filter == 'l' && !S_ISLNK(st->st_mode)) return 0;
  if (name_pattern != NULL) {
    char *base = wg_basename(kProg, path);
    int match = fnmatch(name_pattern, base, 0) == 0;
    free(base);
    if (!match) return 0;
  }
  return 1;
}

static void walk(const char *path, long long depth) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    fprintf(stderr, "%s: '%s': %s\n", kProg, path, strerror(errno));
    status = 1;
    return;
  }
  if (passes(path, &st, depth)) printf("%s\n", path);
  if (!S_ISDIR(st.st_mode) || depth >= max_depth) return;
  DIR *dir = opendir(path);
  if (dir == NULL) {
    fprintf(stderr, "%s: '%s': %s\n", kProg, path, strerror(errno));
    status = 1;
    return;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    names = wg_xrealloc(kProg, names, (n + 1) * sizeof *names);
    names[n++] = wg_join(kProg, path, e->d_name);
  }
  closedir(dir);
  qsort(names, n, sizeof *names, compare_names);
  for (size_t i = 0; i < n; ++i) {
    walk(names[i], depth + 1);
    free(names[i]);
  }
  free(names);
}

int main(int argc, char **argv) {
  int first_test = 1;
  while (first_test < argc && argv[first_test][0] != '-') ++first_test;
  for (int i = first_test; i < argc; ++i) {
    const char *arg = argv[i];
    if (i + 1 >= argc) {
      wg_warn(kProg, "missing argument to '%s'", arg);
      return 1;
    }
    const char *value = argv[++i];
    if (strcmp(arg, "-name") == 0) {
      name_pattern = value;
    } else if (strcmp(arg, "-type") == 0) {
      if (strcmp(value, "f") != 0 && strcmp(value, "d") != 0 && strcmp(value, "l") != 0) {
        wg_warn(kProg, "unknown argument to -type: %s", value);
        return 1;
      }
      type_filter = value[0];
    } else if (strcmp(arg, "-maxdepth") == 0 || strcmp(arg, "-mindepth") == 0) {
      long long v;
      if (wg_parse_count(value, &v) != 0) {
        wg_warn(kProg, "invalid argument '%s' to '%s'", value, arg);
        return 1;
      }
      if (arg[2] == 'a') max_depth = v;
      else min_depth = v;
    } else {
      wg_warn(kProg, "unknown predicate '%s'", arg);
      return 1;
    }
  }
  if (first_test == 1) {
    walk(".", 0);
  } else {
    for (int i = 1; i < first_test; ++i) walk(argv[i], 0);
  }
  return status;
}
