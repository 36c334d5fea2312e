// Copyright 2026 The framerpc Authors.
//
// WorkerPool: a fixed set of threads that run posted tasks in FIFO order.
// The server runs handlers on it when they may block.
//
// Thread safety: Schedule() may be called from any thread, also from a task.
// Ownership: tasks are owned by the pool until they run.
// Lifetime: the destructor (or Stop()) runs every task already scheduled,
// then joins the threads; so it waits for handlers that are still running.

#ifndef FRAMERPC_RPC_WORKER_POOL_H_
#define FRAMERPC_RPC_WORKER_POOL_H_

#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace framerpc::internal {

class WorkerPool {
 public:
  // Starts `num_threads` threads. REQUIRES: num_threads > 0.
  WorkerPool(int num_threads, std::string name);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Queues `task`. After Stop() has begun, tasks are still run (Stop drains
  // the queue), so nothing scheduled is ever dropped.
  void Schedule(absl::AnyInvocable<void()> task) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs what is queued, then joins the threads. Idempotent.
  // REQUIRES: not called from one of the pool's own threads.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void WorkerLoop() ABSL_LOCKS_EXCLUDED(mu_);

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_WORKER_POOL_H_
