// Copyright 2026 The framerpc Authors.
//
// End-to-end tests of Server and Channel over real sockets on 127.0.0.1:
// the unary cases of gRPC's interop suite, adapted, plus framerpc's own
// guarantees (exactly-once completion, deadlines, cancellation, limits,
// shutdown). Each test runs with handlers on the worker pool and inline,
// and over TCP and over an in-process channel (Server::InProcessChannel);
// the few that speak raw bytes to the server's port run over TCP only.

#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "echo.framerpc.h"
#include "framerpc/testing.framerpc.h"
#include "framerpc/wire.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "services/echo/echo_service.h"
#include "tests/rpc/raw_client.h"
#include "tests/rpc/test_service.h"
#include "transport/frame_codec.h"

namespace framerpc {
namespace {

using ::testing::HasSubstr;
using testing::TestRequest;
using testing::TestResponse;
using testing::TestService;
using HandlerThreads = ServerOptions::HandlerThreads;

enum class Transport { kTcp, kInProcess };

class RpcTest
    : public ::testing::TestWithParam<std::tuple<HandlerThreads, Transport>> {
 protected:
  static HandlerThreads Threads() { return std::get<0>(GetParam()); }
  static bool InProcess() {
    return std::get<1>(GetParam()) == Transport::kInProcess;
  }

  void SetUp() override { StartServer(ServerOptions{}); }

  void StartServer(ServerOptions options) {
    if (server_ != nullptr) server_->Shutdown(absl::ZeroDuration());
    options.handler_threads = Threads();
    if (options.worker_threads == 0) options.worker_threads = 16;
    server_ = std::make_unique<Server>(options);
    ASSERT_TRUE(server_->AddService(&test_service_).ok());
    ASSERT_TRUE(server_->AddService(&echo_service_).ok());
    absl::StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    channel_ = NewChannel();
    stub_ = std::make_unique<TestService::Stub>(channel_);
  }

  std::shared_ptr<Channel> NewChannel(ChannelOptions options = {}) {
    auto channel =
        InProcess()
            ? server_->InProcessChannel(options)
            : Channel::Create(absl::StrCat("127.0.0.1:", port_), options);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return *channel;
  }

  testing::TestServiceImpl test_service_;
  echo::EchoService echo_service_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::shared_ptr<Channel> channel_;
  std::unique_ptr<TestService::Stub> stub_;
};

TEST_P(RpcTest, EmptyUnary) {
  echo::v1::Echo::Stub stub(channel_);
  absl::StatusOr<echo::v1::EchoResponse> reply = stub.Echo({});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->message(), "");
}

TEST_P(RpcTest, EchoReturnsTheMessage) {
  echo::v1::Echo::Stub stub(channel_);
  echo::v1::EchoRequest request;
  request.set_message("hello, 世界");
  absl::StatusOr<echo::v1::EchoResponse> reply = stub.Echo(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->message(), "hello, 世界");
}

TEST_P(RpcTest, LargeUnary) {
  TestRequest request;
  request.set_payload(std::string(271828, 'q'));
  request.set_response_size(314159);
  absl::StatusOr<TestResponse> reply = stub_->Echo(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->payload().size(), 314159u);
  EXPECT_EQ(reply->payload(), std::string(314159, 'r'));
}

TEST_P(RpcTest, SpecialStatusMessageComesBackByteExact) {
  const std::string message =
      "\t\ntest with whitespace\r\nand Unicode BMP \u2615 and non-BMP "
      "\U0001F608\t\n";
  TestRequest request;
  request.set_status_code(static_cast<int>(absl::StatusCode::kUnknown));
  request.set_status_message(message);
  absl::StatusOr<TestResponse> reply = stub_->Echo(request);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(reply.status().message(), message);
}

TEST_P(RpcTest, StatusCodeAndMessagePassThrough) {
  for (int code = 1; code <= 16; ++code) {
    TestRequest request;
    request.set_status_code(code);
    request.set_status_message(absl::StrCat("status ", code));
    absl::StatusOr<TestResponse> reply = stub_->Echo(request);
    EXPECT_EQ(static_cast<int>(reply.status().code()), code);
    EXPECT_EQ(reply.status().message(), absl::StrCat("status ", code));
  }
}

TEST_P(RpcTest, CustomMetadataEchoedBothWays) {
  TestRequest request;
  request.set_echo_metadata(true);
  Metadata response_metadata;
  CallOptions options;
  options.add_metadata("x-test-initial", "test_initial_metadata_value");
  options.add_metadata("x-test-binary", std::string("\x0a\x0b\x0a\x0b", 4));
  options.response_metadata = &response_metadata;
  absl::StatusOr<TestResponse> reply = stub_->Echo(request, options);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(response_metadata, options.metadata);
}

TEST_P(RpcTest, UnimplementedMethod) {
  absl::Notification done;
  absl::Status result;
  TestRequest request;
  channel_->StartCall(RpcMethod{"framerpc.testing.TestService", "NoSuchMethod"},
                      request, {},
                      [&](const absl::Status& status, absl::string_view) {
                        result = status;
                        done.Notify();
                      });
  done.WaitForNotification();
  EXPECT_EQ(result.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(result.message(), HasSubstr("NoSuchMethod"));
}

TEST_P(RpcTest, UnimplementedService) {
  TestRequest request;
  TestResponse response;
  absl::Status result = channel_->CallBlocking(
      RpcMethod{"no.such.Service", "Echo"}, request, {}, &response);
  EXPECT_EQ(result.code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(result.message(), HasSubstr("no.such.Service"));
}

TEST_P(RpcTest, DefaultMethodOfUnimplementedServiceAnswersUnimplemented) {
  // A service registered without overriding anything.
  class Empty final : public echo::v1::Echo::Service {};
  Empty empty;
  Server server;
  ASSERT_TRUE(server.AddService(&empty).ok());
  absl::StatusOr<int> port = server.Start();
  ASSERT_TRUE(port.ok());
  auto channel = Channel::Create(absl::StrCat("127.0.0.1:", *port));
  ASSERT_TRUE(channel.ok());
  echo::v1::Echo::Stub stub(*channel);
  absl::StatusOr<echo::v1::EchoResponse> reply = stub.Echo({});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(reply.status().message(), HasSubstr("not implemented"));
}

TEST_P(RpcTest, TimeoutOnSleepingServer) {
  TestRequest request;
  request.set_sleep_ms(2000);
  CallOptions options;
  options.timeout = absl::Milliseconds(1);
  const absl::Time start = absl::Now();
  absl::StatusOr<TestResponse> reply = stub_->Echo(request, options);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  // Generous: the call must fail at its deadline, long before the 2 s sleep.
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_P(RpcTest, ServerSkipsHandlerOfCallWhoseDeadlinePassedInTheQueue) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "needs a queue";
  ServerOptions options;
  options.worker_threads = 1;
  StartServer(options);
  // Occupy the only worker for 300 ms ...
  TestRequest sleeper;
  sleeper.set_sleep_ms(300);
  absl::Notification sleeper_done;
  stub_->EchoAsync(sleeper, {}, [&](absl::StatusOr<TestResponse> reply) {
    EXPECT_TRUE(reply.ok()) << reply.status();
    sleeper_done.Notify();
  });
  ASSERT_TRUE(test_service_.WaitForStarted(1, absl::Seconds(10)));
  // ... so that this call's 50 ms deadline passes while it waits for it.
  CallOptions options50;
  options50.timeout = absl::Milliseconds(50);
  absl::StatusOr<TestResponse> reply = stub_->Echo(TestRequest(), options50);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  sleeper_done.WaitForNotification();
  // Let the worker reach the expired call; a later call proves it did.
  EXPECT_TRUE(stub_->Echo(TestRequest()).ok());
  // The sleeper and the last call ran; the expired one never did.
  EXPECT_EQ(test_service_.started(), 2);
}

// The channel keeps one timer for its earliest deadline: a call with a short
// deadline that starts after calls with long ones must still expire on time,
// and so must one that starts after thousands of completed calls (whose
// deadlines linger until the channel drops them).
TEST_P(RpcTest, EachDeadlineExpiresOnTimeWhateverTheOrderOfCalls) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  auto expect_expires_on_time = [this] {
    TestRequest sleeper;
    sleeper.set_sleep_ms(3000);
    CallOptions short_deadline;
    short_deadline.timeout = absl::Milliseconds(100);
    const absl::Time start = absl::Now();
    absl::StatusOr<TestResponse> reply = stub_->Echo(sleeper, short_deadline);
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded)
        << reply.status();
    EXPECT_GE(took, absl::Milliseconds(100));
    EXPECT_LT(took, absl::Seconds(1));
  };
  // Three calls with a long deadline are in flight first.
  absl::BlockingCounter long_calls(3);
  std::atomic<int> long_ok{0};
  TestRequest long_sleeper;
  long_sleeper.set_sleep_ms(1500);
  CallOptions long_deadline;
  long_deadline.timeout = absl::Seconds(20);
  for (int i = 0; i < 3; ++i) {
    stub_->EchoAsync(long_sleeper, long_deadline,
                     [&](absl::StatusOr<TestResponse> reply) {
                       if (reply.ok()) long_ok.fetch_add(1);
                       long_calls.DecrementCount();
                     });
  }
  expect_expires_on_time();
  // Thousands of calls that complete well before their deadlines.
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(stub_->Echo(TestRequest()).ok());
  }
  expect_expires_on_time();
  long_calls.Wait();
  EXPECT_EQ(long_ok.load(), 3);
}

