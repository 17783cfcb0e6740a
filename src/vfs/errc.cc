#include "vfs/errc.h"

#include <string>

namespace wg::vfs {

std::string_view errno_name(Errc code) {
  switch (code) {
    case Errc::NoEnt: return "ENOENT";
    case Errc::Exist: return "EEXIST";
    case Errc::NotDir: return "ENOTDIR";
    case Errc::IsDir: return "EISDIR";
    case Errc::NotEmpty: return "ENOTEMPTY";
    case Errc::Inval: return "EINVAL";
    case Errc::Loop: return "ELOOP";
    case Errc::NameTooLong: return "ENAMETOOLONG";
    case Errc::NoSpc: return "ENOSPC";
    case Errc::DQuot: return "EDQUOT";
    case Errc::FBig: return "EFBIG";
    case Errc::Acces: return "EACCES";
    case Errc::Perm: return "EPERM";
    case Errc::BadF: return "EBADF";
    case Errc::Busy: return "EBUSY";
    case Errc::NotSup: return "ENOTSUP";
    case Errc::Overflow: return "EOVERFLOW";
  }
  return "EUNKNOWN";
}

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::NoEnt: return "no such file or directory";
    case Errc::Exist: return "file exists";
    case Errc::NotDir: return "not a directory";
    case Errc::IsDir: return "is a directory";
    case Errc::NotEmpty: return "directory not empty";
    case Errc::Inval: return "invalid argument";
    case Errc::Loop: return "too many levels of symbolic links";
    case Errc::NameTooLong: return "name, path or depth too long";
    case Errc::NoSpc: return "filesystem byte quota exceeded";
    case Errc::DQuot: return "filesystem inode quota exceeded";
    case Errc::FBig: return "file too large";
    case Errc::Acces: return "permission denied";
    case Errc::Perm: return "operation not permitted";
    case Errc::BadF: return "bad inode handle";
    case Errc::Busy: return "resource busy";
    case Errc::NotSup: return "operation not supported";
    case Errc::Overflow: return "value too large";
  }
  return "unknown error";
}

Error to_error(Errc code, std::string_view context) {
  ErrorCode ec = ErrorCode::Invalid;
  switch (code) {
    case Errc::NoEnt:
    case Errc::BadF: ec = ErrorCode::NotFound; break;
    case Errc::NoSpc:
    case Errc::DQuot:
    case Errc::FBig:
    case Errc::NameTooLong: ec = ErrorCode::LimitExceeded; break;
    case Errc::Acces:
    case Errc::Perm: ec = ErrorCode::Denied; break;
    case Errc::NotSup: ec = ErrorCode::Unsupported; break;
    default: break;
  }
  std::string message(context);
  message.append(": ").append(to_string(code)).append(" (").append(errno_name(code)).append(")");
  return Error(ec, std::move(message));
}

}  // namespace wg::vfs
