// Copyright 2026 The framerpc Authors.
//
// Server::InProcessChannel: calls to a server in the same process without a
// socket. What every call does over it (deadlines, cancellation, limits,
// shutdown) is covered by rpc_test, which runs each case over TCP and over
// an in-process channel; these are the cases of its own: no socket, a
// channel made before Start() or outliving the server, closes seen from
// both sides, the connection limit.

#include <dirent.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "echo.framerpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "tests/rpc/slowdown.h"
#include "tests/rpc/wait_until.h"

namespace framerpc {
namespace {

using ::testing::HasSubstr;
using testing::Slow;
using testing::WaitUntil;
namespace v1 = ::framerpc::echo::v1;

// Echo that also records the peer its handler saw.
class PeerEcho final : public v1::Echo::Service {
 public:
  absl::Status Echo(ServerContext& context, const v1::EchoRequest& request,
                    v1::EchoResponse* response) override {
    absl::MutexLock lock(&mu_);
    last_peer_ = context.peer();
    response->set_message(request.message());
    return absl::OkStatus();
  }
  std::string last_peer() const {
    absl::MutexLock lock(&mu_);
    return last_peer_;
  }

 private:
  mutable absl::Mutex mu_;
  std::string last_peer_ ABSL_GUARDED_BY(mu_);
};

int OpenFds() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count;
}

absl::StatusOr<std::string> Echo(const std::shared_ptr<Channel>& channel,
                                 const std::string& message,
                                 CallOptions options = {}) {
  v1::Echo::Stub stub(channel);
  v1::EchoRequest request;
  request.set_message(message);
  absl::StatusOr<v1::EchoResponse> reply = stub.Echo(request, options);
  if (!reply.ok()) return reply.status();
  return reply->message();
}

std::unique_ptr<Server> StartServer(PeerEcho* service,
                                    ServerOptions options = {}) {
  options.io_threads = 2;
  options.worker_threads = 4;
  auto server = std::make_unique<Server>(options);
  EXPECT_TRUE(server->AddService(service).ok());
  EXPECT_TRUE(server->Start().ok());
  return server;
}

TEST(InProcessChannelTest, CallsReachTheServerWithoutOpeningASocket) {
  PeerEcho service;
  std::unique_ptr<Server> server = StartServer(&service);
  ChannelOptions options;
  options.max_connections = 4;
  options.max_calls_per_connection = 1;  // spread calls over 4 connections
  absl::StatusOr<std::shared_ptr<Channel>> channel =
      server->InProcessChannel(options);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_EQ((*channel)->target(), "in-process");
  EXPECT_THAT((*channel)->endpoints(), ::testing::ElementsAre("in-process"));

  const int fds_before = OpenFds();
  ASSERT_GT(fds_before, 0);
  // Enough calls at once to open every connection of the pool.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string message = absl::StrCat("t", t, "-", i);
        absl::StatusOr<std::string> reply = Echo(*channel, message);
        if (reply.ok() && *reply == message) ok.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 400);
  EXPECT_GE(server->connection_count(), 2);
  EXPECT_LE(server->connection_count(), 4);
  // The connections are in memory: not one file descriptor more.
  EXPECT_EQ(OpenFds(), fds_before);
  EXPECT_EQ(service.last_peer(), "in-process client");
}

TEST(InProcessChannelTest, ReleasingTheChannelClosesTheServersConnections) {
  PeerEcho service;
  std::unique_ptr<Server> server = StartServer(&service);
  absl::StatusOr<std::shared_ptr<Channel>> channel = server->InProcessChannel();
  ASSERT_TRUE(channel.ok());
  ASSERT_TRUE(Echo(*channel, "x").ok());
  EXPECT_EQ(server->connection_count(), 1);
  channel->reset();
  EXPECT_TRUE(WaitUntil([&] { return server->connection_count() == 0; },
                        absl::Seconds(5)))
      << server->connection_count();
}

