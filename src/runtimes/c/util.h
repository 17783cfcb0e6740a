/* Helpers shared by the runtime utilities (src/runtimes/c). Each utility
 * is a WASI command compiled on its own; everything here is static inline so
 * that a utility carries only what it uses.
 *
 * Conventions (docs/runtimes.md): messages go to stderr as
 * "<utility>: <operand>: <strerror>" and name the utility by its fixed name,
 * not argv[0]; exit 0 on success, 1 on failure, and the few utilities that
 * distinguish a usage error (grep, ls) exit 2 for it. */
#ifndef WG_RUNTIMES_UTIL_H
#define WG_RUNTIMES_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* "prog: what: strerror(errno)". */
static inline void wg_warn_errno(const char *prog, const char *what) {
  fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
}

/* "prog: " + formatted text + "\n". */
static inline void wg_warn(const char *prog, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* Aborts the program when memory runs out: utilities hold whole inputs. */
static inline void *wg_xrealloc(const char *prog, void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (q == NULL) {
    fprintf(stderr, "%s: out of memory\n", prog);
    exit(1);
  }
  return q;
}

/* Opens `name` for reading; "-" is stdin. Reports and returns NULL on
 * failure. A directory is refused with EISDIR, as the POSIX tools do. */
static inline FILE *wg_open_input(const char *prog, const char *name) {
  if (strcmp(name, "-") == 0) return stdin;
  FILE *f = fopen(name, "rb");
  if (f == NULL) {
    wg_warn_errno(prog, name);
    return NULL;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    errno = EISDIR;
    wg_warn_errno(prog, name);
    return NULL;
  }
  return f;
}

static inline void wg_close_input(FILE *f) {
  if (f != stdin) fclose(f);
}

/* Reads all of `f` into a malloc'd buffer (NUL-terminated for convenience;
 * *len excludes the terminator). Returns NULL on a read error. */
static inline char *wg_read_all(const char *prog, FILE *f, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = wg_xrealloc(prog, NULL, cap);
  for (;;) {
    if (cap - n < 4096) {
      cap *= 2;
      buf = wg_xrealloc(prog, buf, cap);
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* A parsed non-negative count such as the N of "-n N". Returns 0 on
 * success; -1 if `text` is not a decimal number. */
static inline int wg_parse_count(const char *text, long long *out) {
  if (*text == '\0') return -1;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < 0) return -1;
  *out = v;
  return 0;
}

/* Joins a directory and a name with exactly one '/'. Caller frees. */
static inline char *wg_join(const char *prog, const char *dir, const char *name) {
  size_t a = strlen(dir), b = strlen(name);
  char *out = wg_xrealloc(prog, NULL, a + b + 2);
  memcpy(out, dir, a);
  size_t n = a;
  if (n == 0 || out[n - 1] != '/') out[n++] = '/';
  memcpy(out + n, name, b + 1);
  return out;
}

/* The last path component of `path` ("a/b/" -> "b"), in a malloc'd copy. */
static inline char *wg_basename(const char *prog, const char *path) {
  size_t end = strlen(path);
  while (end > 1 && path[end - 1] == '/') --end;
  size_t start = end;
  while (start > 0 && path[start - 1] != '/') --start;
  char *out = wg_xrealloc(prog, NULL, end - start + 1);
  memcpy(out, path + start, end - start);
  out[end - start] = '\0';
  return out;
}

/* The operands of cp/mv: SOURCE DEST, or SOURCE... DIRECTORY (argv[first..]).
   Applies `op` to each source and its destination (DIRECTORY/basename when
   DEST is a directory); returns 1 after a usage error, else the OR of the
   results. */
static inline int wg_each_source_to_dest(const char *prog, int argc, char **argv, int first,
                                         int (*op)(const char *from, const char *to)) {
  int n = argc - first;
  if (n < 2) {
    if (n == 0) wg_warn(prog, "missing file operand");
    else wg_warn(prog, "missing destination file operand after '%s'", argv[first]);
    return 1;
  }
  const char *dest = argv[argc - 1];
  struct stat st;
  int dest_is_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
  if (n > 2 && !dest_is_dir) {
    wg_warn(prog, "target '%s' is not a directory", dest);
    return 1;
  }
  int status = 0;
  for (int i = first; i < argc - 1; ++i) {
    if (!dest_is_dir) {
      status |= op(argv[i], dest);
      continue;
    }
    char *base = wg_basename(prog, argv[i]);
    char *to = wg_join(prog, dest, base);
    status |= op(argv[i], to);
    free(base);
    free(to);
  }
  return status;
}

#endif
