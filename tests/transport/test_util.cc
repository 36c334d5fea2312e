// Copyright 2026 The framerpc Authors.

#include "tests/transport/test_util.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "transport/connector.h"
#include "transport/frame_codec.h"

namespace framerpc::transport::testing {
namespace {

// Waits until `fd` is ready for `events` or `timeout` passes.
bool PollFor(int fd, short events, absl::Duration timeout) {
  pollfd p = {.fd = fd, .events = events, .revents = 0};
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const int ms =
        static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (ms < 0) return false;
    const int rc = ::poll(&p, 1, ms);
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

void RunInLoopAndWait(EventLoop* loop, absl::AnyInvocable<void()> fn) {
  absl::Notification done;
  loop->RunInLoop([&fn, &done] {
    fn();
    done.Notify();
  });
  done.WaitForNotification();
}

std::string EncodeFrame(FrameType type, absl::string_view meta,
                        absl::string_view payload) {
  std::string out;
  FrameCodec::Encode(type, meta, payload, &out);
  return out;
}

Socket ConnectBlocking(const Endpoint& to) {
  Socket socket(::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) {
    ADD_FAILURE() << "socket: " << errno;
    return Socket();
  }
  if (::connect(socket.fd(), to.sockaddr_ptr(), to.sockaddr_len()) != 0) {
    ADD_FAILURE() << "connect " << to.ToString() << ": errno " << errno;
    return Socket();
  }
  return socket;
}

Socket ListenBlocking(int backlog) {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  absl::StatusOr<Endpoint> any = Endpoint::Parse("127.0.0.1:0");
  if (!socket.valid() || !socket.Bind(*any).ok() ||
      ::listen(socket.fd(), backlog) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1:0";
    return Socket();
  }
  return socket;
}

Socket AcceptBlocking(const Socket& listener, absl::Duration timeout) {
  if (!PollFor(listener.fd(), POLLIN, timeout)) return Socket();
  return Socket(::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
}

void WriteAll(const Socket& socket, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n =
        ::send(socket.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ADD_FAILURE() << "send: errno " << errno;
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string ReadUpTo(const Socket& socket, size_t n, absl::Duration timeout) {
  std::string out;
  const absl::Time deadline = absl::Now() + timeout;
  char buf[64 * 1024];
  while (out.size() < n) {
    if (!PollFor(socket.fd(), POLLIN, deadline - absl::Now())) break;
    const ssize_t got =
        ::recv(socket.fd(), buf, std::min(sizeof(buf), n - out.size()), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

bool WaitForEof(const Socket& socket, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  char buf[64 * 1024];
  while (PollFor(socket.fd(), POLLIN, deadline - absl::Now())) {
    const ssize_t got = ::recv(socket.fd(), buf, sizeof(buf), 0);
    if (got == 0) return true;
    if (got < 0 && errno != EINTR) return false;
  }
  return false;
}

std::shared_ptr<Connection> Dial(EventLoop* loop, const Endpoint& to,
                                 absl::AnyInvocable<void(Connection&)> setup,
                                 ConnectionOptions options) {
  absl::Notification done;
  std::shared_ptr<Connection> conn;
  absl::Status error;
  Connector::Start(loop, to, kWaitTimeout, [&](absl::StatusOr<Socket> socket) {
    if (!socket.ok()) {
      error = socket.status();
    } else {
      conn = Connection::Create(loop, *std::move(socket), to, options);
      if (setup) setup(*conn);
      conn->Start();
    }
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_TRUE(error.ok()) << error;
  return conn;
}

void ForceCloseAndWait(const std::shared_ptr<Connection>& conn) {
  RunInLoopAndWait(conn->loop(),
                   [conn] { conn->ForceClose(absl::OkStatus()); });
}

int CountTcpSockets(int port, absl::string_view state) {
  int count = 0;
  for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      // "  0: 0100007F:1F90 00000000:0000 0A ..."
      std::vector<absl::string_view> fields =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (fields.size() < 4) continue;
      absl::string_view local = fields[1];
      const size_t colon = local.rfind(':');
      if (colon == absl::string_view::npos) continue;
      int local_port = 0;
      if (!absl::SimpleHexAtoi(local.substr(colon + 1), &local_port)) continue;
      if (local_port == port && fields[3] == state) ++count;
    }
  }
  return count;
}

}  // namespace framerpc::transport::testing
