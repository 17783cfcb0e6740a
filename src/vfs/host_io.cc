#include "vfs/host_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "vfs/path.h"
#include "vfs/tree_ops.h"

namespace wg::vfs {

namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

std::unexpected<Error> host_error(const std::string& what, const std::string& path, int err) {
  return make_error(ErrorCode::Io, what + " " + path + ": " + std::strerror(err));
}

std::string join(const std::string& dir, std::string_view name) {
  std::string out = (dir.empty() || dir.back() == '/') ? dir : dir + "/";
  out.append(name);
  return out;
}

// Sorted entry names of an open host directory (excluding "." and "..").
Result<std::vector<std::string>> list_host_dir(int dir_fd, const std::string& host_path) {
  int dup_fd = ::dup(dir_fd);
  if (dup_fd < 0) return host_error("dup", host_path, errno);
  DIR* d = ::fdopendir(dup_fd);
  if (d == nullptr) {
    int err = errno;
    ::close(dup_fd);
    return host_error("opendir", host_path, err);
  }
  ::rewinddir(d);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return host_error("readdir", host_path, err);
  std::sort(names.begin(), names.end());
  return names;
}

struct CopyIn {
  Vfs& vfs;
  const CopyInOptions& options;
  CopyReport report;
  std::uint64_t entries = 0;

  Status count_entry(const std::string& host_path) {
    if (++entries > options.max_entries)
      return make_error(ErrorCode::LimitExceeded,
                        "copy-in: more than " + std::to_string(options.max_entries) + " entries at " + host_path);
    return ok();
  }

  Result<std::string> read_host_file(int dir_fd, const std::string& name, const std::string& host_path) {
    UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) return host_error("open", host_path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return host_error("stat", host_path, errno);
    if (!S_ISREG(st.st_mode)) return make_error(ErrorCode::Io, "copy-in: " + host_path + " changed type");
    const std::uint64_t budget = std::min<std::uint64_t>(options.max_bytes - report.bytes, vfs.limits().max_file_size);
    std::string data;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return host_error("read", host_path, errno);
      }
      if (n == 0) break;
      if (data.size() + static_cast<std::uint64_t>(n) > budget)
        return make_error(ErrorCode::LimitExceeded, "copy-in: byte limit reached at " + host_path);
      data.append(buf, static_cast<std::size_t>(n));
    }
    return data;
  }

  Status dir(int dir_fd, const std::string& host_path, Ino dest, const std::string& vfs_path) {
    auto names = WG_TRY(list_host_dir(dir_fd, host_path));
    for (const std::string& name : names) {
      const std::string child_host = join(host_path, name);
      const std::string child_vfs = join(vfs_path, name);
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return host_error("lstat", child_host, errno);
      if (S_ISDIR(st.st_mode)) {
        WG_TRY(count_entry(child_host));
        Ino sub;
        auto existing = vfs.lookup(dest, name, Follow::No);
        if (existing && vfs.stat(*existing)->type == FileType::Directory) {
          sub = *existing;
        } else {
          if (existing) {
            if (auto r = vfs.unlink(dest, name); !r) return std::unexpected(to_error(r.error(), child_vfs));
          }
          auto made = vfs.mkdir(dest, name);
          if (!made) return std::unexpected(to_error(made.error(), child_vfs));
          sub = *made;
        }
        UniqueFd sub_fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub_fd.valid()) return host_error("open", child_host, errno);
        report.directories += 1;
        WG_TRY(dir(sub_fd.get(), child_host, sub, child_vfs));
      } else if (S_ISREG(st.st_mode)) {
        WG_TRY(count_entry(child_host));
        std::string data = WG_TRY(read_host_file(dir_fd, name, child_host));
        auto existing = vfs.lookup(dest, name, Follow::No);
        if (existing && vfs.stat(*existing)->type != FileType::Regular) {
          return make_error(ErrorCode::Invalid, "copy-in: " + child_vfs + " exists and is not a regular file");
        }
        auto ino = vfs.open(dest, name, OpenFlags::Create | OpenFlags::NoFollow);
        if (!ino) return std::unexpected(to_error(ino.error(), child_vfs));
        auto w = vfs.replace_contents(*ino, data);
        (void)vfs.close(*ino);
        if (!w) return std::unexpected(to_error(w.error(), child_vfs));
        report.files += 1;
        report.bytes += data.size();
      } else if (S_ISLNK(st.st_mode) && options.symlinks == HostSymlinks::Preserve) {
        WG_TRY(count_entry(child_host));
        std::string target(static_cast<std::size_t>(vfs.limits().max_path_length) + 1, '\0');
        ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
        if (n < 0) return host_error("readlink", child_host, errno);
        target.resize(static_cast<std::size_t>(n));
        if (vfs.lookup(dest, name, Follow::No)) {
          return make_error(ErrorCode::Invalid, "copy-in: " + child_vfs + " already exists");
        }
        auto made = vfs.symlink(target, dest, name);
        if (!made) return std::unexpected(to_error(made.error(), child_vfs));
        report.symlinks += 1;
      } else {
        report.skipped.push_back(child_host);
      }
    }
    return ok();
  }
};

