// Copyright 2026 The framerpc Authors.
//
// Heartbeats, pools, endpoints and limits, in one process over loopback:
// what Channel and Server do about frozen peers, idle connections, endpoints
// that are down, GOAWAY and connection limits. (The tests with separate
// server processes and real signals are in tests/integration/.)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "framerpc/testing.framerpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "tests/rpc/raw_client.h"
#include "tests/rpc/slowdown.h"
#include "tests/rpc/test_server.h"
#include "tests/rpc/test_service.h"
#include "tests/rpc/wait_until.h"

namespace framerpc {
namespace {

using ::testing::HasSubstr;
using testing::Slow;
using testing::TestRequest;
using testing::TestResponse;
using testing::TestServer;
using testing::TestService;
using testing::WaitUntil;

// Short heartbeats so that the tests run fast. A peer is dead after 300 ms
// of silence; the sweep runs every 30 ms (times kSlowdown in sanitizer
// builds, see slowdown.h).
ServerOptions FastServer() {
  ServerOptions options;
  options.keepalive_interval = Slow(absl::Milliseconds(100));
  options.keepalive_timeout = Slow(absl::Milliseconds(300));
  options.worker_threads = 8;
  return options;
}

std::shared_ptr<Channel> MakeChannel(const std::string& target,
                                     ChannelOptions options = {}) {
  auto channel = Channel::Create(target, options);
  EXPECT_TRUE(channel.ok()) << channel.status();
  return *channel;
}

// A port with nothing listening on it (found by binding, then closing).
int FreePort() {
  Server probe;
  absl::StatusOr<int> port = probe.Start();
  EXPECT_TRUE(port.ok());
  return *port;
}

// A plain connected TCP socket to 127.0.0.1:`port` that only peeks at what
// arrives.
class RawSocket {
 public:
  explicit RawSocket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(
        ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
        0);
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;
  bool ReceivedSomething() const {
    char byte;
    return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
  }

 private:
  int fd_;
};

TEST(HeartbeatTest, IdleConnectionStaysUpWhilePingsAreAnswered) {
  TestServer server(FastServer());
  TestService::Stub stub(MakeChannel(server.address()));
  ASSERT_TRUE(stub.Echo(TestRequest()).ok());
  // Five keepalive timeouts without a call: only PING/PONG keep it alive.
  absl::SleepFor(Slow(absl::Milliseconds(1500)));
  EXPECT_EQ(server.server->connection_count(), 1);
  EXPECT_TRUE(stub.Echo(TestRequest()).ok());
  EXPECT_EQ(server.server->connection_count(), 1);
}

TEST(HeartbeatTest, ServerReapsAClientThatStopsAnswering) {
  TestServer server(FastServer());
  // A raw client reads the SETTINGS, then never sends anything again: it
  // does not answer the server's PINGs, like a frozen process.
  auto raw = testing::RawClient::Connect(server.port);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_TRUE(WaitUntil([&] { return server.server->connection_count() == 1; },
                        absl::Seconds(5)));
  const absl::Time start = absl::Now();
  EXPECT_TRUE((*raw)->WaitForClose(absl::Seconds(10)));
  // Bound: timeout (300 ms) + one sweep tick (30 ms); generous slack for a
  // loaded 2-core machine.
  EXPECT_LT(absl::Now() - start, Slow(absl::Seconds(2)));
  EXPECT_TRUE(WaitUntil([&] { return server.server->connection_count() == 0; },
                        absl::Seconds(5)));
}

TEST(HeartbeatTest, ServerAnswersPingWhileEveryWorkerIsBusy) {
  ServerOptions options = FastServer();
  options.worker_threads = 1;
  TestServer server(options);
  TestService::Stub stub(MakeChannel(server.address()));
  TestRequest sleeper;
  sleeper.set_sleep_ms(1000);
  absl::Notification done;
  stub.EchoAsync(sleeper, {}, [&](absl::StatusOr<TestResponse> reply) {
    EXPECT_TRUE(reply.ok()) << reply.status();
    done.Notify();
  });
  ASSERT_TRUE(server.service.WaitForStarted(1, absl::Seconds(10)));
  auto raw = testing::RawClient::Connect(server.port);
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE((*raw)
                  ->Send(testing::FrameBytes(transport::FrameType::kPing, "",
                                             std::string("12345678")))
                  .ok());
  // Skip the server's own PINGs; the PONG must come long before the
  // worker is free again.
  while (true) {
    absl::StatusOr<testing::RawFrame> frame =
        (*raw)->ReadFrame(absl::Milliseconds(500));
    ASSERT_TRUE(frame.ok()) << frame.status();
    if (frame->type == transport::FrameType::kPong) {
      EXPECT_EQ(frame->payload, "12345678");
      break;
    }
  }
  done.WaitForNotification();
}

TEST(EndpointTest, DownEndpointFailsFastNamingTheEndpointAndItsError) {
  const int port = FreePort();
  const std::string address = absl::StrCat("127.0.0.1:", port);
  TestService::Stub stub(MakeChannel(address));
  absl::StatusOr<TestResponse> first = stub.Echo(TestRequest());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(first.status().message(), HasSubstr("Connection refused"));
  EXPECT_THAT(first.status().message(), HasSubstr(address));
  // In backoff now: the next call fails at once, saying why and when.
  const absl::Time start = absl::Now();
  absl::StatusOr<TestResponse> second = stub.Echo(TestRequest());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(50));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr("endpoint is down"));
  EXPECT_THAT(second.status().message(), HasSubstr(address));
  EXPECT_THAT(second.status().message(), HasSubstr("next attempt in"));
}

