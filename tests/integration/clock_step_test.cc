// Copyright 2026 The framerpc Authors.
//
// Steps of the wall clock (an administrator's `date -s`, an NTP step, a VM
// resumed with a stale clock) must not kill live connections, expire calls
// early, hide a frozen peer or leave a call waiting past its deadline:
// framerpc measures every duration on the steady clock
// (base/steady_clock.h).
//
// The wall clock stepped is a process's own (tests/integration/wall_clock.h):
// this test process's with StepWallClock, for the client's side and for an
// in-process server; conn_test_server's with SIGUSR2 (--wall_clock_step).
// Each step is an hour, far beyond any timeout here, forward or back.
//
// While this process's clock is stepped, the tests wait only by polling with
// absl::SleepFor against a steady clock of its own: abseil's timed waits
// (Mutex:: AwaitWithTimeout, Notification::WaitForNotificationWithTimeout)
// sleep until an absolute time on the kernel's CLOCK_REALTIME, which the step
// does not move.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framerpc/testing.framerpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/call_options.h"
#include "rpc/channel.h"
#include "rpc/metadata.h"
#include "rpc/server.h"
#include "tests/integration/process.h"
#include "tests/integration/server_process.h"
#include "tests/integration/wall_clock.h"
#include "tests/rpc/test_server.h"
#include "tests/rpc/test_service.h"

