/* matmul: dense f64 matrix multiply C = A * B (i-k-j order), repeated with
 * the result fed back. Exercises f64 loads, multiply-add and loop nests;
 * native code is vectorised here, interpreters are not. */
#include "kernel.h"

enum { kN = 200, kRounds = 30 };

static double a[kN][kN];
static double b[kN][kN];
static double c[kN][kN];

static void multiply(void) {
  for (int i = 0; i < kN; ++i) {
    for (int j = 0; j < kN; ++j) c[i][j] = 0;
    for (int k = 0; k < kN; ++k) {
      double aik = a[i][k];
      for (int j = 0; j < kN; ++j) c[i][j] += aik * b[k][j];
    }
  }
}

int run(void) {
  u32 state = kernel_seed;
  for (int i = 0; i < kN; ++i)
    for (int j = 0; j < kN; ++j) {
      a[i][j] = (double)(rng_next(&state) & 0xFFFF) / 65536.0 - 0.5;
      b[i][j] = (double)(rng_next(&state) & 0xFFFF) / 65536.0 - 0.5;
    }
  for (int round = 0; round < kRounds; ++round) {
    multiply();
    /* Feed the scaled result back as the next left operand. */
    for (int i = 0; i < kN; ++i)
      for (int j = 0; j < kN; ++j) a[i][j] = c[i][j] * 0.125;
  }
  double trace = 0;
  for (int i = 0; i < kN; ++i) trace += c[i][i] + c[i][kN - 1 - i];
  u64 bits;
  __builtin_memcpy(&bits, &trace, sizeof bits);
  return (int)fold64(bits);
}