TEST(EndpointTest, WaitForReadyWaitsUntilTheServerComesUp) {
  const int port = FreePort();
  TestService::Stub stub(MakeChannel(absl::StrCat("127.0.0.1:", port)));
  CallOptions options;
  options.wait_for_ready = true;
  options.timeout = absl::Seconds(20);
  absl::Notification done;
  absl::Status result;
  stub.EchoAsync(TestRequest(), options,
                 [&](absl::StatusOr<TestResponse> reply) {
                   result = reply.status();
                   done.Notify();
                 });
  // Without wait_for_ready the same call fails at once.
  EXPECT_EQ(stub.Echo(TestRequest()).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(300)));
  TestServer server(FastServer(), port);
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(15)));
  EXPECT_TRUE(result.ok()) << result;
}

TEST(EndpointTest, CallsAreSpreadOverEveryEndpoint) {
  TestServer a(FastServer()), b(FastServer());
  TestService::Stub stub(
      MakeChannel(absl::StrCat(a.address(), ",", b.address())));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(stub.Echo(TestRequest()).ok());
  EXPECT_EQ(a.service.started() + b.service.started(), 20);
  EXPECT_GE(a.service.started(), 5);
  EXPECT_GE(b.service.started(), 5);
}

TEST(EndpointTest, GoAwayFinishesCallsInFlightAndSendsNewOnesElsewhere) {
  TestServer a(FastServer()), b(FastServer());
  auto channel = MakeChannel(absl::StrCat(a.address(), ",", b.address()));
  TestService::Stub stub(channel);
  constexpr int kCalls = 40;
  TestRequest sleeper;
  sleeper.set_sleep_ms(300);
  absl::BlockingCounter remaining(kCalls);
  std::atomic<int> ok{0};
  for (int i = 0; i < kCalls; ++i) {
    stub.EchoAsync(sleeper, {}, [&](absl::StatusOr<TestResponse> reply) {
      if (reply.ok()) ok.fetch_add(1);
      remaining.DecrementCount();
    });
  }
  ASSERT_TRUE(WaitUntil(
      [&] { return a.service.started() + b.service.started() == kCalls; },
      absl::Seconds(10)));
  const int on_a = a.service.started();
  ASSERT_GT(on_a, 0);
  a.server->Shutdown(absl::Seconds(10));
  remaining.Wait();
  EXPECT_EQ(ok.load(), kCalls);
  // A is gone: every later call goes to B, and none fails.
  const int on_b = b.service.started();
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<TestResponse> reply = stub.Echo(TestRequest());
    EXPECT_TRUE(reply.ok()) << reply.status();
  }
  EXPECT_EQ(b.service.started(), on_b + 10);
  EXPECT_EQ(a.service.started(), on_a);
}

