// PolicyHolder: the current policy of a running gate, with hot reload.
//
// The holder reads one policy file. reload_if_changed() polls it: when the
// file's (inode, size, mtime) stamp differs from the last one seen, it reads
// the text and compares its SHA-256 with the current revision; only new
// content is loaded. A file that fails to read or load keeps the previous
// policy in force and is reported (ReloadReport::error, last_error()); the
// same bad content is not re-parsed until it changes again. reload() skips
// the stamp check (for edits within one mtime tick).
// This is runtime code at the edge of the pure core: it reads the file.
// Thread-safety: every method may be called from any thread. current() is a
// shared_ptr<const Policy> snapshot swapped under mutex_; a call decided
// with a snapshot keeps it alive even if a reload happens meanwhile.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/error.h"
#include "policy/loader.h"
#include "policy/policy.h"

namespace wg::policy {

enum class ReloadOutcome : std::uint8_t { Unchanged, Reloaded, Rejected };

struct ReloadReport {
  ReloadOutcome outcome = ReloadOutcome::Unchanged;
  std::optional<Error> error;  // Rejected: why the file was not taken
  std::string revision;        // the revision in force afterwards
};

class PolicyHolder {
 public:
  // Loads `path`; the first load must succeed (there is no old policy to keep).
  static Result<std::unique_ptr<PolicyHolder>> open(std::string path, LoaderLimits limits = {});
  // A holder of a fixed policy with no file (tests, `policy test`).
  static std::unique_ptr<PolicyHolder> fixed(Policy policy);

  std::shared_ptr<const Policy> current() const;
  ReloadReport reload_if_changed();
  ReloadReport reload();
  // The error of the last rejected reload, until a later reload succeeds or
  // the file returns to the content in force.
  std::optional<Error> last_error() const;
  const std::string& path() const { return path_; }

 private:
  struct Stamp {
    std::uint64_t inode = 0;
    std::int64_t size = -1;
    std::int64_t mtime_ns = 0;
    friend bool operator==(const Stamp&, const Stamp&) = default;
  };
  PolicyHolder(std::string path, LoaderLimits limits) : path_(std::move(path)), limits_(limits) {}
  ReloadReport check(bool force);

  const std::string path_;
  const LoaderLimits limits_;
  std::mutex reload_mutex_;  // serialises reloads; guards stamp_ and rejected_revision_
  Stamp stamp_;
  std::string rejected_revision_;
  mutable std::mutex mutex_;  // guards current_ and last_error_
  std::shared_ptr<const Policy> current_;
  std::optional<Error> last_error_;
};

}  // namespace wg::policy
