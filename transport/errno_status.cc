// Copyright 2026 The framerpc Authors.

#include "transport/errno_status.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace framerpc::transport {

std::string ErrnoText(int err) {
  char buf[128];
  // GNU strerror_r returns a pointer that may or may not point into `buf`.
  const char* text = ::strerror_r(err, buf, sizeof(buf));
  return std::string(text);
}

absl::Status ErrnoToStatus(int err, absl::string_view what) {
  std::string message = absl::StrCat(what, ": ", ErrnoText(err));
  switch (err) {
    case EINVAL:
    case EAFNOSUPPORT:
    case EADDRNOTAVAIL:
    case EBADF:
    case ENOTSOCK:
      return absl::InvalidArgumentError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

absl::Status ErrnoToUnavailable(int err, absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", ErrnoText(err)));
}

}  // namespace framerpc::transport
