#include "policy/policy_holder.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "base/sha256.h"

namespace wg::policy {
namespace {

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, path + ": cannot open policy file");
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return make_error(ErrorCode::LimitExceeded,
                        path + ": policy file larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) return make_error(ErrorCode::Io, path + ": cannot read policy file");
  return text;
}

}  // namespace

Result<std::unique_ptr<PolicyHolder>> PolicyHolder::open(std::string path, LoaderLimits limits) {
  std::unique_ptr<PolicyHolder> h(new PolicyHolder(std::move(path), limits));
  auto report = h->reload();
  if (report.outcome == ReloadOutcome::Rejected) return std::unexpected(std::move(*report.error));
  return h;
}

std::unique_ptr<PolicyHolder> PolicyHolder::fixed(Policy policy) {
  std::unique_ptr<PolicyHolder> h(new PolicyHolder(std::string(), LoaderLimits{}));
  h->current_ = std::make_shared<const Policy>(std::move(policy));
  return h;
}

std::shared_ptr<const Policy> PolicyHolder::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::optional<Error> PolicyHolder::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

ReloadReport PolicyHolder::reload_if_changed() { return check(false); }
ReloadReport PolicyHolder::reload() { return check(true); }

ReloadReport PolicyHolder::check(bool force) {
  std::lock_guard reload_lock(reload_mutex_);
  ReloadReport report;
  auto in_force = current();
  if (in_force) report.revision = in_force->revision;
  if (path_.empty()) return report;  // fixed()

  auto reject = [&](Error e) {
    std::lock_guard lock(mutex_);
    last_error_ = e;
    report.outcome = ReloadOutcome::Rejected;
    report.error = std::move(e);
    return report;
  };

  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    stamp_ = Stamp{};
    return reject(Error(ErrorCode::Io, path_ + ": cannot stat policy file; keeping the policy in force"));
  }
  Stamp stamp{static_cast<std::uint64_t>(st.st_ino), static_cast<std::int64_t>(st.st_size),
              static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  if (!force && stamp == stamp_) {
    if (!rejected_revision_.empty()) {
      report.outcome = ReloadOutcome::Rejected;
      report.error = last_error();
    }
    return report;
  }
  auto text = read_file(path_, limits_.max_text_bytes);
  if (!text) return reject(std::move(text).error());
  stamp_ = stamp;
  const std::string revision = to_hex(Sha256::digest(*text));
  if (in_force && revision == in_force->revision) {
    rejected_revision_.clear();
    std::lock_guard lock(mutex_);
    last_error_.reset();
    return report;
  }
  if (revision == rejected_revision_) {
    report.outcome = ReloadOutcome::Rejected;
    report.error = last_error();
    return report;
  }
  auto loaded = load_policy(*text, path_, limits_);
  if (!loaded) {
    rejected_revision_ = revision;
    return reject(std::move(loaded).error());
  }
  rejected_revision_.clear();
  auto next = std::make_shared<const Policy>(std::move(*loaded));
  {
    std::lock_guard lock(mutex_);
    current_ = next;
    last_error_.reset();
  }
  report.outcome = ReloadOutcome::Reloaded;
  report.revision = next->revision;
  return report;
}

}  // namespace wg::policy
