// The VFS's error values: a small errno-like set that maps one-to-one onto
// POSIX errnos and WASI preview1 `errno` values.
//
// Contract: every fallible VFS operation returns vfs::Expected<T>, i.e.
// std::expected<T, vfs::Errc>. An Errc is an outcome meant for the caller
// (a guest program sees it as a WASI errno; an agent tool turns it into a
// message), so it is a value and carries no text. Code that needs a wg::Error
// (with a message naming the path) converts with to_error().
// Thread-safety: values only.
#pragma once

#include <cstdint>
#include <expected>
#include <string_view>

#include "base/error.h"

namespace wg::vfs {

enum class Errc : std::uint8_t {
  NoEnt,        // ENOENT: a component does not exist, or the path is empty
  Exist,        // EEXIST: the name is taken (O_CREAT|O_EXCL, mkdir, symlink)
  NotDir,       // ENOTDIR: a non-final component, or a trailing-slash path, is not a directory
  IsDir,        // EISDIR: a file operation on a directory (unlink, write, O_TRUNC)
  NotEmpty,     // ENOTEMPTY: rmdir, or rename over, a non-empty directory
  Inval,        // EINVAL: bad argument (NUL in a path, dir renamed into itself, rmdir ".")
  Loop,         // ELOOP: too many symlinks, or O_NOFOLLOW on a symlink
  NameTooLong,  // ENAMETOOLONG: a name, a path, or the directory depth is over its limit
  NoSpc,        // ENOSPC: the total-bytes quota would be exceeded
  DQuot,        // EDQUOT: the inode quota would be exceeded
  FBig,         // EFBIG: the file would exceed the maximum file size
  Acces,        // EACCES: reserved for permission checks by layers above
  Perm,         // EPERM: operation not permitted
  BadF,         // EBADF: the inode handle does not name a live inode
  Busy,         // EBUSY: the operation targets the root directory
  NotSup,       // ENOTSUP: recognised but not supported (e.g. hard links)
  Overflow,     // EOVERFLOW: an offset plus a length overflows 64 bits
};

template <class T>
using Expected = std::expected<T, Errc>;

inline std::unexpected<Errc> fail(Errc code) { return std::unexpected<Errc>(code); }

// Symbolic POSIX name, e.g. "ENOENT".
std::string_view errno_name(Errc code);
// Human text, e.g. "no such file or directory".
std::string_view to_string(Errc code);

// A wg::Error whose message is "<context>: <text> (<ERRNO>)". The code is
// NotFound for NoEnt/BadF, LimitExceeded for quota errors, Invalid otherwise.
Error to_error(Errc code, std::string_view context);

}  // namespace wg::vfs