TEST_P(RpcTest, CancelInFlightCall) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  auto canceller = std::make_shared<CallCanceller>();
  CallOptions options;
  options.canceller = canceller;
  TestRequest request;
  request.set_sleep_ms(10000);
  absl::Notification done;
  absl::Status result;
  absl::Time completed;
  stub_->EchoAsync(request, options, [&](absl::StatusOr<TestResponse> reply) {
    result = reply.status();
    completed = absl::Now();
    done.Notify();
  });
  ASSERT_TRUE(test_service_.WaitForStarted(1, absl::Seconds(10)));
  const absl::Time cancelled_at = absl::Now();
  canceller->Cancel();
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(result.code(), absl::StatusCode::kCancelled);
  // "At once": well before the handler's 10 s sleep would end.
  EXPECT_LT(completed - cancelled_at, absl::Seconds(2));
  // The server's context sees it (through the CANCEL frame).
  EXPECT_TRUE(test_service_.WaitForSawCancel(1, absl::Seconds(5)));
}

TEST_P(RpcTest, CancelBeforeStartFailsAtOnce) {
  auto canceller = std::make_shared<CallCanceller>();
  canceller->Cancel();
  CallOptions options;
  options.canceller = canceller;
  absl::StatusOr<TestResponse> reply = stub_->Echo(TestRequest(), options);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(test_service_.started(), 0);
}

