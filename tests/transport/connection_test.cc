// Copyright 2026 The framerpc Authors.

#include "transport/connection.h"

#include <signal.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transport/test_server.h"
#include "tests/transport/test_util.h"
#include "transport/event_loop_group.h"
#include "transport/frame_codec.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::AcceptBlocking;
using ::framerpc::transport::testing::ConnectBlocking;
using ::framerpc::transport::testing::CountTcpSockets;
using ::framerpc::transport::testing::Dial;
using ::framerpc::transport::testing::EncodeFrame;
using ::framerpc::transport::testing::ForceCloseAndWait;
using ::framerpc::transport::testing::kWaitTimeout;
using ::framerpc::transport::testing::ListenBlocking;
using ::framerpc::transport::testing::ReadUpTo;
using ::framerpc::transport::testing::RunInLoopAndWait;
using ::framerpc::transport::testing::TestServer;
using ::framerpc::transport::testing::WaitForEof;
using ::framerpc::transport::testing::WriteAll;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Records the close reason of a connection, from any thread.
class CloseRecorder {
 public:
  Connection::CloseCallback Callback() {
    return [this](Connection&, const absl::Status& reason) {
      absl::MutexLock lock(&mu_);
      reason_ = reason;
      ++calls_;
      closed_.Notify();
    };
  }
  // Waits for the close; returns its reason.
  absl::Status Wait() {
    EXPECT_TRUE(closed_.WaitForNotificationWithTimeout(kWaitTimeout))
        << "connection did not close";
    absl::MutexLock lock(&mu_);
    return reason_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  absl::Status reason_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Notification closed_;
};

class ConnectionTest : public ::testing::Test {
 protected:
  ConnectionTest() : loops_(1, "conn-test") { loops_.Start(); }
  EventLoop* loop() { return loops_.loop(0); }

  EventLoopGroup loops_;
};

// A client Connection to a raw peer the test drives byte by byte.
struct RawPeerPair {
  Socket listener;
  Socket peer;  // the raw, blocking end
  std::shared_ptr<Connection> conn;
};

RawPeerPair ConnectToRawPeer(EventLoop* loop,
                             absl::AnyInvocable<void(Connection&)> setup,
                             ConnectionOptions options = {}) {
  RawPeerPair pair;
  pair.listener = ListenBlocking();
  pair.conn =
      Dial(loop, *pair.listener.LocalEndpoint(), std::move(setup), options);
  pair.peer = AcceptBlocking(pair.listener);
  EXPECT_TRUE(pair.peer.valid());
  return pair;
}

TEST_F(ConnectionTest, DeliversFramesAndSendsReplies) {
  TestServer server(loop());
  ASSERT_TRUE(server.Listen().ok());
  Socket client = ConnectBlocking(server.endpoint());
  // Three frames in one write: parsed from one read.
  const std::string frames = EncodeFrame(FrameType::kRequest, "a", "1") +
                             EncodeFrame(FrameType::kPing, "", "12345678") +
                             EncodeFrame(FrameType::kRequest, "c", "333");
  WriteAll(client, frames);
  EXPECT_EQ(ReadUpTo(client, frames.size()), frames);
}

TEST_F(ConnectionTest, PeerClosingMidFrameIsReportedAsMidFrame) {
  CloseRecorder recorder;
  TestServer server(loop(), [&](Connection& conn) {
    conn.SetCloseCallback(recorder.Callback());
  });
  ASSERT_TRUE(server.Listen().ok());
  {
    Socket client = ConnectBlocking(server.endpoint());
    const std::string frame =
        EncodeFrame(FrameType::kRequest, "0123456789", std::string(100, 'p'));
    ASSERT_EQ(frame.size(), 126u);
    WriteAll(client, frame.substr(0, 36));
  }  // closed: FIN after 36 of 126 bytes
  std::vector<absl::Status> reasons = server.WaitForClosed(1);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(reasons[0].message()),
              StartsWith("connection to 127.0.0.1:"));
  EXPECT_THAT(reasons[0].message(),
              HasSubstr("closed by peer in the middle of a frame (36 of 126 "
                        "bytes received)"));
}

