/* pwd: print the working directory ("/" unless the caller changed it). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

int main(void) {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == NULL) {
    fprintf(stderr, "pwd: %s\n", strerror(errno));
    return 1;
  }
  puts(buf);
  return 0;
}
