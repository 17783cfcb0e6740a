/* The few libc symbols that clang may emit calls to when compiling the
 * kernels for freestanding wasm32 (loop idioms become memset/memcpy calls).
 * Built with -fno-builtin so these loops are not turned back into calls to
 * themselves. Not used natively, where libc provides them. */
typedef __SIZE_TYPE__ size_t;

void* memset(void* dst, int c, size_t n) {
  unsigned char* d = (unsigned char*)dst;
  unsigned char b = (unsigned char)c;
  while (n != 0 && ((size_t)d & 7u) != 0) { *d++ = b; --n; }
  unsigned long long w = 0x0101010101010101ull * b;
  for (; n >= 8; n -= 8, d += 8) *(unsigned long long*)d = w;
  while (n != 0) { *d++ = b; --n; }
  return dst;
}

void* memcpy(void* restrict dst, const void* restrict src, size_t n) {
  unsigned char* d = (unsigned char*)dst;
  const unsigned char* s = (const unsigned char*)src;
  if ((((size_t)d | (size_t)s) & 7u) == 0) {
    for (; n >= 8; n -= 8, d += 8, s += 8)
      *(unsigned long long*)d = *(const unsigned long long*)s;
  }
  while (n != 0) { *d++ = *s++; --n; }
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  unsigned char* d = (unsigned char*)dst;
  const unsigned char* s = (const unsigned char*)src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  while (n != 0) { --n; d[n] = s[n]; }
  return dst;
}
