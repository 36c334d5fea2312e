// Copyright 2026 The framerpc Authors.
//
// conn_test_server: a framerpc server for the process-level connection tests
// (connection_process_test.cc). It serves framerpc.testing.TestService and
// framerpc.echo.v1.Echo with the ServerOptions given on the command line,
// prints "listening on PORT" once it accepts connections, and on SIGTERM or
// SIGINT shuts down gracefully (GOAWAY, then up to --grace for the calls in
// flight), prints "stopped" and exits 0. On SIGUSR1 it returns the free
// heap to the system (malloc_trim) and prints "trimmed", so that a leak test
// (tests/chaos/leak_test.cc) reads a resident size free of malloc's caches.
// On SIGUSR2 it steps its own wall clock by --wall_clock_step
// (tests/integration/wall_clock.h) and prints "wall clock stepped by D", for
// the tests of clock steps (clock_step_test.cc).
//
// Every TestService answer carries two response metadata entries, so that a
// test can tell which process and which connection served a call:
//   server-port   the port this server listens on
//   client-peer   the client's address as this server sees it ("ip:port"),
//                 i.e. the connection the call came on
//
//   conn_test_server --address=127.0.0.1:0 --keepalive_interval=200ms
//       --keepalive_timeout=600ms --grace=5s --sleep_off_thread

#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framerpc/testing.framerpc.h"
#include "rpc/server.h"
#include "services/echo/echo_service.h"
#include "tests/integration/wall_clock.h"
#include "tests/rpc/test_service.h"

ABSL_FLAG(std::string, address, "127.0.0.1:0",
          "Where to listen (host:port); port 0 picks a free one.");
ABSL_FLAG(absl::Duration, keepalive_interval, absl::Seconds(1),
          "ServerOptions.keepalive_interval: PING after this much silence.");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(3),
          "ServerOptions.keepalive_timeout: a peer silent this long is dead.");
ABSL_FLAG(absl::Duration, wall_clock_step, absl::ZeroDuration(),
          "On SIGUSR2, step this process's wall clock by this much.");
ABSL_FLAG(int, io_threads, 0,
          "ServerOptions.io_threads (0: one per core). With 1, every "
          "connection is drained by the same loop task on SIGTERM.");
ABSL_FLAG(int, max_connections, 10000, "ServerOptions.max_connections.");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Minutes(10),
          "ServerOptions.idle_timeout.");
ABSL_FLAG(int, workers, 0,
          "ServerOptions.worker_threads (0: 4 per core): handlers that sleep "
          "block one worker each, unless --sleep_off_thread.");
ABSL_FLAG(absl::Duration, grace, absl::Seconds(5),
          "On SIGTERM/SIGINT, how long the calls in flight may still run.");
ABSL_FLAG(int, announce_started, 0,
          "When positive, print \"N calls started\" once N TestService "
          "handlers have started, so that a test knows its calls arrived.");
ABSL_FLAG(bool, sleep_off_thread, false,
          "Make TestRequest.sleep_ms wait on a timer thread instead of "
          "blocking a worker, so that thousands of sleeping calls cost no "
          "threads.");

namespace framerpc::testing {
namespace {

// Runs tasks at given times on one thread of its own.
// Thread safety: RunAt() may be called from any thread.
class DelayThread {
 public:
  DelayThread() : thread_([this] { Run(); }) {}
  ~DelayThread() { Stop(); }
  DelayThread(const DelayThread&) = delete;
  DelayThread& operator=(const DelayThread&) = delete;

  void RunAt(absl::Time when, absl::AnyInvocable<void()> task)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!stopping_) tasks_.emplace(when, std::move(task));
  }

  // Stops the thread and drops the tasks not run yet (a dropped Responder
  // answers INTERNAL, harmlessly once the server has shut down). Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_) {
    std::multimap<absl::Time, absl::AnyInvocable<void()>> dropped;
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      dropped.swap(tasks_);
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      const absl::Time next =
          tasks_.empty() ? absl::InfiniteFuture() : tasks_.begin()->first;
      if (next > absl::Now()) {
        // Wakes early when a task is added or on stop; then looks again.
        const size_t queued = tasks_.size();
        auto changed = [this, queued]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || tasks_.size() != queued;
        };
        mu_.AwaitWithDeadline(absl::Condition(&changed), next);
        continue;
      }
      absl::AnyInvocable<void()> task = std::move(tasks_.begin()->second);
      tasks_.erase(tasks_.begin());
      mu_.Unlock();
      task();
      mu_.Lock();
    }
  }

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::multimap<absl::Time, absl::AnyInvocable<void()>> tasks_
      ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// TestServiceImpl (which is final) plus the server-port / client-peer