TEST_P(RpcTest, ConcurrentLargeUnary) {
  // About 600 MB through one connection. ThreadSanitizer runs this 5-15x
  // slower, long enough that the connection goes past the default 3 s
  // heartbeat without a frame and is declared dead, so under TSan the test
  // runs a tenth of the calls: still many large calls in flight at once.
#if defined(__SANITIZE_THREAD__)
  constexpr int kCalls = 100;
#else
  constexpr int kCalls = 1000;
#endif
  absl::BlockingCounter remaining(kCalls);
  std::atomic<int> ok{0};
  TestRequest request;
  request.set_payload(std::string(271828, 'q'));
  request.set_response_size(314159);
  CallOptions options;
  options.timeout = absl::Seconds(120);
  for (int i = 0; i < kCalls; ++i) {
    stub_->EchoAsync(request, options, [&](absl::StatusOr<TestResponse> reply) {
      if (reply.ok() && reply->payload().size() == 314159u) ok.fetch_add(1);
      remaining.DecrementCount();
    });
  }
  remaining.Wait();
  EXPECT_EQ(ok.load(), kCalls);
}

TEST_P(RpcTest, EveryCallCompletesExactlyOnceUnderLoad) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  constexpr int kCalls = 2000;
  std::vector<std::atomic<int>> completions(kCalls);
  absl::BlockingCounter remaining(kCalls);
  std::atomic<int> ok{0}, deadline_exceeded{0}, other{0};
  std::mt19937 random(42);
  for (int i = 0; i < kCalls; ++i) {
    TestRequest request;
    request.set_sleep_ms(
        std::uniform_int_distribution<uint32_t>(0, 20)(random));
    CallOptions options;
    options.timeout =
        absl::Milliseconds(std::uniform_int_distribution<int>(1, 200)(random));
    stub_->EchoAsync(request, options,
                     [&, i](absl::StatusOr<TestResponse> reply) {
                       if (completions[i].fetch_add(1) == 0) {
                         remaining.DecrementCount();
                       }
                       if (reply.ok()) {
                         ok.fetch_add(1);
                       } else if (absl::IsDeadlineExceeded(reply.status())) {
                         deadline_exceeded.fetch_add(1);
                       } else {
                         other.fetch_add(1);
                       }
                     });
  }
  remaining.Wait();
  // Completions after the first would show up here; give stragglers a moment.
  absl::SleepFor(absl::Milliseconds(300));
  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(completions[i].load(), 1) << i;
  EXPECT_EQ(ok + deadline_exceeded, kCalls);
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(ok.load(), 0);
}

