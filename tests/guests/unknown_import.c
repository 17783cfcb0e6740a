// Guest: imports a function nobody provides; calls it only when given an
// argument (for --trap-unknown-imports).
#include <stdio.h>

__attribute__((import_module("env"), import_name("host_magic"))) int host_magic(int);

int main(int argc, char** argv) {
  (void)argv;
  printf("started\n");
  fflush(stdout);
  if (argc > 1) return host_magic(argc);
  return 0;
}
