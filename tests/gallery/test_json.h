// Test helper: JSON text -> value through the gallery's strict parser.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <string_view>

#include "gallery/json_util.h"

namespace wg::gallery::testing {

inline boost::json::value json_of(std::string_view text) {
  auto v = parse_json_text(text);
  EXPECT_TRUE(v.has_value()) << (v ? "" : v.error().to_string()) << " in " << text;
  return v ? *v : boost::json::value();
}

}  // namespace wg::gallery::testing
