// Copyright 2026 The framerpc Authors.
//
// ConnectInMemory: two in-memory connections joined back to back, on real
// loops running on real threads. The lifetime tests are meant to run under
// ASan/LSan too (scripts/test asan): a post to a destroyed loop or a
// reference cycle shows up there.

#include "transport/in_memory_link.h"

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transport/test_util.h"
#include "transport/connection.h"
#include "transport/event_loop.h"
#include "transport/event_loop_group.h"
#include "transport/frame.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::ForceCloseAndWait;
using ::framerpc::transport::testing::kWaitTimeout;
using ::framerpc::transport::testing::Received;
using ::framerpc::transport::testing::RunInLoopAndWait;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Records one end's frames and close, from its loop thread, for the test
// thread to wait on.
class Recorder {
 public:
  void Attach(Connection& conn) {
    conn.SetFrameCallback([this](Connection&, const FrameView& frame) {
      absl::MutexLock lock(&mutex_);
      frames_.push_back(Received{frame.header.type, std::string(frame.meta),
                                 std::string(frame.payload)});
    });
    conn.SetCloseCallback([this](Connection&, const absl::Status& reason) {
      absl::MutexLock lock(&mutex_);
      closes_.push_back(reason);
      closed_at_ = absl::Now();
    });
  }

  // True once `n` frames arrived, false after kWaitTimeout.
  bool WaitForFrames(size_t n) {
    absl::MutexLock lock(&mutex_);
    auto enough = [this, n]() { return frames_.size() >= n; };
    return mutex_.AwaitWithTimeout(absl::Condition(&enough), kWaitTimeout);
  }
  // True once the connection closed, false after kWaitTimeout.
  bool WaitForClose() {
    absl::MutexLock lock(&mutex_);
    auto closed = [this]() { return !closes_.empty(); };
    return mutex_.AwaitWithTimeout(absl::Condition(&closed), kWaitTimeout);
  }

  std::vector<Received> frames() {
    absl::MutexLock lock(&mutex_);
    return frames_;
  }
  std::vector<absl::Status> closes() {
    absl::MutexLock lock(&mutex_);
    return closes_;
  }
  absl::Time closed_at() {
    absl::MutexLock lock(&mutex_);
    return closed_at_;
  }

 private:
  absl::Mutex mutex_;
  std::vector<Received> frames_ ABSL_GUARDED_BY(mutex_);
  std::vector<absl::Status> closes_ ABSL_GUARDED_BY(mutex_);
  absl::Time closed_at_ ABSL_GUARDED_BY(mutex_) = absl::InfiniteFuture();
};

// a sees b as "in-process b" and b sees a as "in-process a".
constexpr absl::string_view kNameOfB = "in-process b";
constexpr absl::string_view kNameOfA = "in-process a";

absl::Status ClosedByPeer(absl::string_view peer_name) {
  return absl::UnavailableError(
      absl::StrCat("connection to ", peer_name, " closed by peer"));
}

// Echoes every request back as a response with the same meta and payload.
void EchoRequests(Connection& conn) {
  conn.SetFrameCallback([](Connection& c, const FrameView& frame) {
    c.SendFrame(FrameType::kResponse, frame.meta, frame.payload);
  });
}

class InMemoryLinkTest : public ::testing::Test {
 protected:
  InMemoryLinkTest() : group_(2, "link-test") { group_.Start(); }

  ~InMemoryLinkTest() override {
    // Connections must be closed before their loops stop.
    if (a_ != nullptr) ForceCloseAndWait(a_);
    if (b_ != nullptr) ForceCloseAndWait(b_);
    group_.Stop();
  }

  EventLoop* loop_a() { return group_.loop(0); }
  EventLoop* loop_b() { return group_.loop(1); }

  // Links a_ on `la` to b_ on `lb`, records both ends, lets `setup_a` and
  // `setup_b` replace callbacks, and starts b, then a.
  void Open(EventLoop* la, EventLoop* lb, ConnectionOptions options_a = {},
            ConnectionOptions options_b = {},
            absl::AnyInvocable<void(Connection&)> setup_a = nullptr,
            absl::AnyInvocable<void(Connection&)> setup_b = nullptr) {
    std::tie(a_, b_) = ConnectInMemory({la, std::string(kNameOfB), options_a},
                                       {lb, std::string(kNameOfA), options_b});
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
    seen_by_a_.Attach(*a_);
    seen_by_b_.Attach(*b_);
    if (setup_a) setup_a(*a_);
    if (setup_b) setup_b(*b_);
    RunInLoopAndWait(lb, [this] { b_->Start(); });
    RunInLoopAndWait(la, [this] { a_->Start(); });
  }

