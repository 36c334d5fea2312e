// Copyright 2026 The framerpc Authors.

#include "transport/socket.h"

#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "transport/errno_status.h"

namespace framerpc::transport {

absl::StatusOr<Socket> Socket::CreateTcp(int family) {
  int fd =
      ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return ErrnoToStatus(errno, "socket");
  return Socket(fd);
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.Release();
  }
  return *this;
}

int Socket::Release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void Socket::Close() {
  if (fd_ < 0) return;
  // Not retried on EINTR: Linux releases the fd even then, and a retry could
  // close an fd another thread has just been given.
  ::close(fd_);
  fd_ = -1;
}

absl::Status Socket::SetBoolOption(int level, int option, bool on,
                                   const char* name) {
  int value = on ? 1 : 0;
  if (::setsockopt(fd_, level, option, &value, sizeof(value)) != 0) {
    return ErrnoToStatus(errno, absl::StrCat("setsockopt ", name));
  }
  return absl::OkStatus();
}

absl::Status Socket::SetNoDelay(bool on) {
  return SetBoolOption(IPPROTO_TCP, TCP_NODELAY, on, "TCP_NODELAY");
}

absl::Status Socket::SetReuseAddr(bool on) {
  return SetBoolOption(SOL_SOCKET, SO_REUSEADDR, on, "SO_REUSEADDR");
}

absl::Status Socket::SetKeepAlive(bool on) {
  return SetBoolOption(SOL_SOCKET, SO_KEEPALIVE, on, "SO_KEEPALIVE");
}

absl::Status Socket::SetLingerZero() {
  linger value = {.l_onoff = 1, .l_linger = 0};
  if (::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &value, sizeof(value)) != 0) {
    return ErrnoToStatus(errno, "setsockopt SO_LINGER");
  }
  return absl::OkStatus();
}

absl::Status Socket::Bind(const Endpoint& endpoint) {
  if (::bind(fd_, endpoint.sockaddr_ptr(), endpoint.sockaddr_len()) != 0) {
    return ErrnoToStatus(errno, absl::StrCat("bind ", endpoint.ToString()));
  }
  return absl::OkStatus();
}

absl::Status Socket::Listen(int backlog) {
  if (::listen(fd_, backlog) != 0) return ErrnoToStatus(errno, "listen");
  return absl::OkStatus();
}

absl::Status Socket::ShutdownWrite() {
  if (::shutdown(fd_, SHUT_WR) != 0) return ErrnoToStatus(errno, "shutdown");
  return absl::OkStatus();
}

absl::StatusOr<Endpoint> Socket::LocalEndpoint() const {
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoToStatus(errno, "getsockname");
  }
  return Endpoint::FromSockaddr(reinterpret_cast<sockaddr*>(&addr), len);
}

absl::StatusOr<Endpoint> Socket::PeerEndpoint() const {
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoToStatus(errno, "getpeername");
  }
  return Endpoint::FromSockaddr(reinterpret_cast<sockaddr*>(&addr), len);
}

int Socket::TakeError() const {
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

}  // namespace framerpc::transport