TEST(InProcessChannelTest, ReleasedWhileItsFirstCallStartsLeavesNothing) {
  // A channel released right after its first call started, with both in
  // one batch of its I/O thread's tasks: the connection's dial comes after
  // the shutdown, and must open nothing. Done from a completion callback,
  // i.e. on a client I/O thread, so that the call and the release are
  // queued together; four channels cover every client loop (at most 4,
  // given out round robin), so one of them shares this callback's loop.
  PeerEcho service;
  ServerOptions options;
  // Heartbeats would close an orphaned server connection only after 30 s.
  options.keepalive_interval = absl::Seconds(10);
  options.keepalive_timeout = absl::Seconds(30);
  std::unique_ptr<Server> server = StartServer(&service, options);
  absl::StatusOr<std::shared_ptr<Channel>> first = server->InProcessChannel();
  ASSERT_TRUE(first.ok());
  v1::EchoRequest request;
  request.set_message("x");
  std::atomic<int> completed{0};
  absl::Notification spawned;
  v1::Echo::Stub(*first).EchoAsync(
      request, {}, [&](absl::StatusOr<v1::EchoResponse>) {
        for (int i = 0; i < 4; ++i) {
          absl::StatusOr<std::shared_ptr<Channel>> channel =
              server->InProcessChannel();
          if (!channel.ok()) continue;
          v1::Echo::Stub(*channel).EchoAsync(
              request, {}, [&completed](absl::StatusOr<v1::EchoResponse>) {
                completed.fetch_add(1);
              });
        }  // each channel is released here, on this client I/O thread
        spawned.Notify();
      });
  ASSERT_TRUE(spawned.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_TRUE(
      WaitUntil([&] { return completed.load() == 4; }, absl::Seconds(5)));
  first->reset();
  EXPECT_TRUE(WaitUntil([&] { return server->connection_count() == 0; },
                        absl::Seconds(2)))
      << server->connection_count() << " server connections left open";
}

TEST(InProcessChannelTest, ChannelMadeBeforeStartWorksOnceTheServerRuns) {
  PeerEcho service;
  ServerOptions options;
  options.io_threads = 1;
  Server server(options);
  ASSERT_TRUE(server.AddService(&service).ok());
  ChannelOptions channel_options;
  channel_options.initial_backoff = absl::Milliseconds(20);
  channel_options.max_backoff = absl::Milliseconds(50);
  absl::StatusOr<std::shared_ptr<Channel>> channel =
      server.InProcessChannel(channel_options);
  ASSERT_TRUE(channel.ok());

  absl::StatusOr<std::string> early = Echo(*channel, "early");
  EXPECT_EQ(early.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(early.status().message(),
              HasSubstr("in-process server is not running (not started"));

  ASSERT_TRUE(server.Start().ok());
  CallOptions wait;
  wait.wait_for_ready = true;
  wait.timeout = absl::Seconds(5);
  absl::StatusOr<std::string> late = Echo(*channel, "late", wait);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(*late, "late");
}

TEST(InProcessChannelTest, ShutdownFailsLaterCallsWithUnavailable) {
  PeerEcho service;
  std::unique_ptr<Server> server = StartServer(&service);
  absl::StatusOr<std::shared_ptr<Channel>> channel = server->InProcessChannel();
  ASSERT_TRUE(channel.ok());
  ASSERT_TRUE(Echo(*channel, "before").ok());
  server->Shutdown(absl::Seconds(1));
  EXPECT_EQ(server->connection_count(), 0);
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> after = Echo(*channel, "after");
  EXPECT_EQ(after.status().code(), absl::StatusCode::kUnavailable)
      << after.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(InProcessChannelTest, ChannelOutlivesTheServer) {
  PeerEcho service;
  std::unique_ptr<Server> server = StartServer(&service);
  absl::StatusOr<std::shared_ptr<Channel>> channel = server->InProcessChannel();
  ASSERT_TRUE(channel.ok());
  ASSERT_TRUE(Echo(*channel, "before").ok());
  // Destroyed without Shutdown(): the destructor shuts down with no grace.
  server.reset();
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::string> after = Echo(*channel, "after");
    EXPECT_EQ(after.status().code(), absl::StatusCode::kUnavailable)
        << after.status();
  }
  // Made after the server is gone: still a clean UNAVAILABLE.
  // (Asked of no server at all, as the channel's dialer finds none.)
  absl::SleepFor(absl::Milliseconds(250));  // past the backoff delay
  absl::StatusOr<std::string> later = Echo(*channel, "later");
  EXPECT_EQ(later.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(later.status().message(), HasSubstr("in-process"));
}

TEST(InProcessChannelTest, IdleConnectionIsClosedAndTheNextCallReopensOne) {
  PeerEcho service;
  ServerOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  options.keepalive_interval = Slow(absl::Milliseconds(50));
  options.keepalive_timeout = Slow(absl::Milliseconds(500));
  std::unique_ptr<Server> server = StartServer(&service, options);
  absl::StatusOr<std::shared_ptr<Channel>> channel = server->InProcessChannel();
  ASSERT_TRUE(channel.ok());
  ASSERT_TRUE(Echo(*channel, "one").ok());
  EXPECT_EQ(server->connection_count(), 1);
  // The server's GOAWAY (IDLE) closes it; the channel follows.
  EXPECT_TRUE(WaitUntil([&] { return server->connection_count() == 0; },
                        absl::Seconds(5)));
  absl::StatusOr<std::string> two = Echo(*channel, "two");
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(*two, "two");
  EXPECT_EQ(server->connection_count(), 1);
}

TEST(InProcessChannelTest, HeartbeatsKeepABusyFreeConnectionOpen) {
  // Heartbeats run over the in-memory link as over TCP: with a 150 ms
  // keepalive timeout and nothing else sent for 1 s, only PING/PONG keep
  // the connection alive (times kSlowdown in sanitizer builds).
  PeerEcho service;
  ServerOptions options;
  options.keepalive_interval = Slow(absl::Milliseconds(30));
  options.keepalive_timeout = Slow(absl::Milliseconds(150));
  std::unique_ptr<Server> server = StartServer(&service, options);
  absl::StatusOr<std::shared_ptr<Channel>> channel = server->InProcessChannel();
  ASSERT_TRUE(channel.ok());
  ASSERT_TRUE(Echo(*channel, "one").ok());
  absl::SleepFor(Slow(absl::Seconds(1)));
  EXPECT_EQ(server->connection_count(), 1);
  ASSERT_TRUE(Echo(*channel, "two").ok());
  EXPECT_EQ(server->connection_count(), 1);
}

TEST(InProcessChannelTest, ConnectionLimitAppliesToInProcessConnections) {
  PeerEcho service;
  ServerOptions options;
  options.max_connections = 1;
  std::unique_ptr<Server> server = StartServer(&service, options);
  absl::StatusOr<std::shared_ptr<Channel>> first = server->InProcessChannel();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Echo(*first, "first").ok());
  absl::StatusOr<std::shared_ptr<Channel>> second = server->InProcessChannel();
  ASSERT_TRUE(second.ok());
  absl::StatusOr<std::string> refused = Echo(*second, "second");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("limit of 1 connections (ServerOptions."
                        "max_connections)"));
  // The first channel's connection is unaffected.
  EXPECT_TRUE(Echo(*first, "again").ok());
}

TEST(InProcessChannelTest, BadOptionsAreInvalidArgument) {
  Server server;
  ChannelOptions options;
  options.max_connections = 0;
  absl::StatusOr<std::shared_ptr<Channel>> channel =
      server.InProcessChannel(options);
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(channel.status().message(), HasSubstr("max_connections"));
}

}  // namespace
}  // namespace framerpc
