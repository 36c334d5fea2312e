// Copyright 2026 The framerpc Authors.

#include "transport/event_loop.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transport/test_util.h"
#include "transport/timer_queue.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::kWaitTimeout;
using ::framerpc::transport::testing::RunInLoopAndWait;
using ::testing::ElementsAre;

// An EventLoop running on its own thread for the duration of a test.
class EventLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { loop_.Run(); });
    // Make sure Run() has started, so IsInLoopThread() is meaningful.
    RunInLoopAndWait(&loop_, [] {});
  }
  void TearDown() override {
    loop_.Quit();
    thread_.join();
  }

  EventLoop loop_;
  std::thread thread_;
};

// Burns CPU on the calling thread until `d` has passed on the monotonic
// clock. Used to make timers come due while the loop is busy; it waits for
// time itself, not for some event.
void BusyFor(absl::Duration d) {
  const absl::Duration end = TimerQueue::MonotonicNow() + d;
  while (TimerQueue::MonotonicNow() < end) {
  }
}

TEST(EventLoopStandaloneTest, NoThreadIsLoopThreadBeforeRun) {
  EventLoop loop;
  EXPECT_FALSE(loop.IsInLoopThread());
}

TEST(EventLoopStandaloneTest, RunReturnsAfterQuitAndRunsTasksPostedBefore) {
  EventLoop loop;
  std::vector<int> ran;
  loop.Post([&] { ran.push_back(1); });
  loop.Post([&] {
    ran.push_back(2);
    loop.Quit();
    loop.Post([&] { ran.push_back(3); });  // posted before Run returns
  });
  loop.Run();
  EXPECT_THAT(ran, ElementsAre(1, 2, 3));
}

TEST(EventLoopStandaloneTest, AssertInLoopThreadAbortsOffTheLoopThread) {
  EventLoop loop;
  EXPECT_DEATH(loop.AssertInLoopThread(), "called off the loop thread");
}

TEST_F(EventLoopTest, RunsPostedTasksOnLoopThread) {
  absl::Notification done;
  bool in_loop = false;
  loop_.Post([&] {
    in_loop = loop_.IsInLoopThread();
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_TRUE(in_loop);
  EXPECT_FALSE(loop_.IsInLoopThread());
}

TEST_F(EventLoopTest, RunInLoopRunsInlineOnLoopThread) {
  RunInLoopAndWait(&loop_, [this] {
    bool ran = false;
    loop_.RunInLoop([&ran] { ran = true; });
    EXPECT_TRUE(ran);
  });
}

TEST_F(EventLoopTest, PostsFromManyThreadsAllRunInFifoOrderPerPoster) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::vector<std::vector<int>> seen(kThreads);  // loop thread only
  absl::Notification all_done;
  std::atomic<int> remaining{kThreads * kPerThread};
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        loop_.Post([&, t, i] {
          seen[t].push_back(i);
          if (remaining.fetch_sub(1) == 1) all_done.Notify();
        });
      }
    });
  }
  for (auto& p : posters) p.join();
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(kWaitTimeout));
  RunInLoopAndWait(&loop_, [&] {
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_EQ(seen[t].size(), static_cast<size_t>(kPerThread));
      for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(seen[t][i], i);
    }
  });
}

