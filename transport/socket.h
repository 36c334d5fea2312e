// Copyright 2026 The framerpc Authors.
//
// Socket: an owned, move-only file descriptor of a TCP socket.
//
//   FRAMERPC_ASSIGN_OR_RETURN(Socket s, Socket::CreateTcp(AF_INET));
//   FRAMERPC_RETURN_IF_ERROR(s.SetReuseAddr(true));
//   FRAMERPC_RETURN_IF_ERROR(s.Bind(endpoint));
//
// Every socket the transport creates is SOCK_NONBLOCK | SOCK_CLOEXEC. The
// socket calls that can be interrupted are retried on EINTR.
//
// Thread safety: like an int. Distinct Sockets may be used from distinct
// threads; one Socket must not be used from two threads at once.
// Ownership: a Socket owns its fd and closes it when destroyed, unless the fd
// was given away with Release().
// Lifetime: fd() is valid until the Socket is closed, released, destroyed or
// moved from.

#ifndef FRAMERPC_TRANSPORT_SOCKET_H_
#define FRAMERPC_TRANSPORT_SOCKET_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "transport/endpoint.h"

namespace framerpc::transport {

class Socket {
 public:
  // A nonblocking, close-on-exec TCP socket of `family` (AF_INET or
  // AF_INET6). RESOURCE_EXHAUSTED when out of file descriptors,
  // INVALID_ARGUMENT for an unsupported family.
  static absl::StatusOr<Socket> CreateTcp(int family);

  // An invalid socket (fd() == -1).
  Socket() = default;
  // Takes ownership of `fd` (which may be -1).
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.Release()) {}
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { Close(); }

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership; returns the fd (the Socket becomes invalid).
  int Release();
  // Closes the fd now (no-op when invalid).
  void Close();

  // Each returns the setsockopt/bind/listen error as a Status whose message
  // names the call, the address where there is one, and strerror.
  absl::Status SetNoDelay(bool on);
  absl::Status SetReuseAddr(bool on);
  absl::Status SetKeepAlive(bool on);
  // SO_LINGER on with a zero timeout: close() then sends RST, not FIN.
  absl::Status SetLingerZero();
  absl::Status Bind(const Endpoint& endpoint);
  absl::Status Listen(int backlog);
  // shutdown(SHUT_WR): sends FIN once queued data is out. Reads still work.
  absl::Status ShutdownWrite();

  absl::StatusOr<Endpoint> LocalEndpoint() const;
  absl::StatusOr<Endpoint> PeerEndpoint() const;

  // The pending socket error (SO_ERROR), cleared by reading it; 0 if none.
  int TakeError() const;

 private:
  absl::Status SetBoolOption(int level, int option, bool on, const char* name);

  int fd_ = -1;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_SOCKET_H_
