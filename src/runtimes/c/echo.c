/* echo [-n] [-e] [STRING...]: write the arguments separated by spaces.
 * -n: no trailing newline. -e: interpret \\ \a \b \c \e \f \n \r \t \v \0NNN. */
#include <stdio.h>
#include <string.h>

/* Writes `s` with escapes interpreted; returns 1 if \c asked to stop. */
static int put_escaped(const char *s) {
  for (; *s; ++s) {
    if (*s != '\\' || s[1] == '\0') {
      putchar(*s);
      continue;
    }
    ++s;
    switch (*s) {
      case '\\': putchar('\\'); break;
      case 'a': putchar('\a'); break;
      case 'b': putchar('\b'); break;
      case 'c': return 1;
      case 'e': putchar(27); break;
      case 'f': putchar('\f'); break;
      case 'n': putchar('\n'); break;
      case 'r': putchar('\r'); break;
      case 't': putchar('\t'); break;
      case 'v': putchar('\v'); break;
      case '0': {
        int v = 0, digits = 0;
        while (digits < 3 && s[1] >= '0' && s[1] <= '7') {
          v = v * 8 + (s[1] - '0');
          ++s;
          ++digits;
        }
        putchar(v);
        break;
      }
      default:
        putchar('\\');
        putchar(*s);
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  int newline = 1, escapes = 0, i = 1;
  /* Like GNU echo: leading arguments made only of n/e/E letters are options. */
  for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
    if (strspn(argv[i] + 1, "neE") != strlen(argv[i] + 1)) break;
    for (const char *p = argv[i] + 1; *p; ++p) {
      if (*p == 'n') newline = 0;
      else if (*p == 'e') escapes = 1;
      else escapes = 0;
    }
  }
  for (int first = i; i < argc; ++i) {
    if (i > first) putchar(' ');
    if (escapes) {
      if (put_escaped(argv[i])) return 0;
    } else {
      fputs(argv[i], stdout);
    }
  }
  if (newline) putchar('\n');
  return 0;
}
