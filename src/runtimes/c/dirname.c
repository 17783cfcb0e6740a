/* dirname PATH...: each PATH without its last component ("." if none). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "dirname: missing operand\n");
    return 1;
  }
  for (int i = 1; i < argc; ++i) {
    const char *p = argv[i];
    size_t end = strlen(p);
    while (end > 1 && p[end - 1] == '/') --end;   /* trailing slashes */
    while (end > 0 && p[end - 1] != '/') --end;   /* last component */
    while (end > 1 && p[end - 1] == '/') --end;   /* slashes before it */
    if (end == 0) puts(p[0] == '/' ? "/" : ".");
    else printf("%.*s\n", (int)end, p);
  }
  return 0;
}
