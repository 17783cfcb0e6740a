// The audit log: JSON Lines, one record per decided call, hash-chained so
// that modifying, deleting, reordering or inserting a record is detectable.
//
// Line format (each line is canonical JSON, policy/canonical_json.h, then
// "\n"): the caller's record fields plus
//   "seq":  1, 2, 3, ... (the line number)
//   "prev": the "hash" of the previous line; 64 zeros on the first line
//   "hash": lower-case hex SHA-256 of the canonical JSON of the record
//           without its "hash" member (so it covers seq and prev)
// Verification (verify_audit_text) checks, line by line: valid JSON object,
// canonical form (byte-exact, so no edit hides in whitespace, key order or
// duplicate keys), seq, prev, hash, and a final newline. It reports the
// first broken line. A cut at the very end leaves a valid shorter chain:
// compare the reported head hash and count with a copy kept elsewhere.
//
// AuditLog appends; on open it continues the chain from the file's last
// line and refuses a file whose last line is not a sound record (run
// `wasmgate audit verify`). Thread-safety: append() may be called from any
// thread (mutex_ guards the file and the chain head).
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/error.h"

namespace wg::policy {

inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

enum class AuditDurability : std::uint8_t {
  Flush,  // write(2) per line: survives a process crash
  Sync,   // fdatasync per line as well: survives a power cut
};

class AuditLog {
 public:
  static Result<std::unique_ptr<AuditLog>> open(const std::string& path,
                                                AuditDurability durability = AuditDurability::Flush);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends `record` (must not contain "seq", "prev" or "hash": Invalid).
  // Returns the new line's hash.
  Result<std::string> append(boost::json::object record);

  std::uint64_t size() const;     // records in the chain
  std::string head_hash() const;  // hash of the last record (genesis when empty)

 private:
  AuditLog(int fd, std::string path, AuditDurability durability)
      : fd_(fd), path_(std::move(path)), durability_(durability) {}
  int fd_;
  const std::string path_;
  const AuditDurability durability_;
  mutable std::mutex mutex_;  // guards fd_ writes, seq_ and head_
  std::uint64_t seq_ = 0;
  std::string head_{kAuditGenesisHash};
};

struct AuditVerifyReport {
  bool ok = true;
  std::uint64_t records = 0;                 // sound records before the first broken line
  std::uint64_t bad_line = 0;                // 1-based, when !ok
  std::string problem;                       // what is wrong with bad_line
  std::string head_hash{kAuditGenesisHash};  // hash of the last sound record
};

// Hash of a record line without its "hash" member (exposed for tests).
Result<std::string> audit_record_hash(const boost::json::object& record_without_hash);

AuditVerifyReport verify_audit_text(std::string_view text);
Result<AuditVerifyReport> verify_audit_file(const std::string& path);

}  // namespace wg::policy
