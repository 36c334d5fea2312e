// Copyright 2026 The framerpc Authors.
//
// Connector: one nonblocking TCP connect with a timeout.
//
//   auto connector = Connector::Start(
//       loop, endpoint, absl::Seconds(2),
//       [](absl::StatusOr<Socket> socket) { ... });
//   connector->Cancel();   // optional
//
// `done` runs exactly once, on the loop thread, with one of:
//   the connected Socket (nonblocking, TCP_NODELAY set);
//   UNAVAILABLE "connect to 127.0.0.1:1: Connection refused" (or the errno
//     text of whatever failed);
//   DEADLINE_EXCEEDED "connect to 127.0.0.1:7000 timed out after 2s";
//   CANCELLED "connect to 127.0.0.1:7000 cancelled", when Cancel() won.
//
// `done` never runs inside Start(), even when the result is known at once.
//
// Thread safety: Start() and Cancel() may be called from any thread.
// Ownership: the connector owns the socket until it hands it to `done`.
// Lifetime: the connector keeps itself alive until `done` has run; the
// returned shared_ptr is only needed to Cancel(). `loop` must outlive it.

#ifndef FRAMERPC_TRANSPORT_CONNECTOR_H_
#define FRAMERPC_TRANSPORT_CONNECTOR_H_

#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/io_handler.h"
#include "transport/socket.h"

namespace framerpc::transport {

class Connector : public std::enable_shared_from_this<Connector>,
                  private IoHandler {
 public:
  using DoneCallback = absl::AnyInvocable<void(absl::StatusOr<Socket>)>;

  // Starts connecting to `to` on `loop`; gives up after `timeout`.
  static std::shared_ptr<Connector> Start(EventLoop* loop, const Endpoint& to,
                                          absl::Duration timeout,
                                          DoneCallback done);
  ~Connector() override;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  // Any thread. Finishes with CANCELLED unless `done` has already run (or is
  // running). The socket being connected is closed.
  void Cancel();

  const Endpoint& endpoint() const { return to_; }

 private:
  Connector(EventLoop* loop, const Endpoint& to, absl::Duration timeout,
            DoneCallback done);

  void StartInLoop();
  void HandleEvents(uint32_t epoll_events) override;
  // Runs `done` with `result` unless it already ran; releases everything.
  void Finish(absl::StatusOr<Socket> result);
  // Finish(error) from a posted task.
  void FinishLater(absl::Status error);

  EventLoop* const loop_;
  const Endpoint to_;
  const absl::Duration timeout_;

  // Loop thread only.
  DoneCallback done_;
  Socket socket_;
  bool registered_ = false;
  bool finished_ = false;
  TimerId timeout_timer_ = 0;
  // Keeps the connector alive until Finish().
  std::shared_ptr<Connector> self_;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_CONNECTOR_H_
