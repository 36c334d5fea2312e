// Copyright 2026 The framerpc Authors.
//
// raw_echo_server: the baseline. Echoes 4-byte-length-prefixed frames with
// epoll and nothing else: no protobuf, no call table, no timers, no thread
// hop. One epoll thread per CPU this process may use; the main thread
// accepts and hands connections out round robin. Reads go to a per-thread
// buffer, and complete frames are written straight back from it, so an idle
// connection costs only its small state object. This is what the machine
// can do, and what framerpc is measured against.
//
//   raw_echo_server --port_file /tmp/p

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "bench/load/process_stats.h"
#include "bench/raw/raw_socket.h"

ABSL_FLAG(int, port, 0, "port to listen on (0: any)");
ABSL_FLAG(std::string, port_file, "", "where to write '<port> <stats_port>'");
ABSL_FLAG(int, threads, 0,
          "epoll threads; 0: one per CPU this process may run on (taskset)");

namespace framerpc::bench::raw {
namespace {

std::atomic<int64_t> open_connections{0};

struct Conn {
  int fd = -1;
  std::string pending;  // a partial frame carried over to the next read
  std::string out;      // echo bytes the socket did not take yet
};

class Loop {
 public:
  Loop() : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {}

  void Add(int fd) {
    auto* conn = new Conn;
    conn->fd = fd;
    epoll_event event = {};
    event.events = EPOLLIN;
    event.data.ptr = conn;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  }

  void Run() {
    std::vector<char> buffer(256 << 10);
    epoll_event events[256];
    for (;;) {
      const int n = ::epoll_wait(epoll_fd_, events, 256, -1);
      for (int i = 0; i < n; ++i) {
        auto* conn = static_cast<Conn*>(events[i].data.ptr);
        if (events[i].events & EPOLLOUT) {
          if (!Flush(conn)) continue;
        }
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          Read(conn, buffer.data(), buffer.size());
        }
      }
    }
  }

 private:
  void Close(Conn* conn) {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn->fd, nullptr);
    ::close(conn->fd);
    delete conn;
    open_connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void Read(Conn* conn, char* buffer, size_t capacity) {
    for (;;) {
      const ssize_t n = ::read(conn->fd, buffer, capacity);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        Close(conn);
        return;
      }
      if (n < 0) return;
      const char* data = buffer;
      size_t size = static_cast<size_t>(n);
      if (!conn->pending.empty()) {
        conn->pending.append(buffer, size);
        data = conn->pending.data();
        size = conn->pending.size();
      }
      // Complete frames are echoed as they are: the same bytes.
      size_t end = 0;
      while (size - end >= kLengthSize) {
        const uint32_t length = ReadLength(data + end);
        if (length > kMaxFrame) {
          Close(conn);
          return;
        }
        if (size - end - kLengthSize < length) break;
        end += kLengthSize + length;
      }
      if (end > 0 && !Send(conn, data, end)) return;
      if (data == buffer) {
        conn->pending.assign(data + end, size - end);
      } else {
        conn->pending.erase(0, end);
      }
      // A short read drained the socket: skip the read that would say EAGAIN.
      if (static_cast<size_t>(n) < capacity) return;
    }
  }

  // Writes or queues `size` bytes; false when the connection was closed.
  bool Send(Conn* conn, const char* data, size_t size) {
    if (!conn->out.empty()) {
      conn->out.append(data, size);
      return true;
    }
    ssize_t n = ::send(conn->fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN) {
        Close(conn);
        return false;
      }
      n = 0;
    }
    if (static_cast<size_t>(n) < size) {
      conn->out.assign(data + n, size - static_cast<size_t>(n));
      Watch(conn, EPOLLIN | EPOLLOUT);
    }
    return true;
  }

  bool Flush(Conn* conn) {
    const ssize_t n =
        ::send(conn->fd, conn->out.data(), conn->out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN) {
      Close(conn);
      return false;
    }
    if (n > 0) conn->out.erase(0, static_cast<size_t>(n));
    if (conn->out.empty()) {
      std::string().swap(conn->out);
      Watch(conn, EPOLLIN);
    }
    return true;
  }

  void Watch(Conn* conn, uint32_t events) {
    epoll_event event = {};
    event.events = events;
    event.data.ptr = conn;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn->fd, &event);
  }

  const int epoll_fd_;
};

int Main() {
  RaiseFileLimit();
  int port = 0;
  const int listen_fd = ListenOn(absl::GetFlag(FLAGS_port), &port);
  const int threads = absl::GetFlag(FLAGS_threads) > 0
                          ? absl::GetFlag(FLAGS_threads)
                          : AvailableCpus();
  std::vector<std::unique_ptr<Loop>> loops;
  for (int i = 0; i < threads; ++i) {
    Loop* loop = loops.emplace_back(std::make_unique<Loop>()).get();
    std::thread([loop] { loop->Run(); }).detach();
  }
  const int stats_port = StartStatsServer(
      0, [] { return open_connections.load(std::memory_order_relaxed); });
  WritePortFile(absl::GetFlag(FLAGS_port_file), port, stats_port);
  std::printf("raw_echo_server: port %d, stats %d, %d threads\n", port,
              stats_port, threads);
  std::fflush(stdout);
  for (size_t next = 0;; ++next) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) ::usleep(10000);
      continue;
    }
    MakeNonBlockingNoDelay(fd);
    open_connections.fetch_add(1, std::memory_order_relaxed);
    loops[next % loops.size()]->Add(fd);
  }
}

}  // namespace
}  // namespace framerpc::bench::raw

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Raw framed-socket echo server (baseline)");
  absl::ParseCommandLine(argc, argv);
  return framerpc::bench::raw::Main();
}
