#include "policy/decimal.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include <boost/json/value.hpp>

namespace wg::policy {
namespace {

constexpr __int128 kMax = std::numeric_limits<__int128>::max();
// The most negative value is excluded so that negation never overflows.
constexpr __int128 kMin = -kMax;
// Bounds the work done on hostile literals ("1e999999999", 10 MB of digits).
constexpr std::size_t kMaxLiteralLength = 512;
constexpr std::int64_t kMaxExponent = 100000;

constexpr __int128 pow10(int n) {
  __int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

constexpr __int128 kOne = pow10(Decimal::kFractionDigits);

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Decimal Decimal::from_int(std::int64_t value) { return Decimal(static_cast<__int128>(value) * kOne); }

Result<Decimal> Decimal::parse(std::string_view text) {
  auto malformed = [&] {
    return make_error(ErrorCode::Malformed, "not a decimal number: \"" + std::string(text.substr(0, 64)) + "\"");
  };
  if (text.empty() || text.size() > kMaxLiteralLength) return malformed();
  std::size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;  // every mantissa digit, integer part then fraction
  std::int64_t exponent = 0;
  std::size_t int_digits = 0;
  while (i < text.size() && is_digit(text[i])) {
    digits.push_back(text[i++]);
    ++int_digits;
  }
  std::size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) {
      digits.push_back(text[i++]);
      ++frac_digits;
    }
  }
  if (int_digits + frac_digits == 0) return malformed();
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return malformed();
    while (i < text.size() && is_digit(text[i])) {
      exponent = exponent * 10 + (text[i++] - '0');
      if (exponent > kMaxExponent) exponent = kMaxExponent;  // saturate; range check below
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return malformed();

  // value = digits * 10^(exponent - frac_digits); normalise the digit string.
  exponent -= static_cast<std::int64_t>(frac_digits);
  std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Decimal();
  digits.erase(0, first);
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  std::int64_t shift = exponent + kFractionDigits;  // power of ten applied to `digits` to get units
  if (shift < 0) {
    return make_error(ErrorCode::LimitExceeded,
                      "decimal \"" + std::string(text.substr(0, 64)) + "\" has more than 18 fractional digits");
  }
  auto out_of_range = [&] {
    return make_error(ErrorCode::LimitExceeded, "decimal \"" + std::string(text.substr(0, 64)) + "\" is out of range");
  };
  if (static_cast<std::int64_t>(digits.size()) + shift > 39) return out_of_range();
  __int128 units = 0;
  for (char c : digits) {
    if (__builtin_mul_overflow(units, 10, &units) || __builtin_add_overflow(units, c - '0', &units)) return out_of_range();
  }
  for (std::int64_t s = 0; s < shift; ++s) {
    if (__builtin_mul_overflow(units, 10, &units)) return out_of_range();
  }
  return Decimal(negative ? -units : units);
}

Result<Decimal> Decimal::from_json(const boost::json::value& value) {
  if (const auto* i = value.if_int64()) return from_int(*i);
  if (const auto* u = value.if_uint64()) return Decimal(static_cast<__int128>(*u) * kOne);
  if (const auto* d = value.if_double()) {
    if (!std::isfinite(*d)) return make_error(ErrorCode::Invalid, "number is not finite");
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    if (ec != std::errc()) return make_error(ErrorCode::Internal, "cannot format number");
    return parse(std::string_view(buf, end));
  }
  return make_error(ErrorCode::Invalid, "not a number");
}

Result<Decimal> Decimal::checked_add(Decimal other) const {
  __int128 r;
  if (__builtin_add_overflow(units_, other.units_, &r) || r < kMin) {
    return make_error(ErrorCode::LimitExceeded, "decimal overflow in " + to_string() + " + " + other.to_string());
  }
  return Decimal(r);
}

Result<Decimal> Decimal::checked_sub(Decimal other) const {
  __int128 r;
  if (__builtin_sub_overflow(units_, other.units_, &r) || r < kMin) {
    return make_error(ErrorCode::LimitExceeded, "decimal overflow in " + to_string() + " - " + other.to_string());
  }
  return Decimal(r);
}

bool Decimal::is_integer() const { return units_ % kOne == 0; }

std::string Decimal::to_string() const {
  unsigned __int128 mag = units_ < 0 ? static_cast<unsigned __int128>(-units_) : static_cast<unsigned __int128>(units_);
  unsigned __int128 one = static_cast<unsigned __int128>(kOne);
  unsigned __int128 whole = mag / one;
  unsigned __int128 frac = mag % one;
  std::string int_part;
  do {
    int_part.insert(int_part.begin(), static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole != 0);
  std::string out = units_ < 0 ? "-" + int_part : int_part;
  if (frac != 0) {
    std::string f(kFractionDigits, '0');
    for (int k = kFractionDigits - 1; k >= 0; --k) {
      f[static_cast<std::size_t>(k)] = static_cast<char>('0' + static_cast<int>(frac % 10));
      frac /= 10;
    }
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

}  // namespace wg::policy
