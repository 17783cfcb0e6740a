/* touch [-c] FILE...: create empty files, or set the times of existing ones
 * to now. -c does not create. */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "touch";

int main(int argc, char **argv) {
  int no_create = 0, opt;
  while ((opt = getopt(argc, argv, "c")) != -1) {
    if (opt == 'c') no_create = 1;
    else return 1;
  }
  if (optind == argc) {
    wg_warn(kProg, "missing file operand");
    return 1;
  }
  /* Explicit times rather than NULL/UTIME_NOW: under wasmgate, wasi-libc's
   * utimensat(NULL) returned success without changing the times, while an
   * explicit timestamp (here the WASI realtime clock) is applied. */
  struct timespec now[2];
  clock_gettime(CLOCK_REALTIME, &now[0]);
  now[1] = now[0];
  int status = 0;
  for (int i = optind; i < argc; ++i) {
    const char *path = argv[i];
    if (utimensat(AT_FDCWD, path, now, 0) == 0) continue;
    if (errno != ENOENT || no_create) {
      if (errno == ENOENT) continue;  /* -c: a missing file is fine */
      fprintf(stderr, "%s: cannot touch '%s': %s\n", kProg, path, strerror(errno));
      status = 1;
      continue;
    }
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    if (fd < 0) {
      fprintf(stderr, "%s: cannot touch '%s': %s\n", kProg, path, strerror(errno));
      status = 1;
      continue;
    }
    close(fd);
  }
  return status;
}
