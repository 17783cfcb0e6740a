/* Shared definitions for the benchmark kernels.
 *
 * Every kernel is one freestanding C file: no libc, no heap, static buffers
 * only. It defines `int run(void)`, which does a fixed amount of work and
 * returns a 32-bit checksum of the result. The same source is compiled to
 * wasm32 (exported as "run") and natively (called by support/native_main.c),
 * so every engine must return the same checksum.
 *
 * Inputs are generated from `kernel_seed`, which is volatile so that the
 * compiler cannot precompute a kernel at build time.
 */
#ifndef WG_BENCH_KERNEL_H
#define WG_BENCH_KERNEL_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;

static volatile u32 kernel_seed = 0x2545F491u;

/* The one exported entry point of every kernel. */
int run(void);

/* xorshift32: a small deterministic generator for input data. */
static inline u32 rng_next(u32* state) {
  u32 x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

/* Folds a 64-bit value into the 32-bit checksum. */
static inline u32 fold64(u64 v) { return (u32)v ^ (u32)(v >> 32); }

/* Mixes one more value into a running checksum (FNV-1a style on words). */
static inline u32 mix(u32 h, u32 v) { return (h ^ v) * 16777619u; }

#endif
