// Copyright 2026 The framerpc Authors.

#include "transport/connector.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "transport/errno_status.h"

namespace framerpc::transport {

std::shared_ptr<Connector> Connector::Start(EventLoop* loop, const Endpoint& to,
                                            absl::Duration timeout,
                                            DoneCallback done) {
  std::shared_ptr<Connector> connector(
      new Connector(loop, to, timeout, std::move(done)));
  loop->RunInLoop([connector] { connector->StartInLoop(); });
  return connector;
}

Connector::Connector(EventLoop* loop, const Endpoint& to,
                     absl::Duration timeout, DoneCallback done)
    : loop_(loop), to_(to), timeout_(timeout), done_(std::move(done)) {
  FRAMERPC_CHECK(loop_ != nullptr);
}

Connector::~Connector() = default;

void Connector::StartInLoop() {
  if (finished_) return;  // cancelled before the loop got here
  self_ = shared_from_this();
  const std::string what = absl::StrCat("connect to ", to_.ToString());
  absl::StatusOr<Socket> socket = Socket::CreateTcp(to_.family());
  if (!socket.ok()) {
    FinishLater(
        absl::Status(socket.status().code(),
                     absl::StrCat(what, ": ", socket.status().message())));
    return;
  }
  socket_ = *std::move(socket);
  int rc = ::connect(socket_.fd(), to_.sockaddr_ptr(), to_.sockaddr_len());
  // EINTR on a nonblocking connect: it goes on in the background, as with
  // EINPROGRESS.
  if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
    FinishLater(ErrnoToUnavailable(errno, what));
    return;
  }
  std::weak_ptr<Connector> weak = weak_from_this();
  timeout_timer_ = loop_->RunAfter(timeout_, [weak, this, what] {
    if (auto self = weak.lock()) {
      timeout_timer_ = 0;
      Finish(absl::DeadlineExceededError(absl::StrCat(
          what, " timed out after ", absl::FormatDuration(timeout_))));
    }
  });
  // Even when connect() succeeded at once (loopback), report from the
  // readiness event, so `done` never runs inside Start().
  loop_->UpdateFd(socket_.fd(), EPOLLOUT, this);
  registered_ = true;
}

void Connector::HandleEvents(uint32_t /*epoll_events*/) {
  if (finished_) return;
  const std::string what = absl::StrCat("connect to ", to_.ToString());
  const int err = socket_.TakeError();
  if (err != 0) {
    Finish(ErrnoToUnavailable(err, what));
    return;
  }
  absl::StatusOr<Endpoint> local = socket_.LocalEndpoint();
  absl::StatusOr<Endpoint> peer = socket_.PeerEndpoint();
  if (!peer.ok()) {
    // EPOLLOUT without SO_ERROR but not connected: report what getpeername
    // says (ENOTCONN).
    Finish(absl::UnavailableError(
        absl::StrCat(what, ": ", peer.status().message())));
    return;
  }
  if (local.ok() && *local == *peer) {
    // Connecting to a free local port can connect the socket to itself.
    Finish(absl::UnavailableError(
        absl::StrCat(what, ": connected to itself (nothing listens there)")));
    return;
  }
  absl::Status nodelay = socket_.SetNoDelay(true);
  if (!nodelay.ok()) {
    FRAMERPC_LOG(WARNING) << what << ": " << nodelay;
  }
  loop_->RemoveFd(socket_.fd());
  registered_ = false;
  Finish(std::move(socket_));
}

void Connector::FinishLater(absl::Status error) {
  // Never from inside Start(): the caller may not expect `done` that early.
  loop_->Post([self = shared_from_this(), error = std::move(error)]() mutable {
    self->Finish(std::move(error));
  });
}

void Connector::Cancel() {
  std::shared_ptr<Connector> self = shared_from_this();
  loop_->RunInLoop([self] {
    self->Finish(absl::CancelledError(
        absl::StrCat("connect to ", self->to_.ToString(), " cancelled")));
  });
}

void Connector::Finish(absl::StatusOr<Socket> result) {
  if (finished_) return;
  finished_ = true;
  if (timeout_timer_ != 0) {
    loop_->CancelTimer(timeout_timer_);
    timeout_timer_ = 0;
  }
  if (registered_) {
    loop_->RemoveFd(socket_.fd());
    registered_ = false;
  }
  socket_.Close();
  DoneCallback done = std::move(done_);
  done_ = nullptr;
  // Released after `done` returns; the caller of Finish holds its own
  // reference where it still needs `this` (Cancel, the timer callback).
  std::shared_ptr<Connector> self = std::move(self_);
  if (done) done(std::move(result));
}

}  // namespace framerpc::transport
