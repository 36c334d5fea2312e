// Copyright 2026 The framerpc Authors.

#include "transport/event_loop_group.h"

#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/notification.h"
#include "base/cpus.h"
#include "gtest/gtest.h"
#include "tests/transport/test_util.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::kWaitTimeout;
using ::framerpc::transport::testing::RunInLoopAndWait;

TEST(EventLoopGroupTest, RunsEveryLoopOnItsOwnThread) {
  EventLoopGroup group(3, "test-io");
  group.Start();
  ASSERT_EQ(group.size(), 3);
  absl::flat_hash_set<std::thread::id> threads;
  for (int i = 0; i < group.size(); ++i) {
    EventLoop* loop = group.loop(i);
    EXPECT_FALSE(loop->IsInLoopThread());
    RunInLoopAndWait(loop, [&threads, loop] {
      EXPECT_TRUE(loop->IsInLoopThread());
      threads.insert(std::this_thread::get_id());
    });
  }
  EXPECT_EQ(threads.size(), 3u);
}

TEST(EventLoopGroupTest, NextIsRoundRobin) {
  EventLoopGroup group(3);
  EXPECT_EQ(group.Next(), group.loop(0));
  EXPECT_EQ(group.Next(), group.loop(1));
  EXPECT_EQ(group.Next(), group.loop(2));
  EXPECT_EQ(group.Next(), group.loop(0));
}

TEST(EventLoopGroupTest, DefaultsToOneLoopPerUsableCpu) {
  EventLoopGroup group;
  EXPECT_EQ(group.size(), UsableCpus());
}

TEST(EventLoopGroupTest, TasksPostedBeforeStartRunOnceStarted) {
  EventLoopGroup group(2);
  absl::Notification ran;
  group.loop(1)->Post([&ran] { ran.Notify(); });
  EXPECT_FALSE(ran.HasBeenNotified());
  group.Start();
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(kWaitTimeout));
}

TEST(EventLoopGroupTest, StopJoinsAndIsIdempotent) {
  EventLoopGroup group(2);
  group.Start();
  group.Start();  // no-op
  group.Stop();
  group.Stop();
  for (int i = 0; i < group.size(); ++i) {
    EXPECT_FALSE(group.loop(i)->IsInLoopThread());
  }
  // The destructor stops again: no-op.
}

TEST(EventLoopGroupTest, StopWithoutStartIsNoOp) {
  EventLoopGroup group(1);
  group.Stop();
}

}  // namespace
}  // namespace framerpc::transport
