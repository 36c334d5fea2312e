// Copyright 2026 The framerpc Authors.
//
// Connection::CreateInMemory: the socket connection's parsing, callbacks,
// watermarks and close semantics, with input pushed by the test and output
// handed to a callback. The fuzzers drive the server through this mode, so
// these tests pin down what they rely on.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transport/test_util.h"
#include "transport/connection.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/frame.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::EncodeFrame;
using ::framerpc::transport::testing::Received;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Received Frame(FrameType type, absl::string_view meta,
               absl::string_view payload) {
  return Received{type, std::string(meta), std::string(payload)};
}

// An in-memory connection on a loop that the test's own thread runs, one
// step at a time: Step(fn) runs `fn` on the loop, then the rest of that
// turn (the end-of-turn flush) and every task posted meanwhile.
class InMemoryConnectionTest : public ::testing::Test {
 protected:
  ~InMemoryConnectionTest() override {
    // A connection must be closed before its loop goes away.
    if (conn_ != nullptr) Step([this] { conn_->ForceClose(absl::OkStatus()); });
  }

  void Step(absl::AnyInvocable<void()> fn) {
    loop_.Post([this, fn = std::move(fn)]() mutable {
      fn();
      loop_.Quit();
    });
    loop_.Run();
  }

  // Creates and starts the connection. `setup` may add callbacks; the
  // default ones record frames and the close.
  void Open(ConnectionOptions options = {},
            absl::AnyInvocable<void(Connection&)> setup = nullptr) {
    conn_ = Connection::CreateInMemory(
        &loop_, *Endpoint::Parse("192.0.2.1:4000"), options,
        [this](absl::string_view bytes) { outputs_.emplace_back(bytes); });
    conn_->SetFrameCallback([this](Connection&, const FrameView& frame) {
      frames_.push_back(Frame(frame.header.type, frame.meta, frame.payload));
    });
    conn_->SetCloseCallback([this](Connection&, const absl::Status& reason) {
      closes_.push_back(reason);
    });
    if (setup) setup(*conn_);
    Step([this] { conn_->Start(); });
  }

  void Receive(absl::string_view bytes) {
    Step([this, bytes] { conn_->ReceiveBytes(bytes); });
  }
  void ReceiveEof() {
    Step([this] { conn_->ReceiveEof(); });
  }

  std::string AllOutput() const {
    std::string all;
    for (const std::string& chunk : outputs_) all += chunk;
    return all;
  }

  EventLoop loop_;
  std::shared_ptr<Connection> conn_;
  std::vector<Received> frames_;
  std::vector<std::string> outputs_;
  std::vector<absl::Status> closes_;
};

TEST_F(InMemoryConnectionTest, DeliversFramesSplitAcrossReceiveBytesCalls) {
  Open();
  const std::string stream = EncodeFrame(FrameType::kRequest, "meta", "pay") +
                             EncodeFrame(FrameType::kPing, "", "12345678");
  const size_t first_size = kFrameHeaderSize + 4 + 3;
  // One byte at a time: nothing is delivered before a frame is complete.
  for (size_t i = 0; i < stream.size(); ++i) {
    Receive(stream.substr(i, 1));
    const size_t expected = i + 1 < first_size      ? 0
                            : i + 1 < stream.size() ? 1
                                                    : 2;
    ASSERT_EQ(frames_.size(), expected) << "after byte " << i;
  }
  EXPECT_THAT(frames_, ElementsAre(Frame(FrameType::kRequest, "meta", "pay"),
                                   Frame(FrameType::kPing, "", "12345678")));
  EXPECT_THAT(closes_, IsEmpty());
}