TEST_F(ConnectionTest, PeerEofClosesConnectionWithoutLeavingCloseWait) {
  TestServer server(loop());
  ASSERT_TRUE(server.Listen().ok());
  {
    Socket client = ConnectBlocking(server.endpoint());
    const std::string frame = EncodeFrame(FrameType::kRequest, "m", "p");
    WriteAll(client, frame);
    ASSERT_EQ(ReadUpTo(client, frame.size()), frame);
  }
  std::vector<absl::Status> reasons = server.WaitForClosed(1);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(reasons[0].message(), HasSubstr("closed by peer"));
  EXPECT_THAT(reasons[0].message(), ::testing::Not(HasSubstr("middle")));
  // The close callback runs after the fd was closed: the kernel has no
  // socket of ours left in CLOSE_WAIT ("08" in /proc/net/tcp).
  EXPECT_EQ(CountTcpSockets(server.endpoint().port(), "08"), 0);
}

TEST_F(ConnectionTest, WritingToResetPeerReportsErrorWithoutSigpipe) {
  // Restore the default action, so a SIGPIPE would kill this test.
  struct sigaction old_action;
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  ASSERT_EQ(::sigaction(SIGPIPE, &dfl, &old_action), 0);

  CloseRecorder recorder;
  absl::Notification high;
  ConnectionOptions options;
  options.high_watermark = 256 << 10;
  options.low_watermark = 128 << 10;
  RawPeerPair pair = ConnectToRawPeer(
      loop(),
      [&](Connection& conn) {
        conn.SetCloseCallback(recorder.Callback());
        conn.SetHighWatermarkCallback([&](Connection&) { high.Notify(); });
      },
      options);
  ASSERT_NE(pair.conn, nullptr);
  // The raw peer reads nothing: 32 MiB cannot all fit in the socket buffers,
  // so output stays queued and the connection waits for EPOLLOUT.
  size_t pending = 0;
  RunInLoopAndWait(loop(), [&] {
    for (int i = 0; i < 32; ++i) {
      pair.conn->SendFrame(FrameType::kRequest, "m", std::string(1 << 20, 'x'));
    }
  });
  RunInLoopAndWait(loop(),
                   [&] { pending = pair.conn->pending_output_bytes(); });
  ASSERT_TRUE(high.HasBeenNotified());
  ASSERT_GT(pending, 0u);
  // Reset: close with SO_LINGER 0 sends RST instead of FIN.
  ASSERT_TRUE(pair.peer.SetLingerZero().ok());
  pair.peer.Close();

  absl::Status reason = recorder.Wait();
  EXPECT_EQ(reason.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(reason.message()), StartsWith("write to 127.0.0.1:"));
  EXPECT_THAT(reason.message(),
              ::testing::AnyOf(HasSubstr("Connection reset by peer"),
                               HasSubstr("Broken pipe")));
  // Still alive: no SIGPIPE. Sending after the close is silently dropped.
  RunInLoopAndWait(loop(), [&] {
    pair.conn->SendFrame(FrameType::kRequest, "m", "p");
    EXPECT_EQ(pair.conn->pending_output_bytes(), 0u);
    EXPECT_FALSE(pair.conn->connected());
  });
  EXPECT_EQ(recorder.calls(), 1);
  ::sigaction(SIGPIPE, &old_action, nullptr);
}

