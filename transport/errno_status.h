// Copyright 2026 The framerpc Authors.
//
// Turns an errno value into an absl::Status whose message names the failed
// operation and strerror, e.g. "bind 127.0.0.1:7000: Address already in use".
// Internal to transport/.

#ifndef FRAMERPC_TRANSPORT_ERRNO_STATUS_H_
#define FRAMERPC_TRANSPORT_ERRNO_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace framerpc::transport {

// strerror(err) without the thread-safety problems of strerror().
std::string ErrnoText(int err);

// Status for a failed setup call (socket, bind, listen, setsockopt):
//   EINVAL, EAFNOSUPPORT, EADDRNOTAVAIL, EBADF, ENOTSOCK -> INVALID_ARGUMENT
//   EACCES, EPERM                                        -> PERMISSION_DENIED
//   EMFILE, ENFILE, ENOBUFS, ENOMEM                      -> RESOURCE_EXHAUSTED
//   anything else (EADDRINUSE, ...)                      -> UNAVAILABLE
// The message is "<what>: <strerror>".
absl::Status ErrnoToStatus(int err, absl::string_view what);

// UNAVAILABLE "<what>: <strerror>": for failures that mean the peer is
// unreachable or lost (connect, read, write), whatever the errno.
absl::Status ErrnoToUnavailable(int err, absl::string_view what);

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_ERRNO_STATUS_H_