TEST_F(InMemoryConnectionTest, TracksAnIncompleteFrame) {
  Open();
  const std::string frame = EncodeFrame(FrameType::kRequest, "m", "p");
  Step([&] {
    EXPECT_EQ(conn_->incomplete_frame_since(), absl::InfiniteFuture());
    conn_->ReceiveBytes(absl::string_view(frame).substr(0, 5));
    EXPECT_NE(conn_->incomplete_frame_since(), absl::InfiniteFuture());
    conn_->ReceiveBytes(absl::string_view(frame).substr(5));
    EXPECT_EQ(conn_->incomplete_frame_since(), absl::InfiniteFuture());
  });
  EXPECT_EQ(frames_.size(), 1u);
}

TEST_F(InMemoryConnectionTest, OutputOfOneTurnReachesOnOutputInOneCall) {
  Open({}, [](Connection& conn) {
    conn.SetFrameCallback([](Connection& c, const FrameView& frame) {
      c.SendFrame(FrameType::kPong, {}, frame.payload);
    });
  });
  const std::string pings = EncodeFrame(FrameType::kPing, "", "aaaaaaaa") +
                            EncodeFrame(FrameType::kPing, "", "bbbbbbbb");
  Step([&] {
    conn_->ReceiveBytes(pings);
    // Written at the end of the turn, as a socket connection would.
    EXPECT_THAT(outputs_, IsEmpty());
    EXPECT_GT(conn_->pending_output_bytes(), 0u);
  });
  EXPECT_THAT(outputs_,
              ElementsAre(EncodeFrame(FrameType::kPong, "", "aaaaaaaa") +
                          EncodeFrame(FrameType::kPong, "", "bbbbbbbb")));
  Step([&] { EXPECT_EQ(conn_->pending_output_bytes(), 0u); });
}

