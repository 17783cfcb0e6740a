/* ls [-l] [-a] [-A] [-R] [-1] [-d] [FILE...]: list directory contents, one
 * name per line, sorted bytewise. -a includes names starting with '.'
 * (and "." and ".."), -A the same without "." and "..", -R recurses, -d
 * lists directories themselves, -l prints "MODE SIZE YYYY-MM-DD HH:MM NAME"
 * (UTC; symlinks add " -> TARGET"). The sandbox has no owners or
 * permission bits, so MODE is the type letter followed by the fixed
 * rwxr-xr-x (directories) or rw-r--r-- (files) that such a filesystem
 * implies. Exit 2 if an operand cannot be accessed, 1 for trouble below
 * it, as GNU ls does. */
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "ls";
static int opt_long, opt_all, opt_almost_all, opt_recursive, opt_dir_itself;
static int status;

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_entry(const char *path, const char *name) {
  if (!opt_long) {
    printf("%s\n", name);
    return;
  }
  struct stat st;
  if (lstat(path, &st) != 0 && strcmp(name, "..") == 0) {
    /* ".." of a preopened directory lies outside the sandbox: show it as a
     * bare directory rather than failing. */
    memset(&st, 0, sizeof st);
    st.st_mode = S_IFDIR;
  } else if (lstat(path, &st) != 0) {
    fprintf(stderr, "%s: cannot access '%s': %s\n", kProg, path, strerror(errno));
    status = status ? status : 1;
    return;
  }
  const char *mode = "-rw-r--r--";
  if (S_ISDIR(st.st_mode)) mode = "drwxr-xr-x";
  else if (S_ISLNK(st.st_mode)) mode = "lrwxrwxrwx";
  char when[32] = "?";
  time_t t = st.st_mtim.tv_sec;
  struct tm tm;
  if (gmtime_r(&t, &tm) != NULL) strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
  printf("%s %8lld %s %s", mode, (long long)st.st_size, when, name);
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n >= 0) {
      target[n] = '\0';
      printf(" -> %s", target);
    }
  }
  putchar('\n');
}

/* Lists directory `path`; with -R, then each subdirectory under a header. */
static void list_dir(const char *path, int header, int *printed) {
  DIR *dir = opendir(path);
  if (dir == NULL) {
    fprintf(stderr, "%s: cannot open directory '%s': %s\n", kProg, path, strerror(errno));
    status = status ? status : 1;
    return;
  }
  char **names = NULL;
  size_t n = 0;
  int saw_dot = 0, saw_dotdot = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    const char *name = e->d_name;
    int is_dot = strcmp(name, ".") == 0, is_dotdot = strcmp(name, "..") == 0;
    saw_dot |= is_dot;
    saw_dotdot |= is_dotdot;
    if (name[0] == '.' && !opt_all && !opt_almost_all) continue;
    if ((is_dot || is_dotdot) && !opt_all) continue;
    names = wg_xrealloc(kProg, names, (n + 1) * sizeof *names);
    names[n++] = strdup(name);
  }
  closedir(dir);
  /* Some filesystems do not list "." and ".."; -a shows them anyway. */
  if (opt_all && !saw_dot) {
    names = wg_xrealloc(kProg, names, (n + 1) * sizeof *names);
    names[n++] = strdup(".");
  }
  if (opt_all && !saw_dotdot) {
    names = wg_xrealloc(kProg, names, (n + 1) * sizeof *names);
    names[n++] = strdup("..");
  }
  qsort(names, n, sizeof *names, compare_names);
  if (header) printf("%s%s:\n", (*printed)++ ? "\n" : "", path);
  else ++*printed;
  for (size_t i = 0; i < n; ++i) {
    char *full = wg_join(kProg, path, names[i]);
    print_entry(full, names[i]);
    free(full);
  }
  if (opt_recursive) {
    for (size_t i = 0; i < n; ++i) {
      if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0) continue;
      char *full = wg_join(kProg, path, names[i]);
      struct stat st;
      if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) list_dir(full, 1, printed);
      free(full);
    }
  }
  for (size_t i = 0; i < n; ++i) free(names[i]);
  free(names);
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "laAR1d")) != -1) {
    switch (opt) {
      case 'l': opt_long = 1; break;
      case 'a': opt_all = 1; break;
      case 'A': opt_almost_all = 1; break;
      case 'R': opt_recursive = 1; break;
      case '1': break;
      case 'd': opt_dir_itself = 1; break;
      default:
        fprintf(stderr, "usage: ls [-laAR1d] [FILE...]\n");
        return 2;
    }
  }
  int nargs = argc - optind;
  char *dot[] = {".", NULL};
  char **args = nargs ? argv + optind : dot;
  if (nargs == 0) nargs = 1;
  qsort(args, (size_t)nargs, sizeof *args, compare_names);
  /* Operands that are not directories first, then each directory. */
  int printed = 0;
  int *is_dir = calloc((size_t)nargs, sizeof *is_dir);
  for (int i = 0; i < nargs; ++i) {
    struct stat st;
    if (stat(args[i], &st) != 0 && lstat(args[i], &st) != 0) {
      fprintf(stderr, "%s: cannot access '%s': %s\n", kProg, args[i], strerror(errno));
      status = 2;
      is_dir[i] = -1;
      continue;
    }
    is_dir[i] = S_ISDIR(st.st_mode) && !opt_dir_itself;
    if (!is_dir[i]) {
      print_entry(args[i], args[i]);
      printed = 1;
    }
  }
  int dirs = 0;
  for (int i = 0; i < nargs; ++i) dirs += is_dir[i] == 1;
  for (int i = 0; i < nargs; ++i) {
    if (is_dir[i] == 1) list_dir(args[i], opt_recursive || nargs > 1 || dirs < nargs, &printed);
  }
  free(is_dir);
  return status;
}
