// Copyright 2026 The framerpc Authors.
//
// Acceptor: a listening TCP socket that hands each accepted connection to a
// callback on its loop.
//
//   Acceptor acceptor(loop, listen_endpoint,
//                     [](Socket socket, const Endpoint& peer) { ... });
//   FRAMERPC_RETURN_IF_ERROR(acceptor.Listen());
//   int port = acceptor.port();   // the real port when listening on port 0
//
// The listening socket has SO_REUSEADDR, so a restarted server binds at once
// even while old connections sit in TIME_WAIT. Accepted sockets are
// nonblocking, close-on-exec and have TCP_NODELAY. When the process runs out
// of file descriptors (EMFILE/ENFILE), the acceptor logs it once, stops
// watching the listening socket and tries again after kAcceptBackoff, so the
// loop does not spin on a readiness it cannot consume.
//
// Thread safety: Listen(), port() and local_endpoint() may be called from any
// thread (Listen() once, before the others); Stop() and the destructor on
// the loop thread (or once the loop no longer runs). The callback runs on the
// loop thread.
// Ownership: owns the listening socket; accepted sockets are handed over.
// Lifetime: `loop` must outlive the acceptor; the acceptor must be stopped
// or destroyed before the loop stops running it.

#ifndef FRAMERPC_TRANSPORT_ACCEPTOR_H_
#define FRAMERPC_TRANSPORT_ACCEPTOR_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/io_handler.h"
#include "transport/socket.h"

namespace framerpc::transport {

class Acceptor : private IoHandler {
 public:
  // Called on the loop thread with each accepted socket and its peer.
  using NewConnectionCallback =
      absl::AnyInvocable<void(Socket socket, const Endpoint& peer)>;

  // How long to stop accepting after EMFILE/ENFILE.
  static constexpr absl::Duration kAcceptBackoff = absl::Milliseconds(100);
  // Connections accepted per readiness event before yielding to other fds.
  static constexpr int kMaxAcceptsPerTurn = 256;

  Acceptor(EventLoop* loop, const Endpoint& listen_address,
           NewConnectionCallback callback);
  ~Acceptor() override;
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Any thread, once: creates the socket, sets SO_REUSEADDR, binds, listens
  // (backlog SOMAXCONN) and then starts accepting on the loop. Errors name
  // the address and strerror, e.g. UNAVAILABLE "bind 127.0.0.1:7000: Address
  // already in use"; INVALID_ARGUMENT for an address not on this host.
  absl::Status Listen();

  // After a successful Listen(): the bound port (the real one for port 0)
  // and address.
  int port() const { return local_endpoint_.port(); }
  Endpoint local_endpoint() const { return local_endpoint_; }

  // Loop thread. Stops accepting and closes the listening socket.
  // Idempotent.
  void Stop();

 private:
  void HandleEvents(uint32_t epoll_events) override;
  void StartWatching();

  EventLoop* const loop_;
  const Endpoint listen_address_;
  NewConnectionCallback callback_;
  Socket socket_;
  // Written by Listen() before the loop sees the acceptor, then constant.
  Endpoint local_endpoint_;

  // Loop thread only.
  bool stopped_ = false;
  bool watching_ = false;
  bool fd_exhausted_ = false;  // inside an EMFILE episode (logged once)
  TimerId backoff_timer_ = 0;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_ACCEPTOR_H_