TEST(PoolTest, OpensConnectionsUpToTheLimitWhenTheyAreBusy) {
  TestServer server(FastServer());
  ChannelOptions options;
  options.max_connections = 3;
  options.max_calls_per_connection = 2;
  TestService::Stub stub(MakeChannel(server.address(), options));
  constexpr int kCalls = 30;
  TestRequest sleeper;
  sleeper.set_sleep_ms(100);
  absl::BlockingCounter remaining(kCalls);
  std::atomic<int> ok{0};
  std::atomic<int> most_connections{0};
  for (int i = 0; i < kCalls; ++i) {
    stub.EchoAsync(sleeper, {}, [&](absl::StatusOr<TestResponse> reply) {
      if (reply.ok()) ok.fetch_add(1);
      remaining.DecrementCount();
    });
    // Later calls see the connections that earlier ones opened.
    absl::SleepFor(absl::Milliseconds(5));
    int now = server.server->connection_count();
    int seen = most_connections.load();
    while (now > seen && !most_connections.compare_exchange_weak(seen, now)) {
    }
  }
  remaining.Wait();
  EXPECT_EQ(ok.load(), kCalls);
  EXPECT_EQ(most_connections.load(), 3);
  EXPECT_LE(server.server->connection_count(), 3);
}

TEST(PoolTest, IdleConnectionsAreClosed) {
  TestServer server(FastServer());
  ChannelOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  TestService::Stub stub(MakeChannel(server.address(), options));
  ASSERT_TRUE(stub.Echo(TestRequest()).ok());
  EXPECT_TRUE(WaitUntil([&] { return server.server->connection_count() == 0; },
                        absl::Seconds(5)));
  // The next call opens a new one.
  EXPECT_TRUE(stub.Echo(TestRequest()).ok());
}

TEST(ServerLimitsTest, ConnectionsOverTheLimitAreRefusedWithAClearError) {
  ServerOptions options = FastServer();
  options.max_connections = 1;
  TestServer server(options);
  TestService::Stub first(MakeChannel(server.address()));
  ASSERT_TRUE(first.Echo(TestRequest()).ok());
  TestService::Stub second(MakeChannel(server.address()));
  absl::StatusOr<TestResponse> refused = second.Echo(TestRequest());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("limit of 1 connections"));
  // The first client is not disturbed.
  EXPECT_TRUE(first.Echo(TestRequest()).ok());
}

// A refused connection lingers until its peer closes; a shutdown meanwhile
// must still close and free it (LeakSanitizer catches it otherwise).
TEST(ServerLimitsTest, ShutdownRightAfterARefusalFreesTheRefusedConnection) {
  ServerOptions options = FastServer();
  options.max_connections = 1;
  auto server = std::make_unique<TestServer>(options);
  TestService::Stub first(MakeChannel(server->address()));
  ASSERT_TRUE(first.Echo(TestRequest()).ok());
  // The peer never reads nor closes, so the refusal cannot finish by itself.
  std::vector<std::unique_ptr<RawSocket>> refused;
  for (int i = 0; i < 5; ++i) {
    refused.push_back(std::make_unique<RawSocket>(server->port));
  }
  EXPECT_TRUE(WaitUntil(
      [&] {
        for (auto& socket : refused) {
          if (!socket->ReceivedSomething()) return false;
        }
        return true;
      },
      absl::Seconds(5)));
  const absl::Time start = absl::Now();
  server->server->Shutdown(absl::ZeroDuration());
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  server.reset();
}

TEST(ServerLimitsTest, IdleConnectionsAreClosedAndClientsReconnect) {
  ServerOptions options = FastServer();
  options.idle_timeout = absl::Milliseconds(200);
  TestServer server(options);
  TestService::Stub stub(MakeChannel(server.address()));
  ASSERT_TRUE(stub.Echo(TestRequest()).ok());
  EXPECT_TRUE(WaitUntil([&] { return server.server->connection_count() == 0; },
                        absl::Seconds(5)));
  absl::StatusOr<TestResponse> again = stub.Echo(TestRequest());
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST(ChannelOptionsTest, BadKeepaliveIsInvalidArgument) {
  ChannelOptions options;
  options.keepalive_interval = absl::Seconds(5);
  options.keepalive_timeout = absl::Seconds(1);
  EXPECT_EQ(Channel::Create("127.0.0.1:1", options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ChannelOptionsTest, TargetWithSeveralEndpointsListsThemAll) {
  auto channel = Channel::Create("127.0.0.1:1, [::1]:2");
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_THAT((*channel)->endpoints(),
              ::testing::ElementsAre("127.0.0.1:1", "[::1]:2"));
  EXPECT_EQ(Channel::Create("127.0.0.1:1,,127.0.0.1:2").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace framerpc
