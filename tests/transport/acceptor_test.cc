// Copyright 2026 The framerpc Authors.

#include "transport/acceptor.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transport/test_server.h"
#include "tests/transport/test_util.h"
#include "transport/event_loop_group.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::ConnectBlocking;
using ::framerpc::transport::testing::CountTcpSockets;
using ::framerpc::transport::testing::kWaitTimeout;
using ::framerpc::transport::testing::ReadUpTo;
using ::framerpc::transport::testing::RunInLoopAndWait;
using ::framerpc::transport::testing::TestServer;
using ::testing::HasSubstr;

class AcceptorTest : public ::testing::Test {
 protected:
  AcceptorTest() : loops_(1, "acceptor-test") { loops_.Start(); }
  EventLoop* loop() { return loops_.loop(0); }

  // Destroys `acceptor` on the loop thread.
  void Destroy(std::unique_ptr<Acceptor>& acceptor) {
    RunInLoopAndWait(loop(), [&] { acceptor.reset(); });
  }

  EventLoopGroup loops_;
};

TEST_F(AcceptorTest, ListensOnRealPortAndAcceptsWithPeerAddress) {
  absl::Notification accepted;
  Endpoint peer_seen;
  bool nonblocking = false;
  auto acceptor = std::make_unique<Acceptor>(
      loop(), *Endpoint::Parse("127.0.0.1:0"),
      [&](Socket socket, const Endpoint& peer) {
        peer_seen = peer;
        nonblocking = (::fcntl(socket.fd(), F_GETFL) & O_NONBLOCK) != 0;
        accepted.Notify();
      });
  ASSERT_TRUE(acceptor->Listen().ok());
  ASSERT_NE(acceptor->port(), 0);
  EXPECT_EQ(acceptor->local_endpoint().ToString(),
            absl::StrCat("127.0.0.1:", acceptor->port()));
  Socket client = ConnectBlocking(acceptor->local_endpoint());
  ASSERT_TRUE(accepted.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_EQ(peer_seen, *client.LocalEndpoint());
  EXPECT_TRUE(nonblocking);
  Destroy(acceptor);
}

TEST_F(AcceptorTest, BindingABusyPortFailsNamingAddressAndCause) {
  auto first = std::make_unique<Acceptor>(
      loop(), *Endpoint::Parse("127.0.0.1:0"), nullptr);
  ASSERT_TRUE(first->Listen().ok());
  const Endpoint taken = first->local_endpoint();
  auto second = std::make_unique<Acceptor>(loop(), taken, nullptr);
  absl::Status status = second->Listen();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), absl::StrCat("bind ", taken.ToString(),
                                           ": Address already in use"));
  Destroy(first);
  Destroy(second);
}

TEST_F(AcceptorTest, BindingAnAddressNotOnThisHostIsInvalidArgument) {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address.
  auto acceptor = std::make_unique<Acceptor>(
      loop(), *Endpoint::Parse("192.0.2.1:0"), nullptr);
  absl::Status status = acceptor->Listen();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("bind 192.0.2.1:0: "));
  Destroy(acceptor);
}

TEST_F(AcceptorTest, RestartedServerBindsSamePortAtOnceDespiteTimeWait) {
  int port = 0;
  {
    TestServer server(loop());
    ASSERT_TRUE(server.Listen().ok());
    port = server.endpoint().port();
    Socket client = ConnectBlocking(server.endpoint());
    ASSERT_EQ(server.WaitForAccepted(1), 1u);
    // The server closes first (active close), so its side of the connection
    // goes to TIME_WAIT once the client closes too.
    server.Shutdown();
    EXPECT_EQ(ReadUpTo(client, 1), "");  // EOF
  }                                      // client closes
  // TIME_WAIT ("06") on the server's port: what SO_REUSEADDR is for. The
  // final ACK is processed synchronously on loopback, but allow a moment.
  const absl::Time deadline = absl::Now() + kWaitTimeout;
  while (CountTcpSockets(port, "06") == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_GT(CountTcpSockets(port, "06"), 0);

  TestServer restarted(loop());
  auto acceptor = std::make_unique<Acceptor>(
      loop(), *Endpoint::Parse(absl::StrCat("127.0.0.1:", port)), nullptr);
  ASSERT_TRUE(acceptor->Listen().ok());
  EXPECT_EQ(acceptor->port(), port);
  Destroy(acceptor);
}

TEST_F(AcceptorTest, StopClosesListeningSocketAndIsIdempotent) {
  auto acceptor = std::make_unique<Acceptor>(
      loop(), *Endpoint::Parse("127.0.0.1:0"), nullptr);
  ASSERT_TRUE(acceptor->Listen().ok());
  const Endpoint endpoint = acceptor->local_endpoint();
  RunInLoopAndWait(loop(), [&] {
    acceptor->Stop();
    acceptor->Stop();
  });
  Socket client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_NE(
      ::connect(client.fd(), endpoint.sockaddr_ptr(), endpoint.sockaddr_len()),
      0);
  EXPECT_EQ(errno, ECONNREFUSED);
  Destroy(acceptor);
}

TEST_F(AcceptorTest, OutOfFileDescriptorsBacksOffThenAcceptsAgain) {
#if defined(__SANITIZE_ADDRESS__)
  // The ASan build also has UBSan, whose vptr check needs a free fd (it
  // probes memory through a pipe) and so reports false errors at EMFILE.
  GTEST_SKIP() << "needs a process without spare file descriptors";
#endif
  absl::Mutex mu;
  int accepted = 0;
  absl::Notification got_one;
  auto acceptor = std::make_unique<Acceptor>(
      loop(), *Endpoint::Parse("127.0.0.1:0"), [&](Socket, const Endpoint&) {
        absl::MutexLock lock(&mu);
        ++accepted;
        got_one.Notify();
      });
  ASSERT_TRUE(acceptor->Listen().ok());
  RunInLoopAndWait(loop(), [] {});  // registered

  // Create the client's fd first, then leave the process no fd for
  // accept(): the limit is set to the lowest free fd number.
  Socket client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old_limit), 0);
  rlimit tight = old_limit;
  {
    Socket probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    tight.rlim_cur = static_cast<rlim_t>(probe.fd());
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
  const Endpoint to = acceptor->local_endpoint();
  ASSERT_EQ(::connect(client.fd(), to.sockaddr_ptr(), to.sockaddr_len()), 0);
  // The loop sees EMFILE, stops watching and retries every 100 ms. Measure
  // the CPU the process burns meanwhile: a loop spinning on the pending
  // connection would use ~all of 300 ms; backing off uses nearly none.
  // 150 ms leaves a wide margin for a slow, loaded machine.
  rusage before;
  ::getrusage(RUSAGE_SELF, &before);
  const absl::Time until = absl::Now() + absl::Milliseconds(300);
  while (absl::Now() < until) absl::SleepFor(absl::Milliseconds(10));
  rusage after;
  ::getrusage(RUSAGE_SELF, &after);
  auto cpu = [](const rusage& r) {
    return absl::DurationFromTimeval(r.ru_utime) +
           absl::DurationFromTimeval(r.ru_stime);
  };
  EXPECT_LT(cpu(after) - cpu(before), absl::Milliseconds(150));
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(accepted, 0);
  }
  // Descriptors are back: the retry accepts the waiting connection.
  RunInLoopAndWait(
      loop(), [&] { ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old_limit), 0); });
  EXPECT_TRUE(got_one.WaitForNotificationWithTimeout(kWaitTimeout));
  Destroy(acceptor);
}

}  // namespace
}  // namespace framerpc::transport
