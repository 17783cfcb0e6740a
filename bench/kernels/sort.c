/* sort: quicksort (median of three, insertion sort below 16 elements) and
 * a bottom-up mergesort of generated 32-bit integers, several rounds.
 * Exercises data-dependent branches and memory traffic. */
#include "kernel.h"

enum { kCount = 200000, kRounds = 4 };

static i32 data[kCount];
static i32 copy[kCount];
static i32 scratch[kCount];

static void insertion_sort(i32* a, int lo, int hi) {
  for (int i = lo + 1; i <= hi; ++i) {
    i32 v = a[i];
    int j = i - 1;
    while (j >= lo && a[j] > v) { a[j + 1] = a[j]; --j; }
    a[j + 1] = v;
  }
}

static void quicksort(i32* a, int lo, int hi) {
  while (hi - lo >= 16) {
    int mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) { i32 t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { i32 t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { i32 t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    i32 pivot = a[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) ++i;
      while (a[j] > pivot) --j;
      if (i <= j) { i32 t = a[i]; a[i] = a[j]; a[j] = t; ++i; --j; }
    }
    /* Recurse into the smaller half, loop on the larger: O(log n) depth. */
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
    else { quicksort(a, i, hi); hi = j; }
  }
  insertion_sort(a, lo, hi);
}

static void mergesort(i32* a, i32* tmp, int n) {
  i32* src = a;
  i32* dst = tmp;
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n;
      int hi = lo + 2 * width < n ? lo + 2 * width : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = src[i] <= src[j] ? src[i++] : src[j++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    i32* t = src; src = dst; dst = t;
  }
  if (src != a)
    for (int i = 0; i < n; ++i) a[i] = src[i];
}

static u32 digest(const i32* a, int n) {
  u32 h = 2166136261u;
  for (int i = 0; i < n; ++i) {
    if (i > 0 && a[i - 1] > a[i]) return 0; /* not sorted: wrong checksum */
    if ((i & 255) == 0) h = mix(h, (u32)a[i]);
  }
  return h;
}

int run(void) {
  u32 state = kernel_seed;
  u32 sum = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kCount; ++i) {
      i32 v = (i32)rng_next(&state);
      data[i] = v;
      copy[i] = v;
    }
    quicksort(data, 0, kCount - 1);
    mergesort(copy, scratch, kCount);
    sum = mix(sum, digest(data, kCount));
    sum = mix(sum, digest(copy, kCount));
  }
  return (int)sum;
}
