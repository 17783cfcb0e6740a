// Guest: allocates (and touches) memory without bound (for --max-memory).
// The blocks are chained into a list kept in a volatile global so that the
// compiler cannot elide the allocations.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void* volatile g_head;

int main(void) {
  unsigned long total = 0;
  for (;;) {
    char* p = malloc(1 << 20);
    if (p == NULL) {
      printf("malloc failed after %lu MiB\n", total);
      return 3;
    }
    memset(p, 1, 1 << 20);
    *(void**)p = g_head;
    g_head = p;
    ++total;
  }
}
