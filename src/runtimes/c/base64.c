/* base64 [-d] [-w COLS] [FILE]: encode (RFC 4648 section 4 alphabet, lines
 * wrapped at 76 columns, -w 0 for none) or decode (-d; whitespace is
 * ignored, anything else outside the alphabet is an error). */
#include <stdint.h>
#include <unistd.h>

#include "util.h"

static const char *kProg = "base64";
static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static long long column, wrap = 76;

static void put_encoded(char c) {
  if (wrap > 0 && column == wrap) {
    putchar('\n');
    column = 0;
  }
  putchar(c);
  ++column;
}

static void encode(const unsigned char *p, size_t n) {
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    put_encoded(kAlphabet[v >> 18]);
    put_encoded(kAlphabet[(v >> 12) & 63]);
    put_encoded(kAlphabet[(v >> 6) & 63]);
    put_encoded(kAlphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)p[i] << 16;
    put_encoded(kAlphabet[v >> 18]);
    put_encoded(kAlphabet[(v >> 12) & 63]);
    put_encoded('=');
    put_encoded('=');
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
    put_encoded(kAlphabet[v >> 18]);
    put_encoded(kAlphabet[(v >> 12) & 63]);
    put_encoded(kAlphabet[(v >> 6) & 63]);
    put_encoded('=');
  }
  if (column > 0) putchar('\n');
}

static int decode_value(unsigned char c) {
  const char *at = c ? strchr(kAlphabet, c) : NULL;
  return at ? (int)(at - kAlphabet) : -1;
}

/* Returns 0 on success, -1 on invalid input (output so far is written). */
static int decode(const unsigned char *p, size_t n) {
  uint32_t acc = 0;
  int have = 0, pad = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = p[i];
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = decode_value(c);
    if (v < 0 || pad > 0) return -1;
    acc = acc << 6 | (uint32_t)v;
    if (++have == 4) {
      putchar((int)(acc >> 16));
      putchar((int)((acc >> 8) & 255));
      putchar((int)(acc & 255));
      acc = 0;
      have = 0;
    }
  }
  if (have == 1 || pad > 2) return -1;
  if (have == 2) {
    if (pad != 0 && pad != 2) return -1;
    putchar((int)(acc >> 4));
  } else if (have == 3) {
    if (pad != 0 && pad != 1) return -1;
    putchar((int)((acc >> 10) & 255));
    putchar((int)((acc >> 2) & 255));
  } else if (pad != 0) {
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int decoding = 0, opt;
  while ((opt = getopt(argc, argv, "dw:")) != -1) {
    if (opt == 'd') {
      decoding = 1;
    } else if (opt == 'w') {
      if (wg_parse_count(optarg, &wrap) != 0) {
        wg_warn(kProg, "invalid wrap size: '%s'", optarg);
        return 1;
      }
    } else {
      return 1;
    }
  }
  if (argc - optind > 1) {
    wg_warn(kProg, "extra operand '%s'", argv[optind + 1]);
    return 1;
  }
  const char *name = optind < argc ? argv[optind] : "-";
  FILE *in = wg_open_input(kProg, name);
  if (in == NULL) return 1;
  size_t len = 0;
  char *data = wg_read_all(kProg, in, &len);
  wg_close_input(in);
  if (data == NULL) {
    wg_warn_errno(kProg, name);
    return 1;
  }
  int status = 0;
  if (decoding) {
    if (decode((const unsigned char *)data, len) != 0) {
      wg_warn(kProg, "invalid input");
      status = 1;
    }
  } else {
    encode((const unsigned char *)data, len);
  }
  free(data);
  return status;
}