TEST_F(InMemoryConnectionTest, ProtocolErrorWithoutCallbackClosesAtOnce) {
  Open();
  Receive(EncodeFrame(FrameType::kRequest, "m", "p") + "GET / HTTP/1.1\r\n");
  EXPECT_THAT(frames_, ElementsAre(Frame(FrameType::kRequest, "m", "p")));
  ASSERT_EQ(closes_.size(), 1u);
  EXPECT_EQ(closes_[0].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(closes_[0].message(), HasSubstr("bad magic"));
  // Closed: later input is ignored, nothing is written.
  Receive(EncodeFrame(FrameType::kRequest, "m", "p"));
  EXPECT_EQ(frames_.size(), 1u);
  EXPECT_THAT(outputs_, IsEmpty());
}

TEST_F(InMemoryConnectionTest, ProtocolErrorCallbackSendsGoAwayThenCloses) {
  std::vector<absl::Status> errors;
  Open({}, [&](Connection& conn) {
    conn.SetProtocolErrorCallback(
        [&](Connection& c, const absl::Status& error) {
          errors.push_back(error);
          c.SendFrame(FrameType::kGoAway, error.message(), {});
        });
  });
  // An oversized frame is refused from its header alone.
  std::string header(kFrameHeaderSize, '\0');
  FrameHeader big;
  big.type = FrameType::kRequest;
  big.meta_length = 1;
  big.payload_length = 1 << 30;
  FrameCodec::EncodeHeader(big, header.data());
  Receive(header);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(AllOutput(),
            EncodeFrame(FrameType::kGoAway, errors[0].message(), ""));
  // Closing gracefully: more bytes are discarded, the peer's FIN ends it.
  EXPECT_THAT(closes_, IsEmpty());
  Receive(EncodeFrame(FrameType::kRequest, "m", "p"));
  EXPECT_THAT(frames_, IsEmpty());
  ReceiveEof();
  ASSERT_EQ(closes_.size(), 1u);
  EXPECT_EQ(closes_[0], errors[0]);
}

TEST_F(InMemoryConnectionTest, EofClosesAndNamesAPartialFrame) {
  Open();
  const std::string frame =
      EncodeFrame(FrameType::kRequest, "0123456789", std::string(100, 'p'));
  Receive(frame.substr(0, 36));
  ReceiveEof();
  ASSERT_EQ(closes_.size(), 1u);
  EXPECT_EQ(closes_[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(closes_[0].message(),
            "connection to 192.0.2.1:4000 closed by peer in the middle of a "
            "frame (36 of 126 bytes received)");
}

TEST_F(InMemoryConnectionTest, EofAfterWholeFramesIsAPlainClose) {
  Open();
  Receive(EncodeFrame(FrameType::kRequest, "m", "p"));
  ReceiveEof();
  ReceiveEof();  // ignored
  ASSERT_EQ(closes_.size(), 1u);
  EXPECT_EQ(closes_[0], absl::UnavailableError(
                            "connection to 192.0.2.1:4000 closed by peer"));
}

TEST_F(InMemoryConnectionTest, GracefulCloseFlushesOutputAndWaitsForEof) {
  Open();
  Step([&] {
    conn_->SendFrame(FrameType::kGoAway, "bye", {});
    conn_->CloseGracefully(absl::OkStatus());
    EXPECT_FALSE(conn_->connected());
    // Dropped: the connection is closing.
    conn_->SendFrame(FrameType::kPing, {}, "12345678");
  });
  EXPECT_EQ(AllOutput(), EncodeFrame(FrameType::kGoAway, "bye", ""));
  EXPECT_THAT(closes_, IsEmpty());
  ReceiveEof();
  ASSERT_EQ(closes_.size(), 1u);
  EXPECT_TRUE(closes_[0].ok());
}

TEST_F(InMemoryConnectionTest, ForceCloseDropsQueuedOutput) {
  Open();
  Step([&] {
    conn_->SendFrame(FrameType::kPing, {}, "12345678");
    conn_->ForceClose(absl::CancelledError("test"));
  });
  EXPECT_THAT(outputs_, IsEmpty());
  EXPECT_THAT(closes_, ElementsAre(absl::CancelledError("test")));
}

TEST_F(InMemoryConnectionTest, WatermarksPauseAndResumeReading) {
  ConnectionOptions options;
  options.high_watermark = 100;
  options.low_watermark = 50;
  int high = 0;
  int writable = 0;
  Open(options, [&](Connection& conn) {
    conn.SetFrameCallback([&](Connection& c, const FrameView& frame) {
      frames_.push_back(Frame(frame.header.type, frame.meta, frame.payload));
      c.SendFrame(FrameType::kResponse, frame.meta, std::string(200, 'r'));
    });
    // Like the server: stop reading while answers pile up.
    conn.SetHighWatermarkCallback([&](Connection& c) {
      ++high;
      c.PauseReading();
    });
    conn.SetWritableCallback([&](Connection& c) {
      ++writable;
      c.ResumeReading();
    });
  });
  const std::string request = EncodeFrame(FrameType::kRequest, "m", "p");
  // Three requests then EOF, in one turn: the first answer crosses the high
  // watermark and pauses reading, so the other two and the EOF wait.
  Step([&] {
    conn_->ReceiveBytes(request + request + request);
    EXPECT_EQ(frames_.size(), 1u);
    conn_->ReceiveEof();
    EXPECT_THAT(closes_, IsEmpty());
  });
  // The end-of-turn flush drained the output: writable → resume → the
  // buffered frames, then the EOF, each pausing and resuming again.
  EXPECT_EQ(frames_.size(), 3u);
  EXPECT_EQ(high, 3);
  EXPECT_EQ(writable, 3);
  EXPECT_EQ(outputs_.size(), 3u);
  ASSERT_EQ(closes_.size(), 1u);
  EXPECT_EQ(closes_[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(closes_[0].message(), ::testing::Not(HasSubstr("middle")));
}

TEST_F(InMemoryConnectionTest, BytesReceivedWhilePausedWaitForResume) {
  Open();
  Step([&] { conn_->PauseReading(); });
  Receive(EncodeFrame(FrameType::kRequest, "m", "p"));
  EXPECT_THAT(frames_, IsEmpty());
  Step([&] { conn_->ResumeReading(); });
  EXPECT_THAT(frames_, ElementsAre(Frame(FrameType::kRequest, "m", "p")));
}

}  // namespace
}  // namespace framerpc::transport