TEST_F(ConnectionTest, WatermarkCallbacksFireWhenPeerStopsAndResumesReading) {
  std::atomic<int> high_calls{0};
  std::atomic<int> writable_calls{0};
  absl::Notification writable;
  size_t pending_when_writable = 0;
  ConnectionOptions options;
  options.high_watermark = 1 << 20;
  options.low_watermark = 256 << 10;
  RawPeerPair pair = ConnectToRawPeer(
      loop(),
      [&](Connection& conn) {
        conn.SetHighWatermarkCallback([&](Connection&) { ++high_calls; });
        conn.SetWritableCallback([&](Connection& c) {
          pending_when_writable = c.pending_output_bytes();
          ++writable_calls;
          writable.Notify();
        });
      },
      options);
  ASSERT_NE(pair.conn, nullptr);
  const std::string frame =
      EncodeFrame(FrameType::kRequest, "m", std::string(64 << 10, 'w'));
  constexpr int kFrames = 256;  // 16 MiB: far above the high watermark
  RunInLoopAndWait(loop(), [&] {
    for (int i = 0; i < kFrames; ++i) {
      pair.conn->SendFrame(FrameType::kRequest, "m",
                           std::string(64 << 10, 'w'));
    }
  });
  EXPECT_EQ(high_calls, 1);  // once per crossing, not once per frame
  EXPECT_EQ(writable_calls, 0);
  // The peer starts reading: the queue drains, the writable callback fires.
  const std::string got = ReadUpTo(pair.peer, frame.size() * kFrames);
  ASSERT_EQ(got.size(), frame.size() * kFrames);
  for (int i = 0; i < kFrames; ++i) {
    ASSERT_EQ(absl::string_view(got).substr(i * frame.size(), frame.size()),
              frame)
        << "frame " << i;
  }
  ASSERT_TRUE(writable.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_EQ(writable_calls, 1);
  EXPECT_LT(pending_when_writable, options.low_watermark);
  EXPECT_EQ(high_calls, 1);
  ForceCloseAndWait(pair.conn);
}

TEST_F(ConnectionTest, BorrowedBodiesArriveInOrderAfterTheirOwnersLetGo) {
  RawPeerPair pair = ConnectToRawPeer(loop(), [](Connection&) {});
  ASSERT_NE(pair.conn, nullptr);
  std::string expected;
  // Large bodies (sent from where they are) between small frames (copied),
  // 100 of each, 5 MiB in all: more than the kernel takes in one write, so
  // the rest is copied into the output buffer at the end of the turn.
  constexpr int kFrames = 100;
  RunInLoopAndWait(loop(), [&] {
    for (int i = 0; i < kFrames; ++i) {
      auto body = std::make_shared<std::string>(
          absl::StrCat("m", i, std::string(50000 + i, 'a' + i % 26)));
      FrameHeader header;
      header.type = FrameType::kResponse;
      header.meta_length = static_cast<uint32_t>(absl::StrCat("m", i).size());
      header.payload_length =
          static_cast<uint32_t>(body->size() - header.meta_length);
      pair.conn->SendFrame(header, *body, body);
      expected += EncodeFrame(FrameType::kResponse, absl::StrCat("m", i),
                              body->substr(header.meta_length));
      // The caller lets go at once: the connection keeps the body alive.
      body.reset();
      pair.conn->SendFrame(FrameType::kRequest, absl::StrCat("s", i), "x");
      expected += EncodeFrame(FrameType::kRequest, absl::StrCat("s", i), "x");
    }
  });
  const std::string got = ReadUpTo(pair.peer, expected.size());
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
  ForceCloseAndWait(pair.conn);
}

TEST_F(ConnectionTest, GracefulCloseDeliversAllQueuedOutputBeforeFin) {
  CloseRecorder recorder;
  RawPeerPair pair = ConnectToRawPeer(loop(), [&](Connection& conn) {
    conn.SetCloseCallback(recorder.Callback());
  });
  ASSERT_NE(pair.conn, nullptr);
  std::string expected;
  constexpr int kFrames = 100;
  RunInLoopAndWait(loop(), [&] {
    for (int i = 0; i < kFrames; ++i) {
      const std::string payload(50000 + i, static_cast<char>('a' + i % 26));
      pair.conn->SendFrame(FrameType::kResponse, absl::StrCat("r", i), payload);
      expected +=
          EncodeFrame(FrameType::kResponse, absl::StrCat("r", i), payload);
    }
    // Right behind the sends, in the same loop turn: nothing is written yet.
    pair.conn->CloseGracefully(absl::OkStatus(), absl::Seconds(30));
    EXPECT_FALSE(pair.conn->connected());
    pair.conn->SendFrame(FrameType::kRequest, "dropped", "");
  });
  // Everything arrives, then EOF (FIN), and nothing after.
  const std::string got = ReadUpTo(pair.peer, expected.size() + 1);
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected);
  // The connection waits for our FIN, then closes with the given reason.
  pair.peer.Close();
  EXPECT_TRUE(recorder.Wait().ok());
}

