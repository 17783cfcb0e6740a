/* WASI-command wrapper for the benchmark kernels: links one kernel with
 * wasi-libc into a program that prints "checksum=<run()>" (bench/run_wasi.sh). */
#include <stdio.h>

int run(void);

int main(void) {
  printf("checksum=%d\n", run());
  return 0;
}
