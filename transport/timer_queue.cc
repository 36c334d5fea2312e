// Copyright 2026 The framerpc Authors.

#include "transport/timer_queue.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "base/logging.h"
#include "transport/errno_status.h"

namespace framerpc::transport {

TimerQueue::TimerQueue()
    : timer_fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
  FRAMERPC_CHECK(timer_fd_ >= 0) << "timerfd_create: " << ErrnoText(errno);
}

TimerQueue::~TimerQueue() { ::close(timer_fd_); }

absl::Duration TimerQueue::MonotonicNow() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return absl::DurationFromTimespec(ts);
}

void TimerQueue::Add(TimerId id, absl::Duration deadline,
                     absl::Duration interval,
                     absl::AnyInvocable<void()> callback) {
  FRAMERPC_CHECK(deadlines_.emplace(id, deadline).second) << "timer " << id;
  timers_.emplace(Key(deadline, id), Timer{interval, std::move(callback)});
  if (deadline < armed_deadline_) Arm();
}

void TimerQueue::Cancel(TimerId id) {
  if (id == running_id_) running_cancelled_ = true;
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return;
  timers_.erase(Key(it->second, id));
  deadlines_.erase(it);
  // The timerfd stays armed: a wake-up with nothing due is harmless.
}

void TimerQueue::Arm() {
  itimerspec spec = {};
  if (timers_.empty()) {
    armed_deadline_ = absl::InfiniteDuration();
  } else {
    armed_deadline_ = timers_.begin()->first.first;
    spec.it_value = absl::ToTimespec(armed_deadline_);
    // A zero it_value would disarm; monotonic time is never 0 in practice.
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) {
      spec.it_value.tv_nsec = 1;
    }
  }
  if (::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) {
    FRAMERPC_LOG_FATAL() << "timerfd_settime: " << ErrnoText(errno);
  }
}

void TimerQueue::HandleEvents(uint32_t /*epoll_events*/) {
  uint64_t expirations;
  ssize_t n;
  do {
    n = ::read(timer_fd_, &expirations, sizeof(expirations));
  } while (n < 0 && errno == EINTR);
  armed_deadline_ = absl::InfiniteDuration();

  // Timers that come due while callbacks run wait for the next turn, so a
  // burst of timers cannot starve I/O.
  const absl::Duration now = MonotonicNow();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    const auto [deadline, id] = node.key();
    deadlines_.erase(id);
    running_id_ = id;
    running_cancelled_ = false;
    node.mapped().callback();
    running_id_ = 0;
    const absl::Duration interval = node.mapped().interval;
    if (interval > absl::ZeroDuration() && !running_cancelled_) {
      absl::Duration next = deadline + interval;
      if (next <= now) next = now + interval;  // fell behind: skip, no burst
      node.key() = Key(next, id);
      deadlines_.emplace(id, next);
      timers_.insert(std::move(node));
    }
  }
  Arm();
}

}  // namespace framerpc::transport
