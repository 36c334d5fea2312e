// Copyright 2026 The framerpc Authors.
//
// TestServer: an Acceptor plus the Connections it accepted, on one loop. By
// default every frame is echoed back unchanged (with the zero-copy
// SendFrame); a setup callback can replace the connection's callbacks.
//
//   TestServer server(loop);
//   ASSERT_TRUE(server.Listen().ok());
//   ... connect to server.endpoint() ...
//   std::vector<absl::Status> reasons = server.WaitForClosed(1);
//
// Thread safety: every method may be called from any thread except the loop
// thread (they wait for the loop). The setup callback runs on the loop.
// Ownership: owns the acceptor and the accepted connections.
// Lifetime: `loop` must run while the server lives; the destructor closes
// everything.

#ifndef FRAMERPC_TESTS_TRANSPORT_TEST_SERVER_H_
#define FRAMERPC_TESTS_TRANSPORT_TEST_SERVER_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/transport/test_util.h"
#include "transport/acceptor.h"
#include "transport/connection.h"
#include "transport/event_loop.h"

namespace framerpc::transport::testing {

class TestServer {
 public:
  using SetupCallback = absl::AnyInvocable<void(Connection&)>;

  explicit TestServer(EventLoop* loop, SetupCallback setup = nullptr,
                      ConnectionOptions options = {});
  ~TestServer();

  // Listens on 127.0.0.1:0.
  absl::Status Listen();
  Endpoint endpoint() const;

  // Force-closes every connection and stops the acceptor. Idempotent.
  void Shutdown();

  // Waits until at least `n` connections have closed; returns every close
  // reason so far, in order (fewer than `n` after a timeout).
  std::vector<absl::Status> WaitForClosed(
      size_t n, absl::Duration timeout = kWaitTimeout);
  // The connections accepted so far (waits until `n` were).
  size_t WaitForAccepted(size_t n, absl::Duration timeout = kWaitTimeout);

 private:
  void OnNewConnection(Socket socket, const Endpoint& peer);

  EventLoop* const loop_;
  SetupCallback setup_;
  const ConnectionOptions options_;
  std::unique_ptr<Acceptor> acceptor_;

  // Loop thread only.
  absl::flat_hash_map<uint64_t, std::shared_ptr<Connection>> connections_;

  absl::Mutex mu_;
  size_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<absl::Status> closed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace framerpc::transport::testing

#endif  // FRAMERPC_TESTS_TRANSPORT_TEST_SERVER_H_
