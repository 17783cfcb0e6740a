// Guest: reads all of stdin and writes it upper-cased to stdout, then the
// byte count. Deterministic.
#include <ctype.h>
#include <stdio.h>

int main(void) {
  long count = 0;
  int c;
  while ((c = getchar()) != EOF) {
    putchar(toupper(c));
    ++count;
  }
  printf("\nbytes=%ld\n", count);
  return 0;
}
