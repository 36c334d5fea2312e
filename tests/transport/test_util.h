// Copyright 2026 The framerpc Authors.
//
// Helpers for transport tests: raw blocking sockets to play a peer byte by
// byte, frame encoding into strings, and waiting on loop-thread work.
//
// Thread safety: every function may be called from any thread; the raw
// socket helpers block the caller.

#ifndef FRAMERPC_TESTS_TRANSPORT_TEST_UTIL_H_
#define FRAMERPC_TESTS_TRANSPORT_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "transport/connection.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/frame.h"
#include "transport/socket.h"

namespace framerpc::transport::testing {

// Generous bound for "this should happen promptly" waits: long enough for a
// loaded 2-core CI machine running sanitizers, short enough to fail a hung
// test quickly.
inline constexpr absl::Duration kWaitTimeout = absl::Seconds(20);

// Runs `fn` on the loop thread and returns after it ran.
void RunInLoopAndWait(EventLoop* loop, absl::AnyInvocable<void()> fn);

// The bytes of one frame.
std::string EncodeFrame(FrameType type, absl::string_view meta,
                        absl::string_view payload);

// A blocking TCP socket connected to `to`; fails the test (ADD_FAILURE) and
// returns an invalid Socket on error.
Socket ConnectBlocking(const Endpoint& to);

// A blocking listening socket on 127.0.0.1:0 with `backlog`.
Socket ListenBlocking(int backlog = 16);
// accept() on a blocking listener; invalid Socket after `timeout`.
Socket AcceptBlocking(const Socket& listener,
                      absl::Duration timeout = kWaitTimeout);

// Writes all of `data` to a blocking socket.
void WriteAll(const Socket& socket, absl::string_view data);
// Reads until `n` bytes, EOF or `timeout`, whichever is first.
std::string ReadUpTo(const Socket& socket, size_t n,
                     absl::Duration timeout = kWaitTimeout);
// True once a read returns 0 (EOF) within `timeout`; data before it is
// discarded.
bool WaitForEof(const Socket& socket, absl::Duration timeout = kWaitTimeout);

// Connects to `to` with a Connector on `loop`, wraps the socket in a
// Connection, lets `setup` set its callbacks (on the loop thread), starts it
// and returns it; nullptr (and a test failure) if connecting failed.
std::shared_ptr<Connection> Dial(
    EventLoop* loop, const Endpoint& to,
    absl::AnyInvocable<void(Connection&)> setup = nullptr,
    ConnectionOptions options = {});

// Closes `conn` on its loop thread and waits until that happened.
void ForceCloseAndWait(const std::shared_ptr<Connection>& conn);

// Number of TCP sockets in /proc/net/tcp{,6} with local port `port` in
// `state` (the kernel's hex code, e.g. "08" CLOSE_WAIT, "06" TIME_WAIT).
int CountTcpSockets(int port, absl::string_view state);

// What a frame callback saw, copied out of the receive buffer.
struct Received {
  FrameType type;
  std::string meta;
  std::string payload;

  friend bool operator==(const Received&, const Received&) = default;
};

}  // namespace framerpc::transport::testing

#endif  // FRAMERPC_TESTS_TRANSPORT_TEST_UTIL_H_
