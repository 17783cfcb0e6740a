// Guest: clocks, poll_oneoff sleeps, random_get and sched_yield. Prints
// only facts that hold under every correct runtime, plus (with argv[1] ==
// "values") the raw values, which are reproducible under --deterministic.
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

int main(int argc, char** argv) {
  int values = argc > 1 && strcmp(argv[1], "values") == 0;
  struct timespec a, b, res;
  clock_gettime(CLOCK_MONOTONIC, &a);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long long da = a.tv_sec * 1000000000LL + a.tv_nsec, db = b.tv_sec * 1000000000LL + b.tv_nsec;
  printf("monotonic non-decreasing: %s\n", db >= da ? "yes" : "no");
  printf("resolution positive: %s\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0) ? "yes" : "no");
  struct timespec rt;
  clock_gettime(CLOCK_REALTIME, &rt);
  printf("realtime after 2020: %s\n", rt.tv_sec > 1577836800 ? "yes" : "no");

  // nanosleep is poll_oneoff with one relative clock subscription.
  struct timespec before, after, nap = {0, 50 * 1000 * 1000};
  clock_gettime(CLOCK_MONOTONIC, &before);
  nanosleep(&nap, NULL);
  clock_gettime(CLOCK_MONOTONIC, &after);
  long long slept = (after.tv_sec - before.tv_sec) * 1000000000LL + (after.tv_nsec - before.tv_nsec);
  printf("slept at least 50ms: %s\n", slept >= 50 * 1000 * 1000 ? "yes" : "no");

  // poll_oneoff with an absolute clock and a ready fd: the fd wins.
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 7;
  subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[0].u.u.clock.timeout = 10ull * 1000 * 1000 * 1000;
  subs[1].userdata = 8;
  subs[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  subs[1].u.u.fd_write.file_descriptor = 1;
  __wasi_event_t events[2];
  __wasi_size_t n = 0;
  if (values) {  // Node's WASI refuses fd subscriptions on a file
    __wasi_errno_t e = __wasi_poll_oneoff(subs, events, 2, &n);
    printf("poll: errno=%d events=%u first=%llu\n", e, (unsigned)n, n ? (unsigned long long)events[0].userdata : 0ull);
  }

  unsigned char r1[16], r2[16];
  getentropy(r1, sizeof r1);
  getentropy(r2, sizeof r2);
  printf("random differs between calls: %s\n", memcmp(r1, r2, sizeof r1) != 0 ? "yes" : "no");
  printf("sched_yield: %d\n", sched_yield());
  if (values) {
    printf("realtime=%lld.%09ld monotonic=%lld\n", (long long)rt.tv_sec, rt.tv_nsec, da);
    printf("random=");
    for (int i = 0; i < 16; ++i) printf("%02x", r1[i]);
    printf("\n");
  }
  return 0;
}
