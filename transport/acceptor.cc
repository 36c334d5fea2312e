// Copyright 2026 The framerpc Authors.

#include "transport/acceptor.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

#include "base/logging.h"
#include "base/status_macros.h"
#include "transport/errno_status.h"

namespace framerpc::transport {

Acceptor::Acceptor(EventLoop* loop, const Endpoint& listen_address,
                   NewConnectionCallback callback)
    : loop_(loop),
      listen_address_(listen_address),
      callback_(std::move(callback)) {
  FRAMERPC_CHECK(loop_ != nullptr);
}

Acceptor::~Acceptor() {
  if (loop_->IsInLoopThread()) Stop();
  // Otherwise the loop no longer runs (see the class comment): closing the
  // fd is all that is left to do.
}

absl::Status Acceptor::Listen() {
  FRAMERPC_CHECK(!socket_.valid()) << "Acceptor::Listen called twice";
  FRAMERPC_ASSIGN_OR_RETURN(Socket socket,
                            Socket::CreateTcp(listen_address_.family()));
  FRAMERPC_RETURN_IF_ERROR(socket.SetReuseAddr(true));
  FRAMERPC_RETURN_IF_ERROR(socket.Bind(listen_address_));
  if (::listen(socket.fd(), SOMAXCONN) != 0) {
    return ErrnoToStatus(errno,
                         absl::StrCat("listen ", listen_address_.ToString()));
  }
  FRAMERPC_ASSIGN_OR_RETURN(local_endpoint_, socket.LocalEndpoint());
  socket_ = std::move(socket);
  loop_->RunInLoop([this] { StartWatching(); });
  return absl::OkStatus();
}

void Acceptor::StartWatching() {
  backoff_timer_ = 0;
  if (stopped_ || watching_) return;
  loop_->UpdateFd(socket_.fd(), EPOLLIN, this);
  watching_ = true;
}

void Acceptor::Stop() {
  loop_->AssertInLoopThread();
  if (stopped_) return;
  stopped_ = true;
  if (backoff_timer_ != 0) loop_->CancelTimer(backoff_timer_);
  if (watching_) loop_->RemoveFd(socket_.fd());
  watching_ = false;
  socket_.Close();
}

void Acceptor::HandleEvents(uint32_t /*epoll_events*/) {
  for (int i = 0; i < kMaxAcceptsPerTurn && !stopped_; ++i) {
    sockaddr_storage addr;
    socklen_t len = sizeof(addr);
    const int fd = ::accept4(socket_.fd(), reinterpret_cast<sockaddr*>(&addr),
                             &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      if (fd_exhausted_) {
        FRAMERPC_LOG(INFO) << "accept on " << local_endpoint_.ToString()
                           << " works again";
        fd_exhausted_ = false;
      }
      Socket socket(fd);
      absl::Status nodelay = socket.SetNoDelay(true);
      if (!nodelay.ok()) {
        FRAMERPC_LOG(WARNING) << "accepted socket: " << nodelay;
      }
      const Endpoint peer =
          Endpoint::FromSockaddr(reinterpret_cast<sockaddr*>(&addr), len);
      if (callback_) callback_(std::move(socket), peer);
      continue;
    }
    const int err = errno;
    switch (err) {
      case EAGAIN:
#if EAGAIN != EWOULDBLOCK
      case EWOULDBLOCK:
#endif
        return;
      case EINTR:
      case ECONNABORTED:  // the peer gave up while queued: take the next
      case EPROTO:
      case EPERM:  // refused by a firewall rule
        continue;
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        // Level-triggered epoll would report the pending connection again
        // at once: stop watching until the backoff has passed.
        if (!fd_exhausted_) {
          FRAMERPC_LOG(ERROR)
              << "accept on " << local_endpoint_.ToString() << ": "
              << ErrnoText(err) << "; retrying every " << kAcceptBackoff;
          fd_exhausted_ = true;
        }
        loop_->RemoveFd(socket_.fd());
        watching_ = false;
        backoff_timer_ =
            loop_->RunAfter(kAcceptBackoff, [this] { StartWatching(); });
        return;
      default:
        FRAMERPC_LOG(ERROR) << "accept on " << local_endpoint_.ToString()
                            << ": " << ErrnoText(err);
        return;
    }
  }
}

}  // namespace framerpc::transport
