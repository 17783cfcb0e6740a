/* fannkuch: fannkuch-redux — for every permutation of 1..n, count the
 * pancake flips until 1 is first; report the maximum and a signed checksum.
 * Exercises small-array shuffles and branchy integer loops. */
#include "kernel.h"

enum { kN = 10 };

int run(void) {
  int n = kN - (int)(kernel_seed >> 31); /* seed's top bit is 0 */
  int perm[16], perm1[16], count[16];
  int max_flips = 0, checksum = 0, perm_count = 0;
  for (int i = 0; i < n; ++i) perm1[i] = i;
  int r = n;
  for (;;) {
    while (r != 1) { count[r - 1] = r; --r; }
    for (int i = 0; i < n; ++i) perm[i] = perm1[i];
    int flips = 0;
    int k;
    while ((k = perm[0]) != 0) {
      for (int i = 0, j = k; i < j; ++i, --j) {
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
      }
      ++flips;
    }
    if (flips > max_flips) max_flips = flips;
    checksum += (perm_count & 1) ? -flips : flips;
    /* Next permutation in the counting order of the original benchmark. */
    for (;;) {
      if (r == n) return (int)mix(mix(2166136261u, (u32)checksum), (u32)max_flips);
      int first = perm1[0];
      for (int i = 0; i < r; ++i) perm1[i] = perm1[i + 1];
      perm1[r] = first;
      if (--count[r] > 0) break;
      ++r;
    }
    ++perm_count;
  }
}
