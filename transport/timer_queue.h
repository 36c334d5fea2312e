// Copyright 2026 The framerpc Authors.
//
// TimerQueue: the timers of one EventLoop, ordered by (deadline, id) and
// driven by a CLOCK_MONOTONIC timerfd that the loop watches. Deadlines are
// monotonic times (MonotonicNow()), so changes of the wall clock do not move
// them. Internal to EventLoop; users call EventLoop::RunAfter/RunEvery.
//
// Thread safety: loop thread only (EventLoop forwards calls from other
// threads as posted tasks).
// Ownership: owns the timerfd and the callbacks.
// Lifetime: owned by its EventLoop; pending callbacks are destroyed, not run,
// with it.

#ifndef FRAMERPC_TRANSPORT_TIMER_QUEUE_H_
#define FRAMERPC_TRANSPORT_TIMER_QUEUE_H_

#include <cstdint>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "transport/io_handler.h"

namespace framerpc::transport {

using TimerId = uint64_t;

class TimerQueue : public IoHandler {
 public:
  TimerQueue();
  ~TimerQueue() override;
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Time on CLOCK_MONOTONIC, as a duration since its (arbitrary) epoch.
  static absl::Duration MonotonicNow();

  // The timerfd to watch for EPOLLIN.
  int fd() const { return timer_fd_; }

  // Schedules `callback` at monotonic time `deadline`, then every `interval`
  // if interval > 0. REQUIRES: `id` unused.
  void Add(TimerId id, absl::Duration deadline, absl::Duration interval,
           absl::AnyInvocable<void()> callback);
  // Unknown or already fired ids are ignored. A repeating timer may cancel
  // itself from its own callback.
  void Cancel(TimerId id);
  size_t size() const { return deadlines_.size(); }

  // Runs every timer whose deadline has passed, earliest first.
  void HandleEvents(uint32_t epoll_events) override;

 private:
  struct Timer {
    absl::Duration interval;
    absl::AnyInvocable<void()> callback;
  };
  using Key = std::pair<absl::Duration, TimerId>;

  // Arms the timerfd for the earliest deadline, if any.
  void Arm();

  const int timer_fd_;
  std::map<Key, Timer> timers_;
  absl::flat_hash_map<TimerId, absl::Duration> deadlines_;
  // The deadline the timerfd is set to; InfiniteDuration() when disarmed.
  absl::Duration armed_deadline_ = absl::InfiniteDuration();
  // The timer whose callback is running (0: none), and whether it was
  // cancelled meanwhile.
  TimerId running_id_ = 0;
  bool running_cancelled_ = false;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_TIMER_QUEUE_H_
