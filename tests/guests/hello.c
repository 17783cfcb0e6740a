// Guest: arguments, environment, stdout/stderr and the exit code.
// Prints argv and the environment (sorted), writes one line to stderr, and
// exits with the number given as argv[1] (default 0). Deterministic.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char** environ;

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; ++i) printf("argv[%d]=%s\n", i, argv[i]);
  int n = 0;
  while (environ && environ[n]) ++n;
  char** sorted = malloc(sizeof(char*) * (n + 1));
  for (int i = 0; i < n; ++i) sorted[i] = environ[i];
  qsort(sorted, n, sizeof(char*), cmp);
  for (int i = 0; i < n; ++i) printf("env %s\n", sorted[i]);
  const char* greet = getenv("GREETING");
  printf("greeting=%s\n", greet ? greet : "(unset)");
  fprintf(stderr, "to stderr\n");
  return argc > 1 ? atoi(argv[1]) : 0;
}
