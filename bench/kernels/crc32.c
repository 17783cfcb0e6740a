/* crc32: table-driven CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320)
 * over a generated 1 MiB buffer, several rounds. Exercises byte loads, table
 * lookups and shifts. */
#include "kernel.h"

enum { kBufferSize = 1024 * 1024, kRounds = 40 };

static u8 buffer[kBufferSize];
static u32 table[256];

static void make_table(void) {
  for (u32 i = 0; i < 256; ++i) {
    u32 c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static u32 crc32(u32 crc, const u8* p, u32 len) {
  crc = ~crc;
  for (u32 i = 0; i < len; ++i) crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

int run(void) {
  make_table();
  u32 state = kernel_seed;
  for (u32 i = 0; i < kBufferSize; ++i) buffer[i] = (u8)rng_next(&state);
  u32 crc = 0;
  for (int round = 0; round < kRounds; ++round) {
    crc = crc32(crc, buffer, kBufferSize);
    buffer[round] ^= (u8)crc; /* make each round depend on the last */
  }
  return (int)crc;
}
