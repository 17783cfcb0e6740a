/* sieve: sieve of Eratosthenes over one byte per number, repeated.
 * Exercises byte stores with large strides and a tight counting loop. */
#include "kernel.h"

enum { kLimit = 4 * 1024 * 1024, kRounds = 6 };

static u8 composite[kLimit + 1];

static u32 sieve(u32 limit) {
  for (u32 i = 0; i <= limit; ++i) composite[i] = 0;
  u32 count = 0;
  for (u32 i = 2; i <= limit; ++i) {
    if (composite[i]) continue;
    ++count;
    if ((u64)i * i > limit) continue;
    for (u32 j = i * i; j <= limit; j += i) composite[j] = 1;
  }
  return count;
}

int run(void) {
  u32 sum = 0;
  for (int round = 0; round < kRounds; ++round) {
    /* Vary the limit with the seed and round so rounds are not identical. */
    u32 limit = kLimit - (kernel_seed & 0xFFu) - (u32)round * 1000u;
    sum = mix(sum, sieve(limit));
  }
  return (int)sum;
}