  // Declared first: destroyed after the loops stopped.
  Recorder seen_by_a_;
  Recorder seen_by_b_;
  EventLoopGroup group_;
  std::shared_ptr<Connection> a_;
  std::shared_ptr<Connection> b_;
};

TEST_F(InMemoryLinkTest, NamesThePeersAsGiven) {
  Open(loop_a(), loop_b());
  EXPECT_TRUE(a_->in_memory());
  EXPECT_EQ(a_->peer_name(), kNameOfB);
  EXPECT_EQ(b_->peer_name(), kNameOfA);
  EXPECT_TRUE(a_->connected());
  EXPECT_TRUE(b_->connected());
}

TEST_F(InMemoryLinkTest, ManyFramesCrossBothWaysInOrder) {
  Open(loop_a(), loop_b(), {}, {}, nullptr,
       [](Connection& b) { EchoRequests(b); });
  constexpr int kBatches = 8;
  constexpr int kPerBatch = 250;
  std::vector<Received> sent;
  for (int batch = 0; batch < kBatches; ++batch) {
    std::vector<Received> frames;
    for (int i = 0; i < kPerBatch; ++i) {
      const int n = batch * kPerBatch + i;
      frames.push_back(Received{FrameType::kRequest, absl::StrCat("m", n),
                                std::string(n % 97, static_cast<char>(n))});
    }
    // One batch per loop turn: one flush, one delivery task.
    RunInLoopAndWait(loop_a(), [this, &frames] {
      for (const Received& f : frames) {
        a_->SendFrame(f.type, f.meta, f.payload);
      }
    });
    sent.insert(sent.end(), frames.begin(), frames.end());
  }
  constexpr size_t kTotal = kBatches * kPerBatch;
  ASSERT_TRUE(seen_by_a_.WaitForFrames(kTotal));
  std::vector<Received> echoed = sent;
  for (Received& f : echoed) f.type = FrameType::kResponse;
  EXPECT_EQ(seen_by_a_.frames(), echoed);
  // b's frame callback is the echo; what b got is what a got back.
  EXPECT_THAT(seen_by_b_.closes(), IsEmpty());
  EXPECT_THAT(seen_by_a_.closes(), IsEmpty());
}

TEST_F(InMemoryLinkTest, LargeFramesCrossTheWatermarksIntact) {
  int high = 0;
  int writable = 0;
  Open(
      loop_a(), loop_b(), {}, {},
      [&](Connection& a) {
        a.SetHighWatermarkCallback([&](Connection&) { ++high; });
        a.SetWritableCallback([&](Connection&) { ++writable; });
      },
      [](Connection& b) { EchoRequests(b); });
  // Three 5 MiB frames in one turn: 15 MiB queued, above the default 8 MiB
  // high watermark; the flush hands all of it over at once.
  std::vector<std::string> payloads;
  for (char c : {'x', 'y', 'z'}) {
    std::string p(5 << 20, c);
    p[12345] = '!';  // not all one byte
    payloads.push_back(std::move(p));
  }
  RunInLoopAndWait(loop_a(), [&] {
    for (const std::string& p : payloads) {
      a_->SendFrame(FrameType::kRequest, "big", p);
    }
    EXPECT_EQ(high, 1);
  });
  ASSERT_TRUE(seen_by_a_.WaitForFrames(3));
  std::vector<Received> got = seen_by_a_.frames();
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].type, FrameType::kResponse);
    EXPECT_EQ(got[i].meta, "big");
    EXPECT_TRUE(got[i].payload == payloads[i]) << "frame " << i;
  }
  // The output counted as sent at the flush: a's queue drained.
  RunInLoopAndWait(loop_a(), [&] {
    EXPECT_EQ(high, 1);
    EXPECT_EQ(writable, 1);
    EXPECT_EQ(a_->pending_output_bytes(), 0u);
  });
}

TEST_F(InMemoryLinkTest, BothEndsOnOneLoop) {
  Open(loop_a(), loop_a(), {}, {}, nullptr,
       [](Connection& b) { EchoRequests(b); });
  RunInLoopAndWait(loop_a(), [this] {
    for (int i = 0; i < 100; ++i) {
      a_->SendFrame(FrameType::kRequest, absl::StrCat(i), "p");
    }
  });
  ASSERT_TRUE(seen_by_a_.WaitForFrames(100));
  std::vector<Received> got = seen_by_a_.frames();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(got[i].meta, absl::StrCat(i));
  }
  RunInLoopAndWait(loop_a(), [this] {
    a_->CloseGracefully(absl::OkStatus(), absl::Seconds(60));
  });
  ASSERT_TRUE(seen_by_b_.WaitForClose());
  ASSERT_TRUE(seen_by_a_.WaitForClose());
  EXPECT_THAT(seen_by_b_.closes(), ElementsAre(ClosedByPeer(kNameOfA)));
  EXPECT_THAT(seen_by_a_.closes(), ElementsAre(absl::OkStatus()));
}

