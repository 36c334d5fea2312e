// Copyright 2026 The framerpc Authors.
//
// LoopHandle: a way to post work to an event loop that may have been retired.
// A call finished late by a handler on another thread (maybe after the server
// has shut down) posts through its LoopHandle; once the owner has called
// Retire(), such posts are dropped instead of touching a dead loop.
//
// Thread safety: every method may be called from any thread.
// Ownership: shared (shared_ptr) between the owner of the loop and the calls.
// Lifetime: the loop must stay alive until Retire() has returned.

#ifndef FRAMERPC_RPC_LOOP_HANDLE_H_
#define FRAMERPC_RPC_LOOP_HANDLE_H_

#include <atomic>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "transport/event_loop.h"

namespace framerpc::internal {

class LoopHandle {
 public:
  explicit LoopHandle(transport::EventLoop* loop) : loop_(loop) {}
  LoopHandle(const LoopHandle&) = delete;
  LoopHandle& operator=(const LoopHandle&) = delete;

  // Posts `task` to the loop. Returns false (and drops `task`) once retired.
  bool Post(absl::AnyInvocable<void()> task) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::ReaderMutexLock lock(&mu_);
    if (loop_ == nullptr) return false;
    loop_->Post(std::move(task));
    return true;
  }

  // Records the calling thread as the loop's. REQUIRES: called on the loop's
  // thread, before the handle is given to any call.
  void BindToCurrentThread() {
    thread_.store(std::this_thread::get_id(), std::memory_order_release);
  }

  // True when called on the loop's thread (false once retired, or before
  // BindToCurrentThread). Lock-free: it is asked once per call.
  bool IsInLoopThread() const {
    return thread_.load(std::memory_order_acquire) ==
           std::this_thread::get_id();
  }

  // Stops all later posts. Idempotent.
  void Retire() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    loop_ = nullptr;
    thread_.store(std::thread::id(), std::memory_order_release);
  }

 private:
  mutable absl::Mutex mu_;
  transport::EventLoop* loop_ ABSL_GUARDED_BY(mu_);
  std::atomic<std::thread::id> thread_{};
};

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_LOOP_HANDLE_H_
