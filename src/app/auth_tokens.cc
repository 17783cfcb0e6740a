#include "app/auth_tokens.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <vector>

namespace wg::app {
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr std::size_t kMaxIdentityLength = 64;
constexpr std::size_t kMaxTokenLength = 4096;
constexpr std::size_t kMaxErrors = 50;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool identity_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '@' || c == '-';
}

// Fields of a line separated by runs of spaces/tabs.
std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_token_text(std::string_view text, std::string_view source) {
  std::map<std::string, std::string> tokens;         // token -> identity
  std::map<std::string, std::size_t> identity_line;  // identity -> line that named it
  std::map<std::string, std::size_t> token_line;     // token -> line that gave it
  std::vector<std::string> errors;
  auto problem = [&](std::size_t line, const std::string& message) {
    if (errors.size() < kMaxErrors) errors.push_back(std::string(source) + ":" + std::to_string(line) + ": " + message);
  };
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    const auto f = fields(line);
    if (f.empty() || f[0].starts_with("#")) continue;
    if (f.size() != 2) {
      problem(line_no,
              "expected \"IDENTITY TOKEN\", found " + std::to_string(f.size()) + " field" + (f.size() == 1 ? "" : "s"));
      continue;
    }
    const std::string identity(f[0]);
    const std::string token(f[1]);
    bool good = true;
    if (identity.size() > kMaxIdentityLength) {
      problem(line_no, "identity is longer than " + std::to_string(kMaxIdentityLength) + " characters");
      good = false;
    }
    for (char c : identity) {
      if (!identity_char(c)) {
        problem(line_no, "identity \"" + identity + "\" may use only letters, digits and _ . @ -");
        good = false;
        break;
      }
    }
    // The token itself is never echoed: messages name it by its line.
    if (token.size() < kMinTokenLength) {
      problem(line_no, "token for \"" + identity + "\" is " + std::to_string(token.size()) + " characters; at least " +
                           std::to_string(kMinTokenLength) + " are required");
      good = false;
    } else if (token.size() > kMaxTokenLength) {
      problem(line_no,
              "token for \"" + identity + "\" is longer than " + std::to_string(kMaxTokenLength) + " characters");
      good = false;
    }
    for (char c : token) {
      if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
        problem(line_no, "token for \"" + identity + "\" must be printable ASCII without spaces");
        good = false;
        break;
      }
    }
    if (auto it = identity_line.find(identity); it != identity_line.end()) {
      problem(line_no, "identity \"" + identity + "\" is already defined on line " + std::to_string(it->second));
      good = false;
    }
    if (auto it = token_line.find(token); it != token_line.end()) {
      problem(line_no, "duplicate token: the same token is given on line " + std::to_string(it->second));
      good = false;
    }
    identity_line.emplace(identity, line_no);
    token_line.emplace(token, line_no);
    if (good) tokens.emplace(token, identity);
  }
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
    return make_error(ErrorCode::Invalid, std::move(message));
  }
  if (tokens.empty()) {
    return make_error(ErrorCode::Invalid, std::string(source) + ": no tokens (expected lines of \"IDENTITY TOKEN\")");
  }
  return tokens;
}

Result<std::map<std::string, std::string>> load_token_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::Io, path + ": cannot open token file: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    return make_error(ErrorCode::Io, path + ": cannot stat token file: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::Invalid, path + ": token file is not a regular file");
  // Like ssh with private keys: secrets others can read are not secrets.
  if ((st.st_mode & 077) != 0) {
    return make_error(ErrorCode::Denied, path + ": token file permissions " + mode_text(st.st_mode) +
                                             " are too open (group or others may access it); run: chmod 600 " + path);
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxFileBytes) {
    return make_error(ErrorCode::LimitExceeded,
                      path + ": token file larger than " + std::to_string(kMaxFileBytes) + " bytes");
  }
  std::string text;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorCode::Io, path + ": cannot read token file: " + std::strerror(errno));
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      return make_error(ErrorCode::LimitExceeded,
                        path + ": token file larger than " + std::to_string(kMaxFileBytes) + " bytes");
    }
  }
  return parse_token_text(text, path);
}

}  // namespace wg::app