// response metadata, and optionally sleeps that hold no worker.
class TaggingTestService final : public TestService::Service {
 public:
  TaggingTestService(DelayThread* delays, bool sleep_off_thread,
                     int announce_started)
      : delays_(delays),
        sleep_off_thread_(sleep_off_thread),
        announce_started_(announce_started) {}

  void set_port(int port) { port_.store(port, std::memory_order_relaxed); }

  void EchoAsync(ServerContext& context, const TestRequest& request,
                 TestResponse* response, Responder responder) override {
    context.response_metadata()["server-port"] =
        absl::StrCat(port_.load(std::memory_order_relaxed));
    context.response_metadata()["client-peer"] = context.peer();
    if (started_.fetch_add(1, std::memory_order_relaxed) + 1 ==
        announce_started_) {
      std::printf("%d calls started\n", announce_started_);
      std::fflush(stdout);
    }
    if (!sleep_off_thread_ || request.sleep_ms() == 0) {
      impl_.EchoAsync(context, request, response, std::move(responder));
      return;
    }
    // `context` and `response` stay valid until the responder finishes.
    TestRequest rest = request;
    rest.set_sleep_ms(0);
    delays_->RunAt(
        absl::Now() + absl::Milliseconds(request.sleep_ms()),
        [this, &context, rest = std::move(rest), response,
         responder = std::move(responder)]() mutable {
          if (context.IsCancelled()) {
            responder.Finish(
                absl::CancelledError("handler saw the cancellation"));
            return;
          }
          impl_.EchoAsync(context, rest, response, std::move(responder));
        });
  }

 private:
  DelayThread* const delays_;
  const bool sleep_off_thread_;
  const int announce_started_;
  std::atomic<int> started_{0};
  std::atomic<int> port_{0};
  TestServiceImpl impl_;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "conn_test_server: %s\n", status.ToString().c_str());
  return 2;
}

int Main() {
  // Block the signals we wait for before any thread starts, so that every
  // thread inherits the mask and sigwait() below is where they arrive.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGUSR1);
  sigaddset(&stop_signals, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  framerpc::ServerOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.keepalive_interval = absl::GetFlag(FLAGS_keepalive_interval);
  options.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  options.io_threads = absl::GetFlag(FLAGS_io_threads);
  options.max_connections = absl::GetFlag(FLAGS_max_connections);
  options.idle_timeout = absl::GetFlag(FLAGS_idle_timeout);
  options.worker_threads = absl::GetFlag(FLAGS_workers);

  DelayThread delays;
  TaggingTestService test_service(&delays,
                                  absl::GetFlag(FLAGS_sleep_off_thread),
                                  absl::GetFlag(FLAGS_announce_started));
  framerpc::echo::EchoService echo;
  framerpc::Server server(options);
  if (absl::Status status = server.AddService(&test_service); !status.ok()) {
    return Fail(status);
  }
  if (absl::Status status = server.AddService(&echo); !status.ok()) {
    return Fail(status);
  }
  // A fixed port is tagged before Start(), since a client may be waiting
  // for it; port 0 right after, before anyone has been told the port.
  int fixed_port = 0;
  if (absl::SimpleAtoi(options.address.substr(options.address.rfind(':') + 1),
                       &fixed_port)) {
    test_service.set_port(fixed_port);
  }
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) return Fail(port.status());
  test_service.set_port(*port);
  std::printf("listening on %d\n", *port);
  std::fflush(stdout);

  int signal = 0;
  while (true) {
    if (sigwait(&stop_signals, &signal) != 0) continue;
    if (signal == SIGUSR2) {
      const absl::Duration step = absl::GetFlag(FLAGS_wall_clock_step);
      const absl::Time before = absl::Now();
      StepWallClock(step);
      // abseil reads the kernel's clock only every two seconds or so: say
      // "stepped" once absl::Now() shows it (or after 5 s).
      for (int i = 0; i < 500 && absl::AbsDuration(absl::Now() - before -
                                                   step) > absl::Minutes(1);
           ++i) {
        absl::SleepFor(absl::Milliseconds(10));
      }
      std::printf("wall clock stepped by %s\n",
                  absl::FormatDuration(step).c_str());
      std::fflush(stdout);
      continue;
    }
    if (signal != SIGUSR1) break;
    malloc_trim(0);
    std::printf("trimmed\n");
    std::fflush(stdout);
  }
  std::printf("shutting down on signal %d\n", signal);
  std::fflush(stdout);
  server.Shutdown(absl::GetFlag(FLAGS_grace));
  server.Wait();
  delays.Stop();  // before the services its tasks use go away
  std::printf("stopped\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace framerpc::testing

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "A framerpc TestService + Echo server for the connection tests.");
  absl::ParseCommandLine(argc, argv);
  return framerpc::testing::Main();
}
