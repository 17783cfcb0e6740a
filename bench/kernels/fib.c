/* fib: naive doubly recursive Fibonacci. Exercises function calls and
 * returns, which is where interpreter designs differ most. */
#include "kernel.h"

enum { kN = 37 };

static __attribute__((noinline)) u32 fib(u32 n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int run(void) {
  /* kernel_seed's top bit is 0: n is kN, but the compiler cannot know. */
  return (int)fib(kN + (kernel_seed >> 31));
}