namespace framerpc::testing {
namespace {

using ::testing::HasSubstr;

// An hour: far beyond every timeout here.
constexpr absl::Duration kStep = absl::Hours(1);
// The servers' heartbeat policy, which the channels adopt, is 250 ms / 800 ms
// as in connection_process_test.cc. A frozen peer is found within kBound:
// timeout + interval, plus 2 s for a loaded 2-core machine and sanitizers.
constexpr absl::Duration kInterval = absl::Milliseconds(250),
                         kTimeout = absl::Milliseconds(800);
const absl::Duration kBound = kTimeout + kInterval + absl::Seconds(2);
// Only a hang waits this long: for a process to start, or for a call that
// should succeed.
constexpr absl::Duration kProcessTimeout = absl::Seconds(30);

// The test's own steady clock (std::chrono's, not the SteadyNow() under
// test), for timing what it observes.
absl::Time TestClock() {
  return absl::UnixEpoch() +
         absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

// Polls `condition` every 2 ms for up to `limit`, timed on TestClock().
bool PollFor(absl::FunctionRef<bool()> condition, absl::Duration limit) {
  const absl::Time deadline = TestClock() + limit;
  while (!condition()) {
    if (TestClock() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

// Steps this process's wall clock by `step`, then waits (up to 5 s) until
// absl::Now() shows the step: abseil reads the kernel's clock only every two
// seconds or so and extrapolates in between. Returns whether it showed.
bool StepAndWaitForAbseil(absl::Duration step) {
  const absl::Time before = absl::Now();
  StepWallClock(step);
  return PollFor(
      [&] {
        return absl::AbsDuration(absl::Now() - before - step) <
               absl::Minutes(1);
      },
      absl::Seconds(5));
}

// Steps this process's wall clock by `step` for its lifetime (and back at
// the end), each time waiting for absl::Now() to show it.
class ScopedWallClockStep {
 public:
  explicit ScopedWallClockStep(absl::Duration step)
      : step_(step), noticed_(StepAndWaitForAbseil(step)) {}
  ~ScopedWallClockStep() { StepAndWaitForAbseil(-step_); }
  ScopedWallClockStep(const ScopedWallClockStep&) = delete;
  ScopedWallClockStep& operator=(const ScopedWallClockStep&) = delete;

  // Whether absl::Now() showed the step within 5 s.
  bool noticed() const { return noticed_; }

 private:
  const absl::Duration step_;
  const bool noticed_;
};

absl::StatusOr<ServerProcess> StartServer(
    const std::vector<std::string>& extra_args = {}) {
  std::vector<std::string> args = {
      absl::StrCat("--keepalive_interval=", absl::FormatDuration(kInterval)),
      absl::StrCat("--keepalive_timeout=", absl::FormatDuration(kTimeout))};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return StartServerProcess(TEST_SERVER_PATH, 0, args, kProcessTimeout);
}

std::shared_ptr<Channel> MustCreateChannel(const std::string& target) {
  absl::StatusOr<std::shared_ptr<Channel>> channel = Channel::Create(target);
  EXPECT_TRUE(channel.ok()) << channel.status();
  return channel.ok() ? *channel : nullptr;
}

// One TestService call started asynchronously; done() once it completed.
// Its outcome lives in a State that the completion shares, so that a test
// that fails early may destroy the AsyncCall before the channel completes
// the call.
class AsyncCall {
 public:
  AsyncCall(const std::shared_ptr<Channel>& channel, absl::Duration sleep,
            absl::Duration timeout)
      : stub_(channel), state_(std::make_shared<State>()) {
    TestRequest request;
    request.set_sleep_ms(
        static_cast<uint32_t>(absl::ToInt64Milliseconds(sleep)));
    stub_.EchoAsync(request, CallOptions().set_timeout(timeout),
                    [state = state_](absl::StatusOr<TestResponse> response) {
                      absl::MutexLock lock(&state->mu);
                      state->status = response.status();
                      state->done_at = TestClock();
                      state->done.store(true, std::memory_order_release);
                    });
  }

  bool done() const { return state_->done.load(std::memory_order_acquire); }
  absl::Status status() const {
    absl::MutexLock lock(&state_->mu);
    return state_->status;
  }
  // When it completed, on TestClock(). REQUIRES: done().
  absl::Time done_at() const {
    absl::MutexLock lock(&state_->mu);
    return state_->done_at;
  }

 private:
  struct State {
    std::atomic<bool> done{false};
    absl::Mutex mu;
    absl::Status status ABSL_GUARDED_BY(mu);
    absl::Time done_at ABSL_GUARDED_BY(mu);
  };

  TestService::Stub stub_;
  const std::shared_ptr<State> state_;
};

// Makes one quick call and returns the client address the server saw it
// come from: the connection it used (conn_test_server's "client-peer").
std::string ConnectionOfNextCall(const std::shared_ptr<Channel>& channel) {
  TestService::Stub stub(channel);
  Metadata metadata;
  CallOptions options = CallOptions().set_timeout(absl::Seconds(10));
  options.response_metadata = &metadata;
  absl::StatusOr<TestResponse> response = stub.Echo(TestRequest(), options);
  EXPECT_TRUE(response.ok()) << response.status();
  auto it = metadata.find("client-peer");
  return it == metadata.end() ? "" : it->second;
}

TEST(ClockStepTest, StepWallClockMovesAbslNowOnly) {
  // Without this, the other tests could pass with a shim that steps nothing.
  const absl::Time wall = absl::Now();
  const absl::Time steady = TestClock();
  {
    ScopedWallClockStep step(kStep);
    EXPECT_TRUE(step.noticed());
    EXPECT_GE(absl::Now() - wall, kStep);
    EXPECT_LT(TestClock() - steady, absl::Minutes(1));
  }
  EXPECT_TRUE(
      PollFor([&] { return absl::Now() - wall < kStep; }, absl::Seconds(5)));
}

TEST(ClockStepTest, ClientClockStepForwardKeepsConnectionAndCallsInFlight) {
  absl::StatusOr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<Channel> channel = MustCreateChannel(server->address());
  const std::string connection = ConnectionOfNextCall(channel);
  ASSERT_FALSE(connection.empty());
  AsyncCall slow(channel, absl::Seconds(2), absl::Seconds(10));

  ScopedWallClockStep step(kStep);
  ASSERT_TRUE(step.noticed());
  // Neither its deadline (10 s) nor the heartbeat (0.8 s) fails the call.
  ASSERT_TRUE(PollFor([&] { return slow.done(); }, kProcessTimeout));
  EXPECT_TRUE(slow.status().ok()) << slow.status();
  // Three heartbeat timeouts later the channel still uses the same
  // connection: it never took the server for dead.
  absl::SleepFor(3 * kTimeout);
  EXPECT_EQ(ConnectionOfNextCall(channel), connection);
}

TEST(ClockStepTest, ClientClockStepBackStillFindsAFrozenServerInTime) {
  absl::StatusOr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<Channel> channel = MustCreateChannel(server->address());
  ASSERT_FALSE(ConnectionOfNextCall(channel).empty());
  AsyncCall call(channel, absl::Seconds(20), absl::Seconds(25));

  ScopedWallClockStep step(-kStep);
  ASSERT_TRUE(step.noticed());
  const absl::Time frozen_at = TestClock();
  ASSERT_TRUE(server->process->Signal(SIGSTOP).ok());
  // An hour of "negative silence" would hide the frozen server, and the
  // call would wait out its deadline plus the hour.
  ASSERT_TRUE(PollFor([&] { return call.done(); }, 2 * kBound))
      << "a frozen server is still not found after " << 2 * kBound;
  EXPECT_EQ(call.status().code(), absl::StatusCode::kUnavailable)
      << call.status();
  EXPECT_THAT(call.status().message(), HasSubstr("heartbeat timeout"));
  EXPECT_LE(call.done_at() - frozen_at, kBound);
  ASSERT_TRUE(server->process->Signal(SIGKILL).ok());
}

TEST(ClockStepTest, ClientClockStepBackDoesNotDelayADeadline) {
  absl::StatusOr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<Channel> channel = MustCreateChannel(server->address());
  ASSERT_FALSE(ConnectionOfNextCall(channel).empty());
  // The deadline outlasts the wait for abseil to see the step.
  constexpr absl::Duration kDeadline = absl::Seconds(6);
  const absl::Time started = TestClock();
  AsyncCall call(channel, absl::Seconds(20), kDeadline);

  ScopedWallClockStep step(-kStep);
  ASSERT_TRUE(step.noticed());
  ASSERT_FALSE(call.done()) << call.status();
  ASSERT_TRUE(PollFor([&] { return call.done(); }, 3 * kDeadline))
      << "a " << kDeadline << " deadline has not fired after " << 3 * kDeadline;
  EXPECT_EQ(call.status().code(), absl::StatusCode::kDeadlineExceeded)
      << call.status();
  EXPECT_GE(call.done_at() - started, kDeadline);
}

TEST(ClockStepTest, ServerClockStepForwardKeepsConnectionAndCallsInFlight) {
  absl::StatusOr<ServerProcess> server = StartServer(
      {absl::StrCat("--wall_clock_step=", absl::FormatDuration(kStep)),
       "--announce_started=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<Channel> channel = MustCreateChannel(server->address());
  const std::string connection = ConnectionOfNextCall(channel);
  ASSERT_FALSE(connection.empty());
  // Longer than the server takes to see its step (see ScopedWallClockStep).
  AsyncCall slow(channel, absl::Seconds(6), absl::Seconds(15));
  // The slow call is running on the server (the second call started).
  absl::StatusOr<std::string> line = server->process->ReadLineWithDeadline(
      ChildProcess::kStdout, absl::Now() + kProcessTimeout);
  ASSERT_TRUE(line.ok()) << line.status();
  ASSERT_EQ(*line, "2 calls started");

  ASSERT_TRUE(server->process->Signal(SIGUSR2).ok());
  line = server->process->ReadLineWithDeadline(ChildProcess::kStdout,
                                               absl::Now() + kProcessTimeout);
  ASSERT_TRUE(line.ok()) << line.status();
  ASSERT_EQ(*line, absl::StrCat("wall clock stepped by ",
                                absl::FormatDuration(kStep)));
  // The server neither expires the call nor takes the client for dead.
  ASSERT_TRUE(PollFor([&] { return slow.done(); }, kProcessTimeout));
  EXPECT_TRUE(slow.status().ok()) << slow.status();
  absl::SleepFor(3 * kTimeout);
  EXPECT_EQ(ConnectionOfNextCall(channel), connection);
}

TEST(ClockStepTest, ServerClockStepBackStillFindsAFrozenClientInTime) {
  ServerOptions options;
  options.keepalive_interval = kInterval;
  options.keepalive_timeout = kTimeout;
  TestServer server(options);
  ASSERT_NE(server.port, 0);
  absl::StatusOr<std::unique_ptr<ChildProcess>> client =
      StartIdleClient(TEST_CLIENT_PATH, server.port, kProcessTimeout);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_EQ(server.server->connection_count(), 1);

  ScopedWallClockStep step(-kStep);
  ASSERT_TRUE(step.noticed());
  const absl::Time frozen_at = TestClock();
  ASSERT_TRUE((*client)->Signal(SIGSTOP).ok());
  EXPECT_TRUE(
      PollFor([&] { return server.server->connection_count() == 0; }, kBound))
      << "a frozen client still holds its connection after "
      << (TestClock() - frozen_at);
  ASSERT_TRUE((*client)->Signal(SIGKILL).ok());
  server.server->Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace framerpc::testing