TEST_F(ConnectionTest, GracefulCloseFromFrameCallbackRepliesThenCloses) {
  TestServer server(loop(), [](Connection& conn) {
    conn.SetFrameCallback([](Connection& c, const FrameView& frame) {
      c.SendFrame(FrameType::kResponse, frame.meta, frame.payload);
      c.CloseGracefully(absl::OkStatus());
      c.SendFrame(FrameType::kResponse, "too", "late");
    });
  });
  ASSERT_TRUE(server.Listen().ok());
  Socket client = ConnectBlocking(server.endpoint());
  // Two frames in one write: the second arrives after the close began and
  // is discarded.
  WriteAll(client, EncodeFrame(FrameType::kRequest, "1", "first") +
                       EncodeFrame(FrameType::kRequest, "2", "second"));
  const std::string reply = EncodeFrame(FrameType::kResponse, "1", "first");
  EXPECT_EQ(ReadUpTo(client, reply.size() + 1), reply);  // then EOF
  client.Close();
  std::vector<absl::Status> reasons = server.WaitForClosed(1);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_TRUE(reasons[0].ok()) << reasons[0];
}

TEST_F(ConnectionTest, GracefulCloseGivesUpAfterLinger) {
  CloseRecorder recorder;
  RawPeerPair pair = ConnectToRawPeer(loop(), [&](Connection& conn) {
    conn.SetCloseCallback(recorder.Callback());
  });
  ASSERT_NE(pair.conn, nullptr);
  RunInLoopAndWait(loop(), [&] {
    pair.conn->CloseGracefully(absl::CancelledError("shutting down"),
                               absl::Milliseconds(50));
  });
  // The raw peer never closes; the linger timer closes instead.
  absl::Status reason = recorder.Wait();
  EXPECT_EQ(reason, absl::CancelledError("shutting down"));
  EXPECT_TRUE(WaitForEof(pair.peer));
}

TEST_F(ConnectionTest, ProtocolErrorClosesOnlyThatConnection) {
  absl::Notification error_seen;
  absl::Status error_reported;
  TestServer server(loop(), [&](Connection& conn) {
    conn.SetProtocolErrorCallback(
        [&](Connection& c, const absl::Status& error) {
          error_reported = error;
          c.SendFrame(FrameType::kGoAway, error.message(), "");
          c.CloseGracefully(error);
          error_seen.Notify();
        });
  });
  ASSERT_TRUE(server.Listen().ok());
  Socket good = ConnectBlocking(server.endpoint());
  Socket bad = ConnectBlocking(server.endpoint());
  ASSERT_EQ(server.WaitForAccepted(2), 2u);

  WriteAll(bad, "GET / HTTP/1.1\r\nHost: example\r\n\r\n");
  ASSERT_TRUE(error_seen.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_EQ(error_reported.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(error_reported.message(),
            "bad magic 0x47455420 (not a framerpc peer?)");

  // The bad peer gets a GOAWAY naming the problem, then EOF.
  const std::string goaway =
      EncodeFrame(FrameType::kGoAway, error_reported.message(), "");
  EXPECT_EQ(ReadUpTo(bad, goaway.size()), goaway);
  EXPECT_TRUE(WaitForEof(bad));
  bad.Close();
  std::vector<absl::Status> reasons = server.WaitForClosed(1);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], error_reported);

  // The other connection is untouched.
  const std::string frame = EncodeFrame(FrameType::kRequest, "still", "here");
  WriteAll(good, frame);
  EXPECT_EQ(ReadUpTo(good, frame.size()), frame);
}

