// Copyright 2026 The framerpc Authors.
//
// EventLoop: one thread's reactor. An epoll set, a timer queue (timerfd) and
// a queue of tasks posted from any thread (woken through an eventfd).
//
//   EventLoop loop;
//   std::thread io([&loop] { loop.Run(); });
//   loop.Post([] { ... runs on the loop thread ... });
//   loop.RunAfter(absl::Seconds(1), [&loop] { loop.Quit(); });
//   io.join();
//
// One turn of the loop: wait for I/O or a timer (epoll_wait), dispatch every
// ready fd (timers included), run the tasks posted so far, then run the
// end-of-turn tasks (RunAtEndOfTurn), which is where connections flush their
// output with one write per turn.
//
// Thread safety: Post, RunInLoop, RunAfter, RunEvery, CancelTimer, Quit,
// IsInLoopThread and Now may be called from any thread. Everything else is
// for the loop thread (the thread inside Run()), checked with
// AssertInLoopThread(). Before Run() starts, no thread is the loop thread.
// Ownership: owns its epoll fd, eventfd, timers and queued tasks; registered
// IoHandlers are borrowed.
// Lifetime: REQUIRES for destruction: Run() is not running. Tasks and timers
// still queued then are destroyed without running. Handlers must be removed
// (RemoveFd) before they die.

#ifndef FRAMERPC_TRANSPORT_EVENT_LOOP_H_
#define FRAMERPC_TRANSPORT_EVENT_LOOP_H_

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/steady_clock.h"
#include "transport/io_handler.h"
#include "transport/timer_queue.h"

namespace framerpc::transport {

// Identifies a timer; 0 is never a valid id.
using TimerId = uint64_t;

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs the loop on the calling thread, which becomes the loop thread, until
  // Quit(). Before returning, runs the tasks still posted (and those they
  // post). REQUIRES: not already running.
  void Run();
  // Makes Run() return after the current turn. Any thread.
  void Quit();

  // Queues `task` to run on the loop thread. Tasks posted by one thread run
  // in the order posted. Any thread; wakes the loop only when it may be
  // asleep. From the loop thread itself it takes no lock and wakes nothing:
  // the task joins a loop-local queue that runs after the tasks posted by
  // other threads.
  void Post(absl::AnyInvocable<void()> task);
  // Runs `task` now when called on the loop thread, else Post()s it.
  void RunInLoop(absl::AnyInvocable<void()> task);
  // Loop thread only: runs `task` once at the end of the current turn, after
  // the I/O events and posted tasks of this turn. Tasks added by end-of-turn
  // tasks run in the same turn.
  void RunAtEndOfTurn(absl::AnyInvocable<void()> task);

  // Runs `callback` on the loop thread once `delay` has passed. Any thread.
  TimerId RunAfter(absl::Duration delay, absl::AnyInvocable<void()> callback);
  // Runs `callback` every `interval` (first after one interval). Any thread.
  // REQUIRES: interval > 0.
  TimerId RunEvery(absl::Duration interval,
                   absl::AnyInvocable<void()> callback);
  // Cancels a timer. Any thread; an unknown or already fired id is a no-op.
  // Called on the loop thread, the callback is guaranteed not to run
  // afterwards; from another thread the cancel is posted, so a timer that is
  // due may still fire first.
  void CancelTimer(TimerId id);

  bool IsInLoopThread() const {
    return thread_id_.load(std::memory_order_acquire) ==
           std::this_thread::get_id();
  }
  // Aborts (FRAMERPC_CHECK) unless called on the loop thread.
  void AssertInLoopThread() const;

  // Steady time (SteadyNow(): CLOCK_MONOTONIC, not a calendar time; see
  // base/steady_clock.h). Any thread.
  absl::Time Now() const { return SteadyNow(); }

  // Loop thread only. Watches `fd` for `events` (EPOLLIN, EPOLLOUT, ...;
  // 0 still reports EPOLLHUP/EPOLLERR) and calls handler->HandleEvents when
  // it is ready. Registers the fd or changes its events and handler.
  void UpdateFd(int fd, uint32_t events, IoHandler* handler);
  // Loop thread only. Stops watching `fd`; events already collected for it
  // in this turn are dropped. No-op if not registered.
  void RemoveFd(int fd);

 private:
  // One slot per fd number. `generation` tells a stale event (for an fd
  // removed, and maybe reused, earlier in the same turn) from a live one.
  struct Registration {
    IoHandler* handler = nullptr;
    uint32_t generation = 0;
    bool registered = false;
  };
  class WakeupHandler;

  void AddInternal(int fd, uint32_t events, IoHandler* handler);
  void RunOneTurn();
  // Each returns whether it ran anything.
  bool RunPostedTasks() ABSL_LOCKS_EXCLUDED(mutex_);
  bool RunEndOfTurnTasks();
  void Wakeup();
  bool HasPostedTasks() ABSL_LOCKS_EXCLUDED(mutex_);

  const int epoll_fd_;
  const int wakeup_fd_;
  std::unique_ptr<WakeupHandler> wakeup_handler_;
  TimerQueue timers_;
  std::atomic<std::thread::id> thread_id_{};
  std::atomic<bool> running_{false};
  std::atomic<bool> quit_{false};
  std::atomic<TimerId> next_timer_id_{1};

  // Loop thread only.
  std::vector<Registration> registrations_;
  uint32_t next_generation_ = 1;
  std::vector<epoll_event> events_;
  std::vector<absl::AnyInvocable<void()>> end_of_turn_;
  std::vector<absl::AnyInvocable<void()>> running_tasks_;
  // Posted by the loop thread itself; no lock.
  std::vector<absl::AnyInvocable<void()>> local_posted_;
  std::vector<absl::AnyInvocable<void()>> local_running_;

  absl::Mutex mutex_;
  std::vector<absl::AnyInvocable<void()>> posted_ ABSL_GUARDED_BY(mutex_);
  // !posted_.empty(), written under mutex_, read without it: the loop checks
  // for tasks from other threads twice a turn, and most turns there are
  // none, so it takes the lock only when there are. A task posted after the
  // loop read false is not missed: posting to an empty queue writes the
  // eventfd, whose read by the loop orders this flag's store before it.
  std::atomic<bool> has_posted_{false};
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_EVENT_LOOP_H_