// Tasks the loop posts to itself take a lock-free queue that writes no
// eventfd: the loop must still run them, in order, without sleeping first
// (nothing else happens here that would wake it).
TEST_F(EventLoopTest, TasksPostedFromTheLoopThreadRunInOrderWithoutAWakeup) {
  constexpr int kChain = 10000;
  std::vector<int> seen;  // loop thread only
  absl::Notification done;
  std::function<void(int)> step = [&](int i) {
    seen.push_back(i);
    if (i + 1 == kChain) {
      done.Notify();
      return;
    }
    // Two posts per step: order within the loop's own queue matters too.
    loop_.Post([&step, i] { step(i + 1); });
    loop_.Post([&seen] { seen.push_back(-1); });
  };
  const absl::Time start = absl::Now();
  loop_.Post([&step] { step(0); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  RunInLoopAndWait(&loop_, [&] {
    int next = 0;
    for (int value : seen) {
      if (value >= 0) {
        ASSERT_EQ(value, next++);
      }
    }
    EXPECT_EQ(next, kChain);
  });
}

TEST_F(EventLoopTest, RunAtEndOfTurnRunsAfterPostedTasksOfTheSameTurn) {
  std::vector<std::string> order;  // loop thread only
  absl::Notification done;
  // Both tasks are posted from the loop thread by one task, so the next turn
  // runs them as one batch.
  loop_.Post([&] {
    loop_.Post([&] {
      order.push_back("first posted");
      loop_.RunAtEndOfTurn([&] {
        order.push_back("end of turn");
        loop_.RunAtEndOfTurn([&] {
          order.push_back("added at end of turn");
          done.Notify();
        });
      });
    });
    loop_.Post([&] { order.push_back("second posted"); });
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  RunInLoopAndWait(&loop_, [&] {
    EXPECT_THAT(order, ElementsAre("first posted", "second posted",
                                   "end of turn", "added at end of turn"));
  });
}

TEST_F(EventLoopTest, TimersFireInDeadlineOrder) {
  absl::Mutex mu;
  std::vector<int> fired;
  absl::Notification done;
  // Created out of order, from a thread that is not the loop thread.
  for (int ms : {50, 10, 40, 20, 30}) {
    loop_.RunAfter(absl::Milliseconds(ms), [&, ms] {
      absl::MutexLock lock(&mu);
      fired.push_back(ms);
      if (fired.size() == 5) done.Notify();
    });
  }
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(fired, ElementsAre(10, 20, 30, 40, 50));
}

TEST_F(EventLoopTest, TimerDoesNotFireBeforeItsDelay) {
  absl::Notification done;
  const absl::Time start = absl::Now();
  absl::Time fired_at;
  loop_.RunAfter(absl::Milliseconds(50), [&] {
    fired_at = absl::Now();
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_GE(fired_at - start, absl::Milliseconds(50));
}

TEST_F(EventLoopTest, TimerCancelledOnLoopThreadNeverRunsEvenWhenDue) {
  std::atomic<bool> cancelled_ran{false};
  absl::Notification done;
  RunInLoopAndWait(&loop_, [&] {
    const TimerId victim =
        loop_.RunAfter(absl::Milliseconds(2), [&] { cancelled_ran = true; });
    // Fires first, in the same expiry batch as `victim`.
    loop_.RunAfter(absl::Milliseconds(1),
                   [this, victim] { loop_.CancelTimer(victim); });
    const TimerId other =
        loop_.RunAfter(absl::Milliseconds(1), [&] { cancelled_ran = true; });
    loop_.CancelTimer(other);
    loop_.RunAfter(absl::Milliseconds(30), [&] { done.Notify(); });
    BusyFor(absl::Milliseconds(5));  // all but the last are now due
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_FALSE(cancelled_ran);
}

TEST_F(EventLoopTest, TimerCancelledFromAnotherThreadDoesNotRun) {
  std::atomic<bool> ran{false};
  absl::Notification done;
  const TimerId id =
      loop_.RunAfter(absl::Milliseconds(100), [&] { ran = true; });
  loop_.CancelTimer(id);
  // The cancel is posted right behind the add; 100 ms is a generous margin
  // for it to run before the timer is due. The check waits past the
  // deadline with a later timer.
  loop_.RunAfter(absl::Milliseconds(300), [&] { done.Notify(); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_FALSE(ran);
  loop_.CancelTimer(id);      // already cancelled: no-op
  loop_.CancelTimer(123456);  // unknown: no-op
}

TEST_F(EventLoopTest, RunEveryRepeatsUntilItCancelsItself) {
  std::atomic<int> count{0};
  absl::Notification fifth;
  absl::Notification done;
  std::atomic<TimerId> id{0};
  RunInLoopAndWait(&loop_, [&] {
    id = loop_.RunEvery(absl::Milliseconds(5), [&] {
      if (++count == 5) {
        loop_.CancelTimer(id);
        fifth.Notify();
      }
    });
  });
  ASSERT_TRUE(fifth.WaitForNotificationWithTimeout(kWaitTimeout));
  // Twenty more intervals: a timer that kept going would count past 5.
  loop_.RunAfter(absl::Milliseconds(100), [&] { done.Notify(); });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_EQ(count, 5);
}

TEST_F(EventLoopTest, TimerIdsAreNonZeroAndUnique) {
  const TimerId a = loop_.RunAfter(absl::Hours(1), [] {});
  const TimerId b = loop_.RunEvery(absl::Hours(1), [] {});
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_NE(a, b);
  loop_.CancelTimer(a);
  loop_.CancelTimer(b);
}

class CountingHandler : public IoHandler {
 public:
  void HandleEvents(uint32_t events) override {
    if (events & EPOLLIN) {
      char c;
      while (::read(fd, &c, 1) == 1) ++bytes;
      done.Notify();
    }
  }
  int fd = -1;
  int bytes = 0;
  absl::Notification done;
};

TEST_F(EventLoopTest, DispatchesReadinessToRegisteredHandler) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  CountingHandler handler;
  handler.fd = fds[0];
  RunInLoopAndWait(&loop_, [&] { loop_.UpdateFd(fds[0], EPOLLIN, &handler); });
  ASSERT_EQ(::write(fds[1], "abc", 3), 3);
  ASSERT_TRUE(handler.done.WaitForNotificationWithTimeout(kWaitTimeout));
  RunInLoopAndWait(&loop_, [&] {
    EXPECT_EQ(handler.bytes, 3);
    loop_.RemoveFd(fds[0]);
    loop_.RemoveFd(fds[0]);  // idempotent
  });
  ::close(fds[0]);
  ::close(fds[1]);
}

}  // namespace
}  // namespace framerpc::transport