TEST_F(InMemoryLinkTest, GracefulCloseEndsWhenThePeerClosesNotAtLinger) {
  Open(loop_a(), loop_b());
  // Far beyond kWaitTimeout: a closes in time only on b's FIN.
  const absl::Duration linger = absl::Seconds(60);
  const absl::Time start = absl::Now();
  RunInLoopAndWait(loop_a(), [&] {
    a_->SendFrame(FrameType::kGoAway, "bye", {});
    a_->CloseGracefully(absl::CancelledError("a is done"), linger);
  });
  ASSERT_TRUE(seen_by_b_.WaitForClose());
  ASSERT_TRUE(seen_by_a_.WaitForClose());
  // The frame queued before the close arrived, before the EOF.
  EXPECT_THAT(seen_by_b_.frames(),
              ElementsAre(Received{FrameType::kGoAway, "bye", ""}));
  EXPECT_THAT(seen_by_b_.closes(), ElementsAre(ClosedByPeer(kNameOfA)));
  EXPECT_THAT(seen_by_a_.closes(),
              ElementsAre(absl::CancelledError("a is done")));
  EXPECT_LT(seen_by_a_.closed_at() - start, linger / 2);
  EXPECT_FALSE(a_->connected());
  EXPECT_FALSE(b_->connected());
}

TEST_F(InMemoryLinkTest, ForceCloseDropsQueuedOutputAndThePeerSeesEof) {
  Open(loop_a(), loop_b());
  RunInLoopAndWait(loop_a(), [this] {
    a_->SendFrame(FrameType::kRequest, "m", "lost");  // never flushed
    a_->ForceClose(absl::CancelledError("a gave up"));
  });
  ASSERT_TRUE(seen_by_b_.WaitForClose());
  EXPECT_THAT(seen_by_b_.frames(), IsEmpty());
  EXPECT_THAT(seen_by_b_.closes(), ElementsAre(ClosedByPeer(kNameOfA)));
  EXPECT_THAT(seen_by_a_.closes(),
              ElementsAre(absl::CancelledError("a gave up")));
  // Messages name the peer by its name, never by its (absent) address.
  EXPECT_THAT(seen_by_b_.closes()[0].message(),
              Not(HasSubstr("<unspecified>")));
}

TEST_F(InMemoryLinkTest, OversizedFrameIsAProtocolErrorAtTheReceiver) {
  ConnectionOptions small;
  small.max_frame_size = 1024;
  Open(loop_a(), loop_b(), {}, small);
  RunInLoopAndWait(loop_a(), [this] {
    a_->SendFrame(FrameType::kRequest, "m", std::string(2048, 'p'));
  });
  ASSERT_TRUE(seen_by_b_.WaitForClose());
  ASSERT_TRUE(seen_by_a_.WaitForClose());
  EXPECT_THAT(seen_by_b_.frames(), IsEmpty());
  ASSERT_EQ(seen_by_b_.closes().size(), 1u);
  EXPECT_EQ(seen_by_b_.closes()[0].code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(seen_by_a_.closes(), ElementsAre(ClosedByPeer(kNameOfB)));
}

TEST_F(InMemoryLinkTest, ProtocolErrorCallbackSendsGoAwayThenBothClose) {
  ConnectionOptions small;
  small.max_frame_size = 1024;
  std::vector<absl::Status> errors;  // b's loop only, read after the close
  Open(loop_a(), loop_b(), {}, small, nullptr, [&](Connection& b) {
    b.SetProtocolErrorCallback([&](Connection& c, const absl::Status& error) {
      errors.push_back(error);
      c.SendFrame(FrameType::kGoAway, error.message(), {});
      // Far beyond kWaitTimeout: b closes in time only on a's FIN.
      c.CloseGracefully(error, absl::Seconds(60));
    });
  });
  RunInLoopAndWait(loop_a(), [this] {
    a_->SendFrame(FrameType::kRequest, "m", std::string(2048, 'p'));
  });
  ASSERT_TRUE(seen_by_b_.WaitForClose());
  ASSERT_TRUE(seen_by_a_.WaitForClose());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), absl::StatusCode::kResourceExhausted);
  // a got the GOAWAY, then b's FIN; its FIN ended b's graceful close.
  EXPECT_THAT(seen_by_a_.frames(),
              ElementsAre(Received{FrameType::kGoAway,
                                   std::string(errors[0].message()), ""}));
  EXPECT_THAT(seen_by_a_.closes(), ElementsAre(ClosedByPeer(kNameOfB)));
  EXPECT_THAT(seen_by_b_.closes(), ElementsAre(errors[0]));
}

