// Copyright 2026 The framerpc Authors.
//
// TestServiceImpl: the framerpc.testing.TestService used by the RPC tests.
// Each request says what the handler should do (see
// proto/framerpc/testing.proto).
//
// Thread safety: any number of calls may run at once.

#ifndef FRAMERPC_TESTS_RPC_TEST_SERVICE_H_
#define FRAMERPC_TESTS_RPC_TEST_SERVICE_H_

#include <vector>

#include "absl/synchronization/mutex.h"
#include "framerpc/testing.framerpc.h"

namespace framerpc::testing {

class TestServiceImpl final : public TestService::Service {
 public:
  void EchoAsync(ServerContext& context, const TestRequest& request,
                 TestResponse* response, Responder responder) override;

  // Handlers that have started.
  int started() const ABSL_LOCKS_EXCLUDED(mu_);
  // Handlers that noticed ServerContext::IsCancelled() while sleeping.
  int saw_cancel() const ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until at least `n` handlers have started or `timeout` passes.
  bool WaitForStarted(int n, absl::Duration timeout) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until at least `n` handlers saw a cancellation or `timeout` passes.
  bool WaitForSawCancel(int n, absl::Duration timeout) const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  bool WaitFor(const int* counter, int n, absl::Duration timeout) const
      ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  int started_ ABSL_GUARDED_BY(mu_) = 0;
  int saw_cancel_ ABSL_GUARDED_BY(mu_) = 0;
  // Calls that were asked never to be answered; dropped with the service.
  std::vector<Responder> unanswered_ ABSL_GUARDED_BY(mu_);
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_RPC_TEST_SERVICE_H_
