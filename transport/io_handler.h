// Copyright 2026 The framerpc Authors.
//
// IoHandler: what an EventLoop calls when a registered fd is ready.
//
// Thread safety: HandleEvents is called on the loop thread only.
// Ownership: the loop does not own handlers. Lifetime: a handler must stay
// alive while its fd is registered (until EventLoop::RemoveFd returns).

#ifndef FRAMERPC_TRANSPORT_IO_HANDLER_H_
#define FRAMERPC_TRANSPORT_IO_HANDLER_H_

#include <cstdint>

namespace framerpc::transport {

class IoHandler {
 public:
  virtual ~IoHandler() = default;

  // `epoll_events`: the EPOLL* bits epoll reported (EPOLLIN, EPOLLOUT,
  // EPOLLHUP, EPOLLERR, EPOLLRDHUP, ...).
  virtual void HandleEvents(uint32_t epoll_events) = 0;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_IO_HANDLER_H_
