// Decimal: an exact, signed fixed-point number for counters and spend.
//
// Contract: a Decimal holds value = units / 10^18 where `units` is a signed
// 128-bit integer, so every number with at most 18 fractional digits and an
// absolute value below about 1.7e20 is represented exactly. There is no
// floating point anywhere: parsing never rounds or truncates (a literal that
// needs more than 18 fractional digits, or is out of range, is an Error),
// and arithmetic is checked (overflow is an Error, never a wrap).
// Thread-safety: a value type; distinct objects are independent.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "base/error.h"

namespace wg::policy {

class Decimal {
 public:
  static constexpr int kFractionDigits = 18;

  constexpr Decimal() = default;

  static Decimal from_int(std::int64_t value);

  // Parses a decimal literal: optional sign, digits with an optional
  // fraction, optional exponent ("12", "-0.5", "1.25e3", ".5"). Rejects
  // anything else (spaces, hex, "inf", "nan") with ErrorCode::Malformed, and
  // a value that cannot be held exactly with ErrorCode::LimitExceeded.
  static Result<Decimal> parse(std::string_view text);

  // A JSON number as Decimal. int64/uint64 are exact. A double is taken as
  // its shortest round-trip decimal form (what the sender wrote, for any
  // literal of at most 15 significant digits), then parsed exactly. A
  // non-number is ErrorCode::Invalid.
  static Result<Decimal> from_json(const boost::json::value& value);

  Result<Decimal> checked_add(Decimal other) const;
  Result<Decimal> checked_sub(Decimal other) const;

  bool is_negative() const { return units_ < 0; }
  bool is_zero() const { return units_ == 0; }
  bool is_integer() const;

  // Shortest exact form: "0", "-12", "0.3", "1000000.000000000000000001".
  std::string to_string() const;

  friend constexpr std::strong_ordering operator<=>(Decimal a, Decimal b) {
    return a.units_ <=> b.units_;
  }
  friend constexpr bool operator==(Decimal a, Decimal b) { return a.units_ == b.units_; }

 private:
  constexpr explicit Decimal(__int128 units) : units_(units) {}
  __int128 units_ = 0;
};

}  // namespace wg::policy
