/* basename PATH [SUFFIX]: the last component of PATH, without SUFFIX. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, argc < 2 ? "basename: missing operand\n" : "basename: extra operand '%s'\n", argv[argc - 1]);
    return 1;
  }
  const char *path = argv[1];
  size_t end = strlen(path);
  while (end > 1 && path[end - 1] == '/') --end;
  size_t start = end;
  while (start > 0 && path[start - 1] != '/') --start;
  if (end == 1 && path[0] == '/') start = 0;
  size_t len = end - start;
  if (argc == 3) {
    size_t slen = strlen(argv[2]);
    if (slen < len && memcmp(path + end - slen, argv[2], slen) == 0) len -= slen;
  }
  fwrite(path + start, 1, len, stdout);
  putchar('\n');
  return 0;
}
