/* timeit: runs a command and measures it, process start included.
 *
 *   timeit [-t SECONDS] OUT_FILE COMMAND [ARGS...]
 *
 * Runs COMMAND with the caller's stdin/stdout/stderr, waits for it and
 * writes one line "wall_ms=<float> cpu_ms=<float> status=<int>" to OUT_FILE:
 * wall time from CLOCK_MONOTONIC around fork/exec/wait, CPU time as the
 * child's user + system time from wait4's rusage. status is the exit code,
 * or 128 + signal number. With -t, a command still running after SECONDS is
 * killed (SIGKILL, so status=137). timeit itself exits 0 unless it could not
 * run the command (127) or write OUT_FILE (126). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv) {
  return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

static volatile pid_t child = 0;

static void on_alarm(int sig) {
  (void)sig;
  if (child > 0) kill(child, SIGKILL);
}

int main(int argc, char** argv) {
  unsigned timeout_s = 0;
  if (argc >= 3 && argv[1][0] == '-' && argv[1][1] == 't' && argv[1][2] == 0) {
    timeout_s = (unsigned)strtoul(argv[2], NULL, 10);
    argv += 2;
    argc -= 2;
  }
  if (argc < 3) {
    fprintf(stderr, "usage: timeit [-t SECONDS] OUT_FILE COMMAND [ARGS...]\n");
    return 2;
  }
  double start = now_ms();
  pid_t pid = fork();
  if (pid < 0) {
    perror("timeit: fork");
    return 127;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("timeit: exec");
    _exit(127);
  }
  child = pid;
  if (timeout_s > 0) {
    struct sigaction sa;
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    alarm(timeout_s);
  }
  int status = 0;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno == EINTR) continue;
    perror("timeit: wait4");
    return 127;
  }
  alarm(0);
  double wall = now_ms() - start;
  double cpu = tv_ms(usage.ru_utime) + tv_ms(usage.ru_stime);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  FILE* out = fopen(argv[1], "w");
  if (out == NULL) {
    perror("timeit: open OUT_FILE");
    return 126;
  }
  fprintf(out, "wall_ms=%.3f cpu_ms=%.3f status=%d\n", wall, cpu, code);
  return fclose(out) == 0 ? 0 : 126;
}
