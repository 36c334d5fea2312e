// Copyright 2026 The framerpc Authors.

#include "transport/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/logging.h"
#include "transport/errno_status.h"

namespace framerpc::transport {
namespace {

constexpr size_t kInitialEvents = 64;

}  // namespace

// Drains the eventfd that other threads write to wake the loop.
class EventLoop::WakeupHandler : public IoHandler {
 public:
  explicit WakeupHandler(int fd) : fd_(fd) {}
  void HandleEvents(uint32_t /*epoll_events*/) override {
    uint64_t value;
    ssize_t n;
    do {
      n = ::read(fd_, &value, sizeof(value));
    } while (n < 0 && errno == EINTR);
  }

 private:
  const int fd_;
};

EventLoop::EventLoop()
    : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
      wakeup_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      wakeup_handler_(std::make_unique<WakeupHandler>(wakeup_fd_)),
      events_(kInitialEvents) {
  FRAMERPC_CHECK(epoll_fd_ >= 0) << "epoll_create1: " << ErrnoText(errno);
  FRAMERPC_CHECK(wakeup_fd_ >= 0) << "eventfd: " << ErrnoText(errno);
  AddInternal(wakeup_fd_, EPOLLIN, wakeup_handler_.get());
  AddInternal(timers_.fd(), EPOLLIN, &timers_);
}

EventLoop::~EventLoop() {
  FRAMERPC_CHECK(!running_.load()) << "EventLoop destroyed while running";
  ::close(wakeup_fd_);
  ::close(epoll_fd_);
}

void EventLoop::AssertInLoopThread() const {
  FRAMERPC_CHECK(IsInLoopThread())
      << "called off the loop thread (loop thread: "
      << thread_id_.load(std::memory_order_acquire)
      << ", caller: " << std::this_thread::get_id() << ")";
}

void EventLoop::Run() {
  FRAMERPC_CHECK(!running_.exchange(true)) << "EventLoop::Run reentered";
  thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
  while (!quit_.load(std::memory_order_acquire)) RunOneTurn();
  // Whatever was posted before Quit() still runs.
  while (RunPostedTasks() || RunEndOfTurnTasks()) {
  }
  quit_.store(false, std::memory_order_relaxed);
  running_.store(false);
}

void EventLoop::Quit() {
  quit_.store(true, std::memory_order_release);
  if (!IsInLoopThread()) Wakeup();
}

void EventLoop::RunOneTurn() {
  // Tasks posted from the loop thread itself do not write the eventfd, so
  // do not sleep while some are queued.
  const int timeout = HasPostedTasks() ? 0 : -1;
  int n = ::epoll_wait(epoll_fd_, events_.data(),
                       static_cast<int>(events_.size()), timeout);
  if (n < 0) {
    FRAMERPC_CHECK(errno == EINTR) << "epoll_wait: " << ErrnoText(errno);
    n = 0;
  }
  for (int i = 0; i < n; ++i) {
    const uint64_t data = events_[i].data.u64;
    const int fd = static_cast<int>(data & 0xffffffff);
    const uint32_t generation = static_cast<uint32_t>(data >> 32);
    // Re-read each time: an earlier handler may have removed this fd.
    const Registration& reg = registrations_[fd];
    if (!reg.registered || reg.generation != generation) continue;
    reg.handler->HandleEvents(events_[i].events);
  }
  if (static_cast<size_t>(n) == events_.size()) events_.resize(n * 2);
  RunPostedTasks();
  RunEndOfTurnTasks();
}

void EventLoop::Post(absl::AnyInvocable<void()> task) {
  if (IsInLoopThread()) {
    // RunOneTurn does not sleep while this queue has tasks.
    local_posted_.push_back(std::move(task));
    return;
  }
  bool wake;
  {
    absl::MutexLock lock(&mutex_);
    // A non-empty queue already has a wake-up on its way, or the loop is
    // about to run it (RunOneTurn checks before sleeping).
    wake = posted_.empty();
    posted_.push_back(std::move(task));
    has_posted_.store(true, std::memory_order_release);
  }
  if (wake) Wakeup();
}

void EventLoop::RunInLoop(absl::AnyInvocable<void()> task) {
  if (IsInLoopThread()) {
    task();
  } else {
    Post(std::move(task));
  }
}

void EventLoop::RunAtEndOfTurn(absl::AnyInvocable<void()> task) {
  AssertInLoopThread();
  end_of_turn_.push_back(std::move(task));
}

bool EventLoop::HasPostedTasks() {
  if (!local_posted_.empty()) return true;
  return has_posted_.load(std::memory_order_acquire);
}

bool EventLoop::RunPostedTasks() {
  // The running vectors keep their capacity, so steady state allocates
  // nothing. Tasks posted while these run wait for the next call.
  bool ran = false;
  if (has_posted_.load(std::memory_order_acquire)) {
    absl::MutexLock lock(&mutex_);
    running_tasks_.swap(posted_);
    has_posted_.store(false, std::memory_order_relaxed);
  }
  if (!running_tasks_.empty()) {
    for (auto& task : running_tasks_) task();
    running_tasks_.clear();
    ran = true;
  }
  if (!local_posted_.empty()) {
    local_running_.swap(local_posted_);
    for (auto& task : local_running_) task();
    local_running_.clear();
    ran = true;
  }
  return ran;
}

bool EventLoop::RunEndOfTurnTasks() {
  if (end_of_turn_.empty()) return false;
  // Index loop: tasks may append more end-of-turn tasks.
  for (size_t i = 0; i < end_of_turn_.size(); ++i) {
    auto task = std::move(end_of_turn_[i]);
    task();
  }
  end_of_turn_.clear();
  return true;
}

void EventLoop::Wakeup() {
  const uint64_t one = 1;
  ssize_t n;
  do {
    n = ::write(wakeup_fd_, &one, sizeof(one));
  } while (n < 0 && errno == EINTR);
  // EAGAIN means the counter is saturated: the loop is awake anyway.
}

TimerId EventLoop::RunAfter(absl::Duration delay,
                            absl::AnyInvocable<void()> callback) {
  const TimerId id = next_timer_id_.fetch_add(1, std::memory_order_relaxed);
  const absl::Duration deadline =
      TimerQueue::MonotonicNow() + std::max(delay, absl::ZeroDuration());
  RunInLoop([this, id, deadline, callback = std::move(callback)]() mutable {
    timers_.Add(id, deadline, absl::ZeroDuration(), std::move(callback));
  });
  return id;
}

TimerId EventLoop::RunEvery(absl::Duration interval,
                            absl::AnyInvocable<void()> callback) {
  FRAMERPC_CHECK(interval > absl::ZeroDuration())
      << "RunEvery interval must be positive";
  const TimerId id = next_timer_id_.fetch_add(1, std::memory_order_relaxed);
  const absl::Duration deadline = TimerQueue::MonotonicNow() + interval;
  RunInLoop(
      [this, id, deadline, interval, callback = std::move(callback)]() mutable {
        timers_.Add(id, deadline, interval, std::move(callback));
      });
  return id;
}

void EventLoop::CancelTimer(TimerId id) {
  RunInLoop([this, id] { timers_.Cancel(id); });
}

void EventLoop::AddInternal(int fd, uint32_t events, IoHandler* handler) {
  FRAMERPC_CHECK_GE(fd, 0);
  if (static_cast<size_t>(fd) >= registrations_.size()) {
    registrations_.resize(static_cast<size_t>(fd) + 1);
  }
  Registration& reg = registrations_[fd];
  epoll_event event = {};
  event.events = events;
  int op = EPOLL_CTL_MOD;
  if (!reg.registered) {
    op = EPOLL_CTL_ADD;
    reg.generation = next_generation_++;
  }
  event.data.u64 = (uint64_t{reg.generation} << 32) | static_cast<uint32_t>(fd);
  int rc = ::epoll_ctl(epoll_fd_, op, fd, &event);
  if (rc != 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
    // The fd was closed and reused without RemoveFd; register it afresh.
    reg.generation = next_generation_++;
    event.data.u64 =
        (uint64_t{reg.generation} << 32) | static_cast<uint32_t>(fd);
    rc = ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  }
  FRAMERPC_CHECK(rc == 0) << "epoll_ctl(fd " << fd << "): " << ErrnoText(errno);
  reg.handler = handler;
  reg.registered = true;
}

void EventLoop::UpdateFd(int fd, uint32_t events, IoHandler* handler) {
  AssertInLoopThread();
  AddInternal(fd, events, handler);
}

void EventLoop::RemoveFd(int fd) {
  AssertInLoopThread();
  if (fd < 0 || static_cast<size_t>(fd) >= registrations_.size()) return;
  Registration& reg = registrations_[fd];
  if (!reg.registered) return;
  // ENOENT/EBADF: the fd was already closed, which removed it from epoll.
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  reg.registered = false;
  reg.handler = nullptr;
}

}  // namespace framerpc::transport
