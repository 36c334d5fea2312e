// Copyright 2026 The framerpc Authors.

#include "transport/connector.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transport/test_util.h"
#include "transport/event_loop_group.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::AcceptBlocking;
using ::framerpc::transport::testing::kWaitTimeout;
using ::framerpc::transport::testing::ListenBlocking;
using ::testing::HasSubstr;

class ConnectorTest : public ::testing::Test {
 protected:
  ConnectorTest() : loops_(1, "connector-test") { loops_.Start(); }
  EventLoop* loop() { return loops_.loop(0); }

  // Connects and waits for `done`; returns the result and how long it took.
  absl::StatusOr<Socket> ConnectAndWait(const Endpoint& to,
                                        absl::Duration timeout,
                                        absl::Duration* elapsed = nullptr) {
    absl::Notification done;
    absl::StatusOr<Socket> result;
    bool on_loop_thread = false;
    const absl::Time start = absl::Now();
    Connector::Start(loop(), to, timeout, [&](absl::StatusOr<Socket> s) {
      on_loop_thread = loop()->IsInLoopThread();
      result = std::move(s);
      done.Notify();
    });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
    if (elapsed != nullptr) *elapsed = absl::Now() - start;
    EXPECT_TRUE(on_loop_thread);
    return result;
  }

  EventLoopGroup loops_;
};

TEST_F(ConnectorTest, ConnectsWithNoDelay) {
  Socket listener = ListenBlocking();
  absl::StatusOr<Socket> socket =
      ConnectAndWait(*listener.LocalEndpoint(), absl::Seconds(5));
  ASSERT_TRUE(socket.ok()) << socket.status();
  int nodelay = 0;
  socklen_t len = sizeof(nodelay);
  ASSERT_EQ(
      ::getsockopt(socket->fd(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
  EXPECT_NE(nodelay, 0);
  EXPECT_EQ(*socket->PeerEndpoint(), *listener.LocalEndpoint());
  EXPECT_TRUE(AcceptBlocking(listener).valid());
}

TEST_F(ConnectorTest, ClosedPortFailsFastWithConnectionRefused) {
  // A bound socket that does not listen: connections to it are refused, and
  // no one else can take the port meanwhile.
  Socket bound(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(bound.Bind(*Endpoint::Parse("127.0.0.1:0")).ok());
  const Endpoint to = *bound.LocalEndpoint();
  absl::Duration elapsed;
  absl::StatusOr<Socket> socket =
      ConnectAndWait(to, absl::Seconds(10), &elapsed);
  ASSERT_FALSE(socket.ok());
  EXPECT_EQ(socket.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(socket.status().message(),
            absl::StrCat("connect to ", to.ToString(), ": Connection refused"));
  // "Fast": nowhere near the 10 s timeout. Loopback refuses within
  // microseconds; 2 s is generous for a loaded sanitizer build.
  EXPECT_LT(elapsed, absl::Seconds(2));
}

// Fills the accept queue of `listener` (created with backlog 0) with
// connections that are never accepted, until the kernel ignores new SYNs.
// Returns the filler sockets; empty if the kernel never stopped answering.
std::vector<Socket> FillBacklog(const Endpoint& to) {
  std::vector<Socket> fillers;
  for (int i = 0; i < 16; ++i) {
    Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    ::connect(s.fd(), to.sockaddr_ptr(), to.sockaddr_len());
    pollfd p = {.fd = s.fd(), .events = POLLOUT, .revents = 0};
    // A SYN answered on loopback completes within microseconds; 200 ms of
    // silence means the queue is full and SYNs are being dropped.
    const bool completed = ::poll(&p, 1, 200) == 1;
    fillers.push_back(std::move(s));
    if (!completed) return fillers;
  }
  return {};
}

TEST_F(ConnectorTest, TimesOutWhenListenBacklogIsFull) {
  Socket listener = ListenBlocking(/*backlog=*/0);
  const Endpoint to = *listener.LocalEndpoint();
  std::vector<Socket> fillers = FillBacklog(to);
  ASSERT_FALSE(fillers.empty()) << "the kernel kept accepting SYNs";
  absl::Duration elapsed;
  absl::StatusOr<Socket> socket =
      ConnectAndWait(to, absl::Milliseconds(300), &elapsed);
  ASSERT_FALSE(socket.ok());
  EXPECT_EQ(socket.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(
      socket.status().message(),
      absl::StrCat("connect to ", to.ToString(), " timed out after 300ms"));
  // Not before the timeout; and well before the kernel's own SYN retries
  // (1 s, 3 s, ...) could change the outcome. The upper bound only catches
  // a timeout that was ignored.
  EXPECT_GE(elapsed, absl::Milliseconds(300));
  EXPECT_LT(elapsed, absl::Seconds(5));
}

TEST_F(ConnectorTest, CancelFinishesWithCancelledExactlyOnce) {
  Socket listener = ListenBlocking(/*backlog=*/0);
  const Endpoint to = *listener.LocalEndpoint();
  std::vector<Socket> fillers = FillBacklog(to);
  ASSERT_FALSE(fillers.empty()) << "the kernel kept accepting SYNs";
  std::atomic<int> calls{0};
  absl::Notification done;
  absl::Status status;
  auto connector = Connector::Start(loop(), to, absl::Seconds(30),
                                    [&](absl::StatusOr<Socket> s) {
                                      status = s.status();
                                      ++calls;
                                      done.Notify();
                                    });
  connector->Cancel();
  connector->Cancel();
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(kWaitTimeout));
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(status.message(),
            absl::StrCat("connect to ", to.ToString(), " cancelled"));
  // Let the loop run the second Cancel, then check `done` ran once.
  testing::RunInLoopAndWait(loop(), [] {});
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace framerpc::transport
