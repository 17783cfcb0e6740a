#include "policy/regex.h"

#include <re2/re2.h>

namespace wg::policy {

Result<Regex> Regex::compile(std::string_view pattern, std::size_t max_program_bytes) {
  RE2::Options options;
  options.set_log_errors(false);  // errors are returned, not printed
  options.set_max_mem(static_cast<std::int64_t>(max_program_bytes));
  auto re = std::make_shared<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    ErrorCode code = re->error_code() == RE2::ErrorPatternTooLarge ? ErrorCode::LimitExceeded : ErrorCode::Invalid;
    return make_error(code, "invalid regex \"" + std::string(pattern) + "\": " + re->error());
  }
  return Regex(std::string(pattern), std::move(re));
}

bool Regex::search(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace wg::policy
