// Copyright 2026 The framerpc Authors.
//
// Every limit of docs/limits.md, hit on purpose over real sockets: each
// gives the documented status or close reason, and every other client keeps
// being served.

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"
#include "framerpc/testing.framerpc.h"
#include "framerpc/wire.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "tests/rpc/raw_client.h"
#include "tests/rpc/test_service.h"
#include "tests/rpc/wait_until.h"
#include "transport/frame_codec.h"

namespace framerpc {
namespace {

using ::testing::HasSubstr;
using testing::TestRequest;
using testing::TestResponse;
using testing::TestService;
using testing::WaitUntil;

class LimitsTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options) {
    options.worker_threads = 8;
    server_ = std::make_unique<Server>(options);
    ASSERT_TRUE(server_->AddService(&service_).ok());
    absl::StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    ChannelOptions channel_options;
    channel_options.max_connections = 1;
    auto channel =
        Channel::Create(absl::StrCat("127.0.0.1:", port_), channel_options);
    ASSERT_TRUE(channel.ok());
    stub_ = std::make_unique<TestService::Stub>(*channel);
  }

  // A call that must succeed: the server still serves well-behaved clients.
  void ExpectServing() {
    TestRequest request;
    request.set_payload("still serving");
    absl::StatusOr<TestResponse> reply = stub_->Echo(request);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->payload(), "still serving");
  }

  testing::TestServiceImpl service_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::unique_ptr<TestService::Stub> stub_;
};

TEST_F(LimitsTest, MetadataOverTheLimitIsResourceExhausted) {
  ServerOptions options;
  options.max_metadata_size = 1024;
  Start(options);
  CallOptions call;
  call.add_metadata("big", std::string(2000, 'v'));
  absl::StatusOr<TestResponse> reply = stub_->Echo(TestRequest(), call);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(reply.status().message(), HasSubstr("max_metadata_size"));
  EXPECT_EQ(service_.started(), 0);
  ExpectServing();
}

TEST_F(LimitsTest, TenThousandMetadataEntriesAreRefusedByDefault) {
  Start(ServerOptions{});
  CallOptions call;
  for (int i = 0; i < 10000; ++i) {
    call.add_metadata(absl::StrCat("key-", i), "value");
  }
  absl::StatusOr<TestResponse> reply = stub_->Echo(TestRequest(), call);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(reply.status().message(), HasSubstr("metadata"));
  ExpectServing();
}