struct CopyOut {
  const Snapshot& snapshot;
  const CopyOutOptions& options;
  CopyReport report;

  Status write_all(int fd, std::string_view data, const std::string& host_path) {
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return host_error("write", host_path, errno);
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok();
  }

  Status dir(int dir_fd, const std::string& host_path, Ino src, const std::string& vfs_path) {
    auto children = snapshot.children(src);
    if (!children) return std::unexpected(to_error(children.error(), vfs_path));
    for (const auto& [name, ino] : *children) {
      const std::string child_host = join(host_path, name);
      const std::string child_vfs = join(vfs_path, name);
      const Stat st = *snapshot.stat(ino);
      if (st.type == FileType::Directory) {
        if (::mkdirat(dir_fd, name.c_str(), 0755) != 0 && errno != EEXIST)
          return host_error("mkdir", child_host, errno);
        // O_NOFOLLOW: an existing host symlink in the way is an error, not a path out.
        UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.valid()) return host_error("open", child_host, errno);
        report.directories += 1;
        WG_TRY(dir(sub.get(), child_host, ino, child_vfs));
      } else if (st.type == FileType::Regular) {
        int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
        flags |= options.overwrite == HostOverwrite::Yes ? O_TRUNC : O_EXCL;
        UniqueFd fd(::openat(dir_fd, name.c_str(), flags, 0644));
        if (!fd.valid()) return host_error("create", child_host, errno);
        std::string_view data = *snapshot.contents(ino);
        WG_TRY(write_all(fd.get(), data, child_host));
        report.files += 1;
        report.bytes += data.size();
      } else if (options.symlinks == HostSymlinks::Preserve) {
        std::string target(*snapshot.contents(ino));
        if (options.overwrite == HostOverwrite::Yes) {
          struct stat existing {};
          if (::fstatat(dir_fd, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(existing.st_mode))
            ::unlinkat(dir_fd, name.c_str(), 0);
        }
        if (::symlinkat(target.c_str(), dir_fd, name.c_str()) != 0) return host_error("symlink", child_host, errno);
        report.symlinks += 1;
      } else {
        report.skipped.push_back(child_vfs);
      }
    }
    return ok();
  }
};

}  // namespace

Result<CopyReport> copy_in(Vfs& vfs, const std::filesystem::path& host_dir, std::string_view vfs_dir,
                           const CopyInOptions& options) {
  const std::string host = host_dir.string();
  UniqueFd top(::open(host.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!top.valid()) return host_error("open", host, errno);
  auto norm = normalize_path(vfs_dir, vfs.limits());
  if (!norm) return std::unexpected(to_error(norm.error(), std::string(vfs_dir)));
  if (auto r = make_dirs(vfs, *norm); !r) return std::unexpected(to_error(r.error(), *norm));
  auto dest = vfs.lookup(vfs.root(), *norm, Follow::Yes);
  if (!dest) return std::unexpected(to_error(dest.error(), *norm));
  CopyIn job{vfs, options, {}, 0};
  WG_TRY(job.dir(top.get(), host, *dest, *norm));
  return std::move(job.report);
}

Result<CopyReport> copy_out(const Snapshot& snapshot, std::string_view vfs_dir, const std::filesystem::path& host_dir,
                            const CopyOutOptions& options) {
  auto norm = normalize_path(vfs_dir, snapshot.limits());
  if (!norm) return std::unexpected(to_error(norm.error(), std::string(vfs_dir)));
  auto src = snapshot.lookup(*norm, Follow::Yes);
  if (!src) return std::unexpected(to_error(src.error(), *norm));
  if (snapshot.stat(*src)->type != FileType::Directory) return std::unexpected(to_error(Errc::NotDir, *norm));
  const std::string host = host_dir.string();
  if (::mkdir(host.c_str(), 0755) != 0 && errno != EEXIST) return host_error("mkdir", host, errno);
  UniqueFd top(::open(host.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!top.valid()) return host_error("open", host, errno);
  CopyOut job{snapshot, options, {}};
  WG_TRY(job.dir(top.get(), host, *src, *norm));
  return std::move(job.report);
}

}  // namespace wg::vfs