TEST_P(RpcTest, ThrowingHandlerGivesInternalAndServerKeepsServing) {
  TestRequest request;
  request.set_throw_exception(true);
  absl::StatusOr<TestResponse> reply = stub_->Echo(request);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(reply.status().message(), HasSubstr("asked to throw"));
  TestRequest fine;
  fine.set_payload("still here");
  absl::StatusOr<TestResponse> next = stub_->Echo(fine);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->payload(), "still here");
}

TEST_P(RpcTest, GarbagePayloadGivesInvalidArgument) {
  if (InProcess()) GTEST_SKIP() << "raw bytes to the server's port";
  auto raw = testing::RawClient::Connect(port_);
  ASSERT_TRUE(raw.ok()) << raw.status();
  // Field 0 does not exist in any protobuf message: this cannot parse.
  ASSERT_TRUE((*raw)
                  ->Send(testing::RequestBytes(
                      7, "framerpc.testing.TestService", "Echo",
                      std::string("\x00\x01\xff\xff\xff", 5)))
                  .ok());
  absl::StatusOr<wire::ResponseHeader> response =
      (*raw)->ReadResponse(absl::Seconds(10));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->call_id(), 7u);
  EXPECT_EQ(response->status_code(),
            static_cast<uint32_t>(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(response->status_message(), HasSubstr("could not parse"));
  // The server keeps serving this connection's peer and everyone else.
  EXPECT_TRUE(stub_->Echo(TestRequest()).ok());
}

TEST_P(RpcTest, RequestOverFrameLimitFailsBeforeSending) {
  ChannelOptions options;
  options.max_frame_size = 64 * 1024;
  TestService::Stub stub(NewChannel(options));
  TestRequest request;
  request.set_payload(std::string(100 * 1024, 'x'));
  absl::StatusOr<TestResponse> reply = stub.Echo(request);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(reply.status().message(), HasSubstr("not sent"));
  EXPECT_EQ(test_service_.started(), 0);
}

TEST_P(RpcTest, ResponseOverFrameLimitGivesResourceExhausted) {
  ServerOptions options;
  options.max_frame_size = 64 * 1024;
  StartServer(options);
  TestRequest request;
  request.set_response_size(100 * 1024);
  absl::StatusOr<TestResponse> reply = stub_->Echo(request);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(reply.status().message(), HasSubstr("frame limit"));
}

TEST_P(RpcTest, RawOversizedFrameClosesOnlyThatConnectionWithGoAway) {
  if (InProcess()) GTEST_SKIP() << "raw bytes to the server's port";
  auto raw = testing::RawClient::Connect(port_);
  ASSERT_TRUE(raw.ok());
  // A header declaring a 1 GiB payload; no body byte follows.
  transport::FrameHeader header;
  header.type = transport::FrameType::kRequest;
  header.meta_length = 10;
  header.payload_length = 1u << 30;
  std::string bytes(transport::kFrameHeaderSize, '\0');
  transport::FrameCodec::EncodeHeader(header, bytes.data());
  ASSERT_TRUE((*raw)->Send(bytes).ok());
  absl::StatusOr<testing::RawFrame> frame =
      (*raw)->ReadFrame(absl::Seconds(10));
  ASSERT_TRUE(frame.ok()) << frame.status();
  ASSERT_EQ(frame->type, transport::FrameType::kGoAway);
  wire::GoAway goaway;
  ASSERT_TRUE(goaway.ParseFromString(frame->meta));
  EXPECT_EQ(goaway.code(), wire::GoAway::RESOURCE_EXHAUSTED);
  EXPECT_THAT(goaway.reason(), HasSubstr("exceeds the limit"));
  EXPECT_TRUE((*raw)->WaitForClose(absl::Seconds(10)));
  // Everyone else keeps being served.
  TestRequest request;
  request.set_payload("ok");
  absl::StatusOr<TestResponse> reply = stub_->Echo(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
}

TEST_P(RpcTest, HandlerThatNeverAnswersTimesOutAndFreesItsSlot) {
  ServerOptions options;
  options.max_concurrent_calls = 1;
  StartServer(options);
  TestRequest silent;
  silent.set_never_answer(true);
  CallOptions short_deadline;
  short_deadline.timeout = absl::Milliseconds(100);
  absl::StatusOr<TestResponse> reply = stub_->Echo(silent, short_deadline);
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  // The server freed the slot when the deadline passed, so the next call
  // (the only slot) is served. Retry briefly: the server's deadline timer
  // and the client's fire at about the same time.
  absl::Status next;
  for (int attempt = 0; attempt < 50; ++attempt) {
    next = stub_->Echo(TestRequest()).status();
    if (next.ok()) break;
    EXPECT_EQ(next.code(), absl::StatusCode::kResourceExhausted) << next;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(next.ok()) << next;
}

TEST_P(RpcTest, TooManyConcurrentCallsGivesResourceExhausted) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  ServerOptions options;
  options.max_concurrent_calls = 2;
  StartServer(options);
  TestRequest sleeper;
  sleeper.set_sleep_ms(500);
  absl::BlockingCounter sleepers(2);
  for (int i = 0; i < 2; ++i) {
    stub_->EchoAsync(sleeper, {}, [&](absl::StatusOr<TestResponse> reply) {
      EXPECT_TRUE(reply.ok()) << reply.status();
      sleepers.DecrementCount();
    });
  }
  ASSERT_TRUE(test_service_.WaitForStarted(2, absl::Seconds(10)));
  absl::StatusOr<TestResponse> reply = stub_->Echo(TestRequest());
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(reply.status().message(), HasSubstr("max_concurrent_calls"));
  sleepers.Wait();
}

TEST_P(RpcTest, ShutdownFinishesCallsInFlight) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  constexpr int kCalls = 20;
  TestRequest request;
  request.set_sleep_ms(200);
  absl::BlockingCounter remaining(kCalls);
  std::atomic<int> ok{0};
  for (int i = 0; i < kCalls; ++i) {
    stub_->EchoAsync(request, {}, [&](absl::StatusOr<TestResponse> reply) {
      if (reply.ok()) ok.fetch_add(1);
      remaining.DecrementCount();
    });
  }
  ASSERT_TRUE(test_service_.WaitForStarted(kCalls, absl::Seconds(10)));
  const absl::Time start = absl::Now();
  server_->Shutdown(absl::Seconds(5));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  remaining.Wait();
  EXPECT_EQ(ok.load(), kCalls);
}

TEST_P(RpcTest, ShutdownReturnsWithinGraceWhenHandlersOverrun) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  TestRequest request;
  request.set_sleep_ms(3000);
  absl::Notification done;
  absl::Status result;
  stub_->EchoAsync(request, {}, [&](absl::StatusOr<TestResponse> reply) {
    result = reply.status();
    done.Notify();
  });
  ASSERT_TRUE(test_service_.WaitForStarted(1, absl::Seconds(10)));
  const absl::Time start = absl::Now();
  server_->Shutdown(absl::Milliseconds(200));
  // Grace plus a margin for flushing and stopping the I/O threads.
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(200) + absl::Seconds(1));
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(result.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.message(), HasSubstr("shut down"));
}

