#include "base/error.h"

namespace wg {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::Malformed: return "malformed";
    case ErrorCode::Invalid: return "invalid";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::LimitExceeded: return "limit exceeded";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Io: return "i/o error";
    case ErrorCode::Denied: return "denied";
    case ErrorCode::Internal: return "internal error";
  }
  return "unknown error";
}

Error Error::with_context(std::string_view context) && {
  std::string message;
  message.reserve(context.size() + 2 + message_.size());
  message.append(context).append(": ").append(message_);
  return Error(code_, std::move(message));
}

std::string Error::to_string() const {
  std::string out(wg::to_string(code_));
  out.append(": ").append(message_);
  return out;
}

}  // namespace wg
