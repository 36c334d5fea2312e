// Copyright 2026 The framerpc Authors.
//
// EventLoopGroup: N EventLoops, each running on its own thread.
//
//   EventLoopGroup group(4, "server-io");
//   group.Start();
//   EventLoop* loop = group.Next();   // round robin
//   ...
//   group.Stop();                     // or let the destructor do it
//
// Thread safety: Next(), loop(), size() may be called from any thread.
// Start() and Stop() must not race with each other (call them from the
// owning thread), and not from one of the group's own loop threads.
// Ownership: owns its loops and threads.
// Lifetime: the loops exist from construction to destruction, so pointers
// returned by Next()/loop() stay valid until the group is destroyed; they run
// between Start() and Stop(). Tasks posted before Start() run once it is
// called. Everything registered with a loop (connections, acceptors) must be
// closed before Stop(), on its loop thread.

#ifndef FRAMERPC_TRANSPORT_EVENT_LOOP_GROUP_H_
#define FRAMERPC_TRANSPORT_EVENT_LOOP_GROUP_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "transport/event_loop.h"

namespace framerpc::transport {

class EventLoopGroup {
 public:
  // `num_loops` 0 means one per CPU this process may use (UsableCpus():
  // the affinity mask and cgroup quota, at least 1). Threads are named
  // "<name>-<i>" (truncated to 15 characters).
  explicit EventLoopGroup(int num_loops = 0, std::string name = "framerpc-io");
  // Calls Stop().
  ~EventLoopGroup();
  EventLoopGroup(const EventLoopGroup&) = delete;
  EventLoopGroup& operator=(const EventLoopGroup&) = delete;

  // Starts one thread per loop and returns once every loop is running (so
  // IsInLoopThread() is meaningful). No-op if already started.
  void Start();
  // Quits every loop and joins the threads. Idempotent.
  void Stop();

  // The next loop, round robin. Any thread.
  EventLoop* Next();
  // REQUIRES: 0 <= i < size().
  EventLoop* loop(int i) const;
  int size() const { return static_cast<int>(loops_.size()); }

 private:
  const std::string name_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_EVENT_LOOP_GROUP_H_