TEST_P(RpcTest, AfterGoAwayALowerCallIdArrivingLateIsStillServed) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  if (InProcess()) GTEST_SKIP() << "raw bytes to the server's port";
  auto raw = testing::RawClient::Connect(port_);
  ASSERT_TRUE(raw.ok()) << raw.status();
  TestRequest sleeper;
  sleeper.set_sleep_ms(500);
  ASSERT_TRUE(
      (*raw)
          ->Send(testing::RequestBytes(5, "framerpc.testing.TestService",
                                       "Echo", sleeper.SerializeAsString()))
          .ok());
  ASSERT_TRUE(test_service_.WaitForStarted(1, absl::Seconds(10)));
  std::thread shutdown([this] { server_->Shutdown(absl::Seconds(10)); });
  // GOAWAY promises every id up to 5 an answer.
  while (true) {
    absl::StatusOr<testing::RawFrame> frame =
        (*raw)->ReadFrame(absl::Seconds(10));
    ASSERT_TRUE(frame.ok()) << frame.status();
    if (frame->type != transport::FrameType::kGoAway) continue;
    wire::GoAway goaway;
    ASSERT_TRUE(goaway.ParseFromString(frame->meta));
    EXPECT_EQ(goaway.last_call_id(), 5u);
    break;
  }
  // Id 3 was picked before 5 but arrives after the GOAWAY: served. Id 9 is
  // past the promise: refused without running.
  ASSERT_TRUE((*raw)
                  ->Send(testing::RequestBytes(
                      3, "framerpc.testing.TestService", "Echo",
                      TestRequest().SerializeAsString()))
                  .ok());
  ASSERT_TRUE((*raw)
                  ->Send(testing::RequestBytes(
                      9, "framerpc.testing.TestService", "Echo",
                      TestRequest().SerializeAsString()))
                  .ok());
  std::map<uint64_t, uint32_t> codes;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<wire::ResponseHeader> response =
        (*raw)->ReadResponse(absl::Seconds(10));
    ASSERT_TRUE(response.ok()) << response.status();
    codes[response->call_id()] = response->status_code();
  }
  shutdown.join();
  EXPECT_EQ(codes[5], 0u);
  EXPECT_EQ(codes[3], 0u);
  EXPECT_EQ(codes[9], static_cast<uint32_t>(absl::StatusCode::kUnavailable));
}