TEST_F(LimitsTest, CallsPerConnectionOverTheLimitAreResourceExhausted) {
  ServerOptions options;
  options.max_calls_per_connection = 2;
  Start(options);
  // A client that ignores the limit the server stated in its SETTINGS.
  auto raw = testing::RawClient::Connect(port_);
  ASSERT_TRUE(raw.ok()) << raw.status();
  TestRequest sleeper;
  sleeper.set_sleep_ms(500);
  for (uint64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(
        (*raw)
            ->Send(testing::RequestBytes(id, "framerpc.testing.TestService",
                                         "Echo", sleeper.SerializeAsString()))
            .ok());
  }
  // The third is refused at once; the first two are answered later.
  absl::StatusOr<wire::ResponseHeader> response =
      (*raw)->ReadResponse(absl::Seconds(5));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->call_id(), 3u);
  EXPECT_EQ(response->status_code(),
            static_cast<uint32_t>(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(response->status_message(),
              HasSubstr("max_calls_per_connection"));
  ExpectServing();
}

TEST_F(LimitsTest, ClientQueuesCallsBeyondTheServersPerConnectionLimit) {
  ServerOptions options;
  options.max_calls_per_connection = 2;
  Start(options);   // the stub's channel has max_connections = 1
  ExpectServing();  // learn the server's SETTINGS
  TestRequest sleeper;
  sleeper.set_sleep_ms(200);
  constexpr int kCalls = 10;
  absl::BlockingCounter remaining(kCalls);
  std::atomic<int> ok{0};
  for (int i = 0; i < kCalls; ++i) {
    stub_->EchoAsync(sleeper, {}, [&](absl::StatusOr<TestResponse> reply) {
      if (reply.ok()) ok.fetch_add(1);
      remaining.DecrementCount();
    });
  }
  remaining.Wait();
  // None was refused: the channel sent at most two at a time.
  EXPECT_EQ(ok.load(), kCalls);
}

TEST_F(LimitsTest, PeerTricklingAFrameIsClosedAfterTheFrameReadTimeout) {
  ServerOptions options;
  options.frame_read_timeout = absl::Milliseconds(300);
  Start(options);
  auto raw = testing::RawClient::Connect(port_);
  ASSERT_TRUE(raw.ok()) << raw.status();
  // Half a header, then one more byte now and then: the connection is never
  // silent (so heartbeats don't fire) but the frame never completes.
  ASSERT_TRUE((*raw)->Send("FRPC\x01\x01\x00").ok());
  const absl::Time start = absl::Now();
  bool got_goaway = false;
  for (int i = 0; i < 40 && !got_goaway; ++i) {
    (*raw)->Send(std::string(1, '\0')).IgnoreError();
    absl::StatusOr<testing::RawFrame> frame =
        (*raw)->ReadFrame(absl::Milliseconds(100));
    if (frame.ok() && frame->type == transport::FrameType::kGoAway) {
      wire::GoAway goaway;
      ASSERT_TRUE(goaway.ParseFromString(frame->meta));
      EXPECT_THAT(goaway.reason(), HasSubstr("frame_read_timeout"));
      got_goaway = true;
    }
  }
  EXPECT_TRUE(got_goaway);
  // Bound: 300 ms + one sweep tick (300 ms by default) + slack.
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  ExpectServing();
}

TEST_F(LimitsTest, ClientThatDoesNotReadItsResponsesIsClosed) {
  ServerOptions options;
  options.max_frame_size = size_t{1} << 20;
  options.max_pending_output = size_t{1} << 20;
  Start(options);
  ExpectServing();
  ASSERT_EQ(server_->connection_count(), 1);
  // A small receive buffer, and this client never reads: the answers to its
  // 40 requests (36 MB) pile up on the server.
  testing::RawClient::Options small_buffer;
  small_buffer.receive_buffer = 4096;
  auto raw = testing::RawClient::Connect(port_, small_buffer);
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::string requests;
  TestRequest request;
  request.set_response_size(900 * 1024);
  for (uint64_t id = 1; id <= 40; ++id) {
    requests += testing::RequestBytes(id, "framerpc.testing.TestService",
                                      "Echo", request.SerializeAsString());
  }
  ASSERT_TRUE((*raw)->Send(requests).ok());
  // The server closes that connection; its memory is freed with it.
  EXPECT_TRUE(WaitUntil([&] { return server_->connection_count() == 1; },
                        absl::Seconds(20)));
  ExpectServing();
}

// A handler's status message is cut at 64 KiB, never inside a UTF-8
// character: a cut character would make the header invalid for the client
// (status_message is a proto3 string) and fail the whole connection.
TEST_F(LimitsTest, LongStatusMessageIsCutAtACharacterBoundary) {
  Start(ServerOptions{});
  std::string message = "a";  // so that 64 KiB falls inside a character
  for (int i = 0; i < 40000; ++i) message += "\xc3\xa9";  // é
  TestRequest request;
  request.set_status_code(static_cast<int>(absl::StatusCode::kAborted));
  request.set_status_message(message);
  absl::StatusOr<TestResponse> reply = stub_->Echo(request);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kAborted)
      << reply.status().message().substr(0, 200);
  EXPECT_EQ(reply.status().message().size(), 65535u);
  EXPECT_TRUE(absl::StartsWith(message, reply.status().message()));
  ExpectServing();
}

// A handler's status message that is not UTF-8 (it may quote the bytes a
// client sent) reaches the client with those bytes escaped, and the
// connection goes on: sent as they are, they would make the header invalid
// for the client's protobuf parser and fail every call on the connection.
TEST_F(LimitsTest, StatusMessageThatIsNotUtf8IsEscaped) {
  Start(ServerOptions{});
  TestRequest request;
  request.set_status_code(static_cast<int>(absl::StatusCode::kNotFound));
  request.set_status_message("no word 'caf\xe9' (\xc3\xa9 is fine)\xc3");
  absl::StatusOr<TestResponse> reply = stub_->Echo(request);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(reply.status().message(),
            "no word 'caf\\xe9' (\xc3\xa9 is fine)\\xc3");
  ExpectServing();
}

TEST(LimitsOptionsTest, OutputCapBelowTheFrameLimitIsInvalidArgument) {
  ServerOptions options;
  options.max_frame_size = size_t{8} << 20;
  options.max_pending_output = size_t{4} << 20;
  Server server(options);
  EXPECT_EQ(server.Start().status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace framerpc