TEST_F(InMemoryLinkTest, GracefulCloseWhilePausedTakesTheHeldBackEof) {
  Open(loop_a(), loop_b());
  RunInLoopAndWait(loop_b(), [this] { b_->PauseReading(); });
  ForceCloseAndWait(a_);
  // b's EOF waits for the resume, as a socket's FIN waits in the kernel...
  RunInLoopAndWait(loop_b(), [] {});
  EXPECT_THAT(seen_by_b_.closes(), IsEmpty());
  // ...but a closing connection reads it, so the close does not linger.
  RunInLoopAndWait(loop_b(), [this] {
    b_->CloseGracefully(absl::OkStatus(), absl::Seconds(60));
  });
  ASSERT_TRUE(seen_by_b_.WaitForClose());
  EXPECT_THAT(seen_by_b_.closes(), ElementsAre(absl::OkStatus()));
}

// The end whose loop stops first closed; the other end then sends and
// closes. Under ASan a post to the destroyed loop would be a use after free.
TEST_F(InMemoryLinkTest, PeerLoopDestroyedAfterItsEndClosed) {
  auto own_loop = std::make_unique<EventLoop>();
  std::thread own_thread([loop = own_loop.get()] { loop->Run(); });
  Open(loop_a(), own_loop.get());
  // Kept alive (closed) throughout, so the link still knows it; not in b_,
  // which the fixture would close on a loop that is gone.
  std::shared_ptr<Connection> b = std::move(b_);
  std::weak_ptr<Connection> weak_a = a_;
  std::weak_ptr<Connection> weak_b = b;

  // Hold a's loop so that b's EOF cannot reach a before a sends again.
  absl::Notification b_loop_gone;
  absl::Notification a_done;
  loop_a()->Post([&] {
    b_loop_gone.WaitForNotification();
    a_->SendFrame(FrameType::kRequest, "m", "after b closed");
    a_->CloseGracefully(absl::OkStatus(), absl::Seconds(60));
    a_done.Notify();
  });
  ForceCloseAndWait(b);
  own_loop->Quit();
  own_thread.join();
  own_loop.reset();
  b_loop_gone.Notify();

  a_done.WaitForNotification();
  // The flush and the FIN that follow a's task go nowhere; b's EOF, queued
  // on a's loop before b's loop went away, ends a's graceful close.
  ASSERT_TRUE(seen_by_a_.WaitForClose());
  EXPECT_THAT(seen_by_a_.closes(), ElementsAre(absl::OkStatus()));
  EXPECT_THAT(seen_by_b_.frames(), IsEmpty());
  EXPECT_THAT(seen_by_b_.closes(), ElementsAre(absl::OkStatus()));

  // Nothing keeps either connection alive (LSan checks the rest).
  a_.reset();
  b.reset();
  group_.Stop();
  EXPECT_TRUE(weak_a.expired());
  EXPECT_TRUE(weak_b.expired());
}

TEST_F(InMemoryLinkTest, EverythingIsFreedOnceBothEndsClosed) {
  Open(loop_a(), loop_b(), {}, {}, nullptr,
       [](Connection& b) { EchoRequests(b); });
  // Callbacks that hold their own connection, as owners' often do.
  RunInLoopAndWait(loop_a(), [this] {
    a_->SetHighWatermarkCallback([self = a_](Connection&) {});
  });
  RunInLoopAndWait(loop_a(),
                   [this] { a_->SendFrame(FrameType::kRequest, "m", "p"); });
  ASSERT_TRUE(seen_by_a_.WaitForFrames(1));
  // Output queued on both sides while they close: tasks in flight.
  RunInLoopAndWait(loop_b(),
                   [this] { b_->SendFrame(FrameType::kPing, {}, "12345678"); });
  RunInLoopAndWait(loop_a(), [this] {
    a_->SendFrame(FrameType::kPing, {}, "12345678");
    a_->CloseGracefully(absl::OkStatus());
  });
  ASSERT_TRUE(seen_by_a_.WaitForClose());
  ASSERT_TRUE(seen_by_b_.WaitForClose());
  std::weak_ptr<Connection> weak_a = a_;
  std::weak_ptr<Connection> weak_b = b_;
  a_.reset();
  b_.reset();
  // Stopping runs what is still queued (the post-close releases).
  group_.Stop();
  EXPECT_TRUE(weak_a.expired());
  EXPECT_TRUE(weak_b.expired());
}

}  // namespace
}  // namespace framerpc::transport
