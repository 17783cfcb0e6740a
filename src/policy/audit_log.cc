#include "policy/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/sha256.h"
#include "policy/canonical_json.h"

namespace wg::policy {
namespace {

constexpr std::size_t kMaxLineBytes = 1 << 20;

Error io_error(const std::string& path, std::string_view what) {
  return Error(ErrorCode::Io, path + ": " + std::string(what) + ": " + std::strerror(errno));
}

// Checks one line against the chain position; returns the line's hash.
Result<std::string> check_line(std::string_view line, std::uint64_t seq, std::string_view prev) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  if (ec) return make_error(ErrorCode::Malformed, "not JSON: " + ec.message());
  if (!v.is_object()) return make_error(ErrorCode::Malformed, "not a JSON object");
  auto canonical = WG_TRY(canonical_json(v));
  if (canonical != line) return make_error(ErrorCode::Invalid, "line is not in canonical form (edited)");
  auto& obj = v.as_object();
  const auto* s = obj.if_contains("seq");
  if (!s || !s->is_int64() || s->as_int64() != static_cast<std::int64_t>(seq)) {
    return make_error(ErrorCode::Invalid, "seq is not " + std::to_string(seq) + " (line deleted, inserted or moved)");
  }
  const auto* p = obj.if_contains("prev");
  if (!p || !p->is_string() || p->as_string() != prev) {
    return make_error(ErrorCode::Invalid, "prev does not match the previous line's hash (chain broken)");
  }
  const auto* h = obj.if_contains("hash");
  if (!h || !h->is_string()) return make_error(ErrorCode::Invalid, "no hash");
  std::string stated(h->as_string());
  obj.erase("hash");
  auto actual = WG_TRY(audit_record_hash(obj));
  if (actual != stated) return make_error(ErrorCode::Invalid, "hash does not match the record (record modified)");
  return actual;
}

}  // namespace

Result<std::string> audit_record_hash(const boost::json::object& record_without_hash) {
  auto text = WG_TRY(canonical_json(boost::json::value(record_without_hash)));
  return to_hex(Sha256::digest(text));
}

AuditVerifyReport verify_audit_text(std::string_view text) {
  AuditVerifyReport r;
  std::size_t pos = 0;
  std::uint64_t line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    std::size_t nl = text.find('\n', pos);
    auto fail = [&](std::string problem) {
      r.ok = false;
      r.bad_line = line_no;
      r.problem = std::move(problem);
      return r;
    };
    if (nl == std::string_view::npos) return fail("last line has no newline (truncated write)");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.size() > kMaxLineBytes) return fail("line longer than 1 MiB");
    auto hash = check_line(line, line_no, r.head_hash);
    if (!hash) return fail(hash.error().message());
    r.head_hash = *hash;
    r.records = line_no;
  }
  return r;
}

Result<AuditVerifyReport> verify_audit_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, path + ": cannot open audit log");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::Io, path + ": cannot read audit log");
  return verify_audit_text(text);
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path, AuditDurability durability) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(io_error(path, "cannot open audit log"));
  std::unique_ptr<AuditLog> log(new AuditLog(fd, path, durability));
  // Continue the chain from the last line: read backwards until the newline
  // that precedes it.
  struct stat st {};
  if (::fstat(fd, &st) != 0) return std::unexpected(io_error(path, "cannot stat audit log"));
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) return log;
  const std::size_t want = std::min(size, kMaxLineBytes + 1);
  std::string tail(want, '\0');
  if (::pread(fd, tail.data(), want, static_cast<off_t>(size - want)) != static_cast<ssize_t>(want)) {
    return std::unexpected(io_error(path, "cannot read audit log"));
  }
  if (tail.back() != '\n') {
    return make_error(ErrorCode::Invalid, path + ": last line is incomplete; run `wasmgate audit verify` and repair");
  }
  std::string_view body(tail.data(), tail.size() - 1);
  const std::size_t nl = body.rfind('\n');
  if (nl == std::string_view::npos && want < size) {
    return make_error(ErrorCode::Invalid, path + ": last line longer than 1 MiB");
  }
  std::string_view last = nl == std::string_view::npos ? body : body.substr(nl + 1);
  boost::system::error_code ec;
  auto v = boost::json::parse(last, ec);
  const boost::json::object* obj = ec ? nullptr : v.if_object();
  const boost::json::value* seq = obj ? obj->if_contains("seq") : nullptr;
  const boost::json::value* prev = obj ? obj->if_contains("prev") : nullptr;
  if (!seq || !seq->is_int64() || seq->as_int64() < 1 || !prev || !prev->is_string()) {
    return make_error(ErrorCode::Invalid, path + ": last line is not an audit record; run `wasmgate audit verify`");
  }
  auto hash = check_line(last, static_cast<std::uint64_t>(seq->as_int64()), prev->as_string());
  if (!hash) {
    return make_error(ErrorCode::Invalid,
                      path + ": last line is not sound (" + hash.error().message() + "); run `wasmgate audit verify`");
  }
  log->seq_ = static_cast<std::uint64_t>(seq->as_int64());
  log->head_ = *hash;
  return log;
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint64_t AuditLog::size() const {
  std::lock_guard lock(mutex_);
  return seq_;
}

std::string AuditLog::head_hash() const {
  std::lock_guard lock(mutex_);
  return head_;
}

Result<std::string> AuditLog::append(boost::json::object record) {
  for (const char* reserved : {"seq", "prev", "hash"}) {
    if (record.contains(reserved)) {
      return make_error(ErrorCode::Invalid, std::string("audit record may not set \"") + reserved + "\"");
    }
  }
  std::lock_guard lock(mutex_);
  record["seq"] = static_cast<std::int64_t>(seq_ + 1);
  record["prev"] = head_;
  auto hash = WG_TRY(audit_record_hash(record));
  record["hash"] = hash;
  std::string line = WG_TRY(canonical_json(boost::json::value(std::move(record))));
  if (line.size() > kMaxLineBytes) return make_error(ErrorCode::LimitExceeded, "audit record longer than 1 MiB");
  line += '\n';
  // One write(2) per line with O_APPEND: concurrent writers in other
  // processes cannot interleave inside a line on a local file system.
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error(path_, "cannot append to audit log"));
    }
    done += static_cast<std::size_t>(n);
  }
  if (durability_ == AuditDurability::Sync && ::fdatasync(fd_) != 0) {
    return std::unexpected(io_error(path_, "cannot sync audit log"));
  }
  ++seq_;
  head_ = hash;
  return hash;
}

}  // namespace wg::policy