TEST_F(ConnectionTest, OversizedFrameWithoutErrorCallbackForceCloses) {
  ConnectionOptions options;
  options.max_frame_size = 1024;
  TestServer server(loop(), nullptr, options);
  ASSERT_TRUE(server.Listen().ok());
  Socket client = ConnectBlocking(server.endpoint());
  // Only the header of a 1 MiB frame: refused without waiting for the body.
  WriteAll(client,
           EncodeFrame(FrameType::kRequest, "m", std::string(1 << 20, 'x'))
               .substr(0, kFrameHeaderSize));
  std::vector<absl::Status> reasons = server.WaitForClosed(1);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0].code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(reasons[0].message(),
            "frame of 1048593 bytes exceeds the limit of 1024 bytes");
  EXPECT_TRUE(WaitForEof(client));
}

TEST_F(ConnectionTest, PausedConnectionDeliversBufferedFramesOnResume) {
  std::shared_ptr<Connection> server_conn;
  std::atomic<int> delivered{0};
  absl::Notification first;
  absl::Notification all;
  TestServer server(loop(), [&](Connection& conn) {
    server_conn = conn.shared_from_this();
    conn.SetFrameCallback([&](Connection& c, const FrameView&) {
      if (++delivered == 1) {
        c.PauseReading();
        first.Notify();
      }
      if (delivered == 3) all.Notify();
    });
  });
  ASSERT_TRUE(server.Listen().ok());
  Socket client = ConnectBlocking(server.endpoint());
  const std::string frame = EncodeFrame(FrameType::kRequest, "m", "p");
  WriteAll(client, frame + frame + frame);
  ASSERT_TRUE(first.WaitForNotificationWithTimeout(kWaitTimeout));
  // Paused inside the first callback: the rest waits in the buffer.
  RunInLoopAndWait(loop(), [&] { EXPECT_EQ(delivered, 1); });
  RunInLoopAndWait(loop(), [&] { server_conn->ResumeReading(); });
  ASSERT_TRUE(all.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_EQ(delivered, 3);
  RunInLoopAndWait(loop(), [&] { server_conn.reset(); });
}

TEST_F(ConnectionTest, ForceCloseReportsGivenReasonOnceAndIsIdempotent) {
  CloseRecorder recorder;
  RawPeerPair pair = ConnectToRawPeer(loop(), [&](Connection& conn) {
    conn.SetCloseCallback(recorder.Callback());
  });
  ASSERT_NE(pair.conn, nullptr);
  EXPECT_TRUE(pair.conn->connected());
  EXPECT_EQ(pair.conn->peer(), *pair.listener.LocalEndpoint());
  RunInLoopAndWait(loop(), [&] {
    pair.conn->SendFrame(FrameType::kRequest, "unsent", "");
    pair.conn->ForceClose(absl::AbortedError("bye"));
    pair.conn->ForceClose(absl::AbortedError("again"));
    pair.conn->CloseGracefully(absl::OkStatus());
  });
  EXPECT_EQ(recorder.Wait(), absl::AbortedError("bye"));
  EXPECT_EQ(recorder.calls(), 1);
  EXPECT_FALSE(pair.conn->connected());
  // Unsent output was dropped: the peer sees EOF and no bytes.
  EXPECT_EQ(ReadUpTo(pair.peer, 1), "");
}

TEST_F(ConnectionTest, IdsAreUniqueAndReceiveTimeAdvances) {
  RawPeerPair a = ConnectToRawPeer(loop(), nullptr);
  RawPeerPair b = ConnectToRawPeer(loop(), nullptr);
  ASSERT_NE(a.conn, nullptr);
  ASSERT_NE(b.conn, nullptr);
  EXPECT_NE(a.conn->id(), b.conn->id());
  absl::Time started;
  RunInLoopAndWait(loop(), [&] { started = a.conn->last_receive_time(); });
  absl::Notification got;
  RunInLoopAndWait(loop(), [&] {
    a.conn->SetFrameCallback(
        [&](Connection&, const FrameView&) { got.Notify(); });
  });
  WriteAll(a.peer, EncodeFrame(FrameType::kPing, "", "12345678"));
  ASSERT_TRUE(got.WaitForNotificationWithTimeout(kWaitTimeout));
  RunInLoopAndWait(loop(),
                   [&] { EXPECT_GE(a.conn->last_receive_time(), started); });
  ForceCloseAndWait(a.conn);
  ForceCloseAndWait(b.conn);
}

}  // namespace
}  // namespace framerpc::transport
