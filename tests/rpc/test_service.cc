// Copyright 2026 The framerpc Authors.

#include "tests/rpc/test_service.h"

#include <stdexcept>
#include <string>

#include "absl/time/clock.h"
#include "base/steady_clock.h"

namespace framerpc::testing {
void TestServiceImpl::EchoAsync(ServerContext& context,
                                const TestRequest& request,
                                TestResponse* response, Responder responder) {
  {
    absl::MutexLock lock(&mu_);
    ++started_;
  }
  if (request.throw_exception()) {
    throw std::runtime_error("test handler was asked to throw");
  }
  if (request.never_answer()) {
    absl::MutexLock lock(&mu_);
    unanswered_.push_back(std::move(responder));
    return;
  }
  if (request.sleep_ms() > 0) {
    // On the steady clock, so that a test that steps the wall clock
    // (tests/integration/clock_step_test.cc) does not cut the sleep short.
    const absl::Time until =
        SteadyNow() + absl::Milliseconds(request.sleep_ms());
    while (SteadyNow() < until) {
      if (context.IsCancelled()) {
        {
          absl::MutexLock lock(&mu_);
          ++saw_cancel_;
        }
        responder.Finish(absl::CancelledError("handler saw the cancellation"));
        return;
      }
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  if (request.echo_metadata()) {
    for (const auto& [key, value] : context.request_metadata()) {
      context.response_metadata()[key] = value;
    }
  }
  if (request.status_code() != 0) {
    responder.Finish(
        absl::Status(static_cast<absl::StatusCode>(request.status_code()),
                     request.status_message()));
    return;
  }
  if (request.response_size() > 0) {
    response->set_payload(std::string(request.response_size(), 'r'));
  } else {
    response->set_payload(request.payload());
  }
  responder.Finish(absl::OkStatus());
}

int TestServiceImpl::started() const {
  absl::MutexLock lock(&mu_);
  return started_;
}

int TestServiceImpl::saw_cancel() const {
  absl::MutexLock lock(&mu_);
  return saw_cancel_;
}

bool TestServiceImpl::WaitFor(const int* counter, int n,
                              absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  struct Args {
    const int* counter;
    int n;
  } args{counter, n};
  return mu_.AwaitWithTimeout(
      absl::Condition(
          +[](Args* a) { return *a->counter >= a->n; }, &args),
      timeout);
}

bool TestServiceImpl::WaitForStarted(int n, absl::Duration timeout) const {
  return WaitFor(&started_, n, timeout);
}

bool TestServiceImpl::WaitForSawCancel(int n, absl::Duration timeout) const {
  return WaitFor(&saw_cancel_, n, timeout);
}

}  // namespace framerpc::testing
