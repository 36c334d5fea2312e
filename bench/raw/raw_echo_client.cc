// Copyright 2026 The framerpc Authors.
//
// raw_echo_client: the closed-loop load generator (bench/load/closed_loop.h)
// over the raw framing of raw_socket.h. One epoll thread per CPU this
// process may use; each connection belongs to one thread. Responses come
// back in order, so each connection keeps a FIFO of the slots it carries;
// requests started while handling one read go out in one write.
//
//   raw_echo_client --server 127.0.0.1:7001 --stats 127.0.0.1:7002
//       --size 16 --concurrency 64 --connections 4

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/load/closed_loop.h"
#include "bench/load/process_stats.h"
#include "bench/raw/raw_socket.h"

namespace framerpc::bench::raw {
namespace {

class RawCaller final : public Caller {
 public:
  RawCaller(const LoadOptions& options, ClosedLoop* loop)
      : loop_(loop),
        payload_(static_cast<size_t>(options.size), 'x'),
        threads_(std::min(AvailableCpus(), options.connections)) {
    for (int t = 0; t < threads_; ++t) {
      workers_.push_back(std::make_unique<Worker>());
      workers_.back()->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    }
    for (int c = 0; c < options.connections; ++c) {
      auto conn = std::make_unique<Conn>();
      conn->fd = ConnectTo(options.server);
      MakeNonBlockingNoDelay(conn->fd);
      conn->worker = workers_[static_cast<size_t>(c % threads_)].get();
      epoll_event event = {};
      event.events = EPOLLIN;
      event.data.ptr = conn.get();
      ::epoll_ctl(conn->worker->epoll_fd, EPOLL_CTL_ADD, conn->fd, &event);
      conns_.push_back(std::move(conn));
    }
    server_ = options.server;
  }

  // On the connection's thread (or before the threads start).
  void Call(int slot) override {
    Conn& conn = *conns_[static_cast<size_t>(loop_->ConnectionOf(slot))];
    AppendFrame(payload_, &conn.out);
    conn.slots.push_back(slot);
    if (!conn.dirty) {
      conn.dirty = true;
      conn.worker->dirty.push_back(&conn);
    }
  }

  void StartAll(int slots) override {
    for (int i = 0; i < slots; ++i) Call(i);
    for (auto& worker : workers_) {
      Worker* w = worker.get();
      std::thread([this, w] { Run(*w); }).detach();
    }
  }

  bool OpenIdleConnections(int n) override {
    std::string frame;
    AppendFrame(payload_, &frame);
    std::string reply(frame.size(), '\0');
    for (int i = 0; i < n; ++i) {
      const int fd = ConnectTo(server_);
      if (::write(fd, frame.data(), frame.size()) !=
          static_cast<ssize_t>(frame.size())) {
        return false;
      }
      size_t got = 0;
      while (got < reply.size()) {
        const ssize_t r = ::read(fd, reply.data() + got, reply.size() - got);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
      }
      idle_fds_.push_back(fd);
    }
    return true;
  }

 private:
  struct Worker;
  struct Conn {
    int fd = -1;
    Worker* worker = nullptr;
    std::string in;
    std::string out;
    std::deque<int> slots;  // in flight, oldest first
    bool dirty = false;     // in worker->dirty
    bool want_write = false;
  };
  struct Worker {
    int epoll_fd = -1;
    std::vector<Conn*> dirty;
  };

  [[noreturn]] static void Fail(const char* what) {
    std::fprintf(stderr, "raw client: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
  }

  void Run(Worker& worker) {
    std::vector<char> buffer(256 << 10);
    epoll_event events[64];
    for (;;) {
      FlushDirty(worker);
      const int n = ::epoll_wait(worker.epoll_fd, events, 64, -1);
      for (int i = 0; i < n; ++i) {
        auto* conn = static_cast<Conn*>(events[i].data.ptr);
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          Read(*conn, buffer.data(), buffer.size());
        }
        if ((events[i].events & EPOLLOUT) && !conn->dirty) {
          conn->dirty = true;
          worker.dirty.push_back(conn);
        }
      }
    }
  }

  void Read(Conn& conn, char* buffer, size_t capacity) {
    for (;;) {
      const ssize_t n = ::read(conn.fd, buffer, capacity);
      if (n == 0) Fail("server closed the connection");
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        Fail("read");
      }
      conn.in.append(buffer, static_cast<size_t>(n));
      size_t at = 0;
      while (conn.in.size() - at >= kLengthSize) {
        const uint32_t length = ReadLength(conn.in.data() + at);
        if (conn.in.size() - at - kLengthSize < length) break;
        at += kLengthSize + length;
        const int slot = conn.slots.front();
        conn.slots.pop_front();
        loop_->Complete(slot, length == payload_.size());
      }
      conn.in.erase(0, at);
      if (static_cast<size_t>(n) < capacity) return;
    }
  }

  void FlushDirty(Worker& worker) {
    for (Conn* conn : worker.dirty) {
      conn->dirty = false;
      if (conn->out.empty()) continue;
      const ssize_t n =
          ::send(conn->fd, conn->out.data(), conn->out.size(), MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN) Fail("send");
      if (n > 0) conn->out.erase(0, static_cast<size_t>(n));
      const bool want_write = !conn->out.empty();
      if (want_write != conn->want_write) {
        conn->want_write = want_write;
        epoll_event event = {};
        event.events = EPOLLIN | (want_write ? EPOLLOUT : 0u);
        event.data.ptr = conn;
        ::epoll_ctl(worker.epoll_fd, EPOLL_CTL_MOD, conn->fd, &event);
      }
    }
    worker.dirty.clear();
  }

  ClosedLoop* const loop_;
  const std::string payload_;
  const int threads_;
  std::string server_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<int> idle_fds_;
};

}  // namespace
}  // namespace framerpc::bench::raw

int main(int argc, char** argv) {
  const framerpc::bench::LoadOptions options = framerpc::bench::ParseLoadFlags(
      argc, argv, "Closed-loop load on the raw framed-socket echo server");
  framerpc::bench::ClosedLoop loop(options);
  framerpc::bench::raw::RawCaller caller(options, &loop);
  const int rc = loop.Main(caller);
  std::fflush(nullptr);
  std::_Exit(rc);
}
