// Error values for failed operations, and the Result<T> that carries them.
//
// Contract: project code reports a failed operation by returning
// Result<T> (std::expected<T, Error>). The Error's code is one of a small,
// closed set; its message names where the failure happened (section, offset,
// function, path, rule). Bugs are not Errors: they abort through WG_CHECK.
// Thread-safety: Error is a value type; distinct objects are independent.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace wg {

enum class ErrorCode : std::uint8_t {
  Malformed,      // input bytes/text do not parse
  Invalid,        // input parses but breaks a rule (validation, schema)
  NotFound,       // a named thing does not exist
  LimitExceeded,  // a configured limit would be crossed
  Unsupported,    // a feature we recognise but do not implement
  Io,             // the operating system or a peer failed us
  Denied,         // policy or permission refused the operation
  Internal,       // an invariant of ours broke in a recoverable way
};

// Lower-case stable name of a code, e.g. "limit exceeded".
std::string_view to_string(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with "context: ", keeping the code. Used while an
  // error travels outwards so that it names every enclosing place.
  Error with_context(std::string_view context) &&;

  // "<code>: <message>", for logs and command-line output.
  std::string to_string() const;

 private:
  ErrorCode code_;
  std::string message_;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = Result<void>;

inline std::unexpected<Error> make_error(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}

inline Status ok() { return {}; }

}  // namespace wg

// Evaluates `expr` (a Result<T>); on failure returns its Error from the
// enclosing function, otherwise yields the contained value (void for Status).
// Uses a GNU statement expression, which g++ and clang both accept.
#define WG_TRY(expr)                                                   \
  ({                                                                   \
    auto wg_try_result_ = (expr);                                      \
    if (!wg_try_result_.has_value()) [[unlikely]]                      \
      return std::unexpected<::wg::Error>(std::move(wg_try_result_).error()); \
    *std::move(wg_try_result_);                                         \
  })

// Like WG_TRY, but prefixes the error with a context string on failure.
#define WG_TRY_CTX(expr, context)                                      \
  ({                                                                   \
    auto wg_try_result_ = (expr);                                      \
    if (!wg_try_result_.has_value()) [[unlikely]]                      \
      return std::unexpected<::wg::Error>(                             \
          std::move(wg_try_result_).error().with_context(context));    \
    *std::move(wg_try_result_);                                         \
  })