TEST_P(RpcTest, CallsAfterShutdownFailWithUnavailable) {
  server_->Shutdown(absl::ZeroDuration());
  absl::StatusOr<TestResponse> reply = stub_->Echo(TestRequest());
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
}

TEST_P(RpcTest, ChannelDestroyedWithCallInFlightCompletesIt) {
  if (Threads() == HandlerThreads::kInline) GTEST_SKIP() << "handler sleeps";
  TestRequest request;
  request.set_sleep_ms(2000);
  absl::Notification done;
  absl::Status result;
  {
    TestService::Stub stub(NewChannel());
    stub.EchoAsync(request, {}, [&](absl::StatusOr<TestResponse> reply) {
      result = reply.status();
      done.Notify();
    });
    ASSERT_TRUE(test_service_.WaitForStarted(1, absl::Seconds(10)));
  }  // the stub held the last reference to its channel
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(result.code(), absl::StatusCode::kCancelled);
  // The client is gone mid-call: the server's handler sees it through
  // IsCancelled() long before its 2 s sleep ends.
  EXPECT_TRUE(test_service_.WaitForSawCancel(1, absl::Seconds(1)));
}

INSTANTIATE_TEST_SUITE_P(
    HandlerThreadsAndTransport, RpcTest,
    ::testing::Combine(
        ::testing::Values(HandlerThreads::kWorkerPool, HandlerThreads::kInline),
        ::testing::Values(Transport::kTcp, Transport::kInProcess)),
    [](const auto& test_info) {
      return absl::StrCat(
          std::get<0>(test_info.param) == HandlerThreads::kInline
              ? "Inline"
              : "WorkerPool",
          std::get<1>(test_info.param) == Transport::kInProcess ? "InProcess"
                                                                : "Tcp");
    });

TEST(ServerTest, DuplicateServiceIsAlreadyExists) {
  echo::EchoService a, b;
  Server server;
  ASSERT_TRUE(server.AddService(&a).ok());
  absl::Status status = server.AddService(&b);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(status.message(), HasSubstr("framerpc.echo.v1.Echo"));
}

TEST(ServerTest, BadAddressIsInvalidArgument) {
  ServerOptions options;
  options.address = "127.0.0.1:99999";
  Server server(options);
  absl::StatusOr<int> port = server.Start();
  EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ServerTest, BusyPortIsReported) {
  Server first;
  absl::StatusOr<int> port = first.Start();
  ASSERT_TRUE(port.ok());
  ServerOptions options;
  options.address = absl::StrCat("127.0.0.1:", *port);
  Server second(options);
  absl::StatusOr<int> again = second.Start();
  EXPECT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(), HasSubstr("in use"));
}

TEST(ChannelTest, ConnectionRefusedIsUnavailableNamingTheAddress) {
  // Find a free port, then close it so nothing listens there.
  int free_port;
  {
    Server probe;
    absl::StatusOr<int> port = probe.Start();
    ASSERT_TRUE(port.ok());
    free_port = *port;
  }
  auto channel = Channel::Create(absl::StrCat("127.0.0.1:", free_port));
  ASSERT_TRUE(channel.ok());
  echo::v1::Echo::Stub stub(*channel);
  absl::StatusOr<echo::v1::EchoResponse> reply = stub.Echo({});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(),
              HasSubstr(absl::StrCat("127.0.0.1:", free_port)));
}

TEST(ChannelTest, MalformedTargetIsInvalidArgument) {
  EXPECT_EQ(Channel::Create("127.0.0.1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Channel::Create("127.0.0.1:70000").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace framerpc
