/* Native driver: calls the kernel's run() once and prints its checksum in
 * the format bench/run.sh parses. */
#include <stdio.h>

int run(void);

int main(void) {
  printf("checksum=%d\n", run());
  return 0;
}
