// Copyright 2026 The framerpc Authors.
//
// Leak check: a conn_test_server process serves rounds of 1,000,000 calls
// over 1,000 connections (1,000 Channels with max_connections = 1, calls
// pipelined two per connection); after each round every channel is
// destroyed, and once the server has closed every connection it is told to
// return its free heap to the system (SIGUSR1: malloc_trim) and its resident
// size is read from /proc/PID/status.
//
// malloc keeps memory it has used once (per-thread arenas, the top of the
// heap), so the size after the first round, not at start-up, is the idle
// size: the first round is the warm-up. The second round's end must be
// within kRssTolerance of the first's; a leak of even 2 bytes per call, or
// 2 KiB per connection, would grow it by more than that. The file
// descriptors must return to their idle count too.
//
// Under AddressSanitizer the resident size says nothing (quarantine,
// shadow memory): the rounds are smaller and the check is LeakSanitizer's,
// on the server (it must exit 0 after SIGTERM) and on this process.
// Figures: docs/reliability.md.

#include <dirent.h>
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framerpc/testing.framerpc.h"
#include "gtest/gtest.h"
#include "rpc/call_options.h"
#include "rpc/channel.h"
#include "tests/chaos/server_fleet.h"
#include "tests/integration/process.h"

#if defined(__SANITIZE_ADDRESS__)
#define FRAMERPC_LEAK_TEST_ASAN 1
#elif defined(__SANITIZE_THREAD__)
#define FRAMERPC_LEAK_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FRAMERPC_LEAK_TEST_ASAN 1
#endif
#endif

namespace framerpc::testing {
namespace {

// Under a sanitizer, RSS says little (ASan's quarantine, TSan's shadow
// memory) and every call costs several times more: fewer calls, RSS
// reported but not checked; LeakSanitizer (ASan) and ThreadSanitizer
// check the processes instead.
#if defined(FRAMERPC_LEAK_TEST_ASAN)
constexpr bool kSanitizer = true;
constexpr int kCallsPerRound = 200'000;
#elif defined(FRAMERPC_LEAK_TEST_TSAN)
constexpr bool kSanitizer = true;
constexpr int kCallsPerRound = 50'000;
#else
constexpr bool kSanitizer = false;
constexpr int kCallsPerRound = 1'000'000;
#endif
constexpr int kConnections = 1000;
constexpr int kChainsPerConnection = 2;
constexpr int64_t kRssTolerance = int64_t{2} << 20;  // 2 MiB
constexpr absl::Duration kProcessTimeout = absl::Seconds(30);
constexpr absl::Duration kRoundTimeout = absl::Seconds(240);

int OpenFds(int pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/fd");
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

// Polls (every 10 ms) until `pid` has at most `fds` descriptors open.
bool WaitForFds(int pid, int fds, absl::Time deadline) {
  while (OpenFds(pid) > fds) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// Calls in chains: each completion starts the next call of its chain on the
// same channel, until `total` calls have been started. The first failure
// stops every chain. Held by shared_ptr: each callback keeps it alive.
class Traffic : public std::enable_shared_from_this<Traffic> {
 public:
  Traffic(const std::vector<std::shared_ptr<Channel>>& channels, int total)
      : total_(total) {
    for (const std::shared_ptr<Channel>& channel : channels) {
      stubs_.push_back(std::make_unique<TestService::Stub>(channel));
    }
  }

  // Starts kChainsPerConnection chains per channel; returns when every call
  // completed, one failed, or `timeout` passed.
  bool Run(absl::Duration timeout) {
    for (size_t c = 0; c < stubs_.size(); ++c) {
      for (int chain = 0; chain < kChainsPerConnection; ++chain) Next(c);
    }
    return done_.WaitForNotificationWithTimeout(timeout);
  }

  int completed() const { return completed_.load(); }
  int wrong_answers() const { return wrong_.load(); }
  std::string failure() const {
    absl::MutexLock lock(&mu_);
    return failure_;
  }

 private:
  void Next(size_t c) {
    if (stopped_.load()) return;
    const int n = started_.fetch_add(1);
    if (n >= total_) return;
    TestRequest request;
    request.set_payload(absl::StrCat("call ", n));
    // Runs on an I/O thread; starting the next call only posts to a loop.
    stubs_[c]->EchoAsync(
        request, CallOptions().set_timeout(absl::Seconds(30)),
        [self = shared_from_this(), c,
         n](absl::StatusOr<TestResponse> response) {
          if (!response.ok()) {
            self->Stop(response.status().ToString());
            return;
          }
          if (response->payload() != absl::StrCat("call ", n)) {
            self->wrong_.fetch_add(1);
          }
          if (self->completed_.fetch_add(1) + 1 == self->total_) {
            self->Stop("");
          } else {
            self->Next(c);
          }
        });
  }

  void Stop(const std::string& failure) {
    if (stopped_.exchange(true)) return;
    {
      absl::MutexLock lock(&mu_);
      failure_ = failure;
    }
    done_.Notify();
  }

  std::vector<std::unique_ptr<TestService::Stub>> stubs_;
  const int total_;
  std::atomic<int> started_{0};
  std::atomic<int> completed_{0};
  std::atomic<int> wrong_{0};
  std::atomic<bool> stopped_{false};
  absl::Notification done_;
  mutable absl::Mutex mu_;
  std::string failure_ ABSL_GUARDED_BY(mu_);
};

// Asks the server to trim its heap; returns its resident size after.
absl::StatusOr<int64_t> TrimmedRss(ServerProcess& server) {
  if (absl::Status s = server.process->Signal(SIGUSR1); !s.ok()) return s;
  absl::StatusOr<std::string> line = server.process->ReadLineWithDeadline(
      ChildProcess::kStdout, absl::Now() + kProcessTimeout);
  if (!line.ok()) return line.status();
  if (*line != "trimmed") {
    return absl::InternalError(absl::StrCat("server said '", *line, "'"));
  }
  return ResidentBytes(server.process->pid());
}

double MiB(int64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

TEST(LeakTest, ServerReturnsToIdleAfterMillionCallsOverThousandConnections) {
  absl::StatusOr<ServerProcess> server =
      StartServerProcess(CHAOS_SERVER_PATH, 0, {}, kProcessTimeout);
  ASSERT_TRUE(server.ok()) << server.status();
  const int pid = server->process->pid();
  const int idle_fds = OpenFds(pid);
  absl::StatusOr<int64_t> fresh = TrimmedRss(*server);
  ASSERT_TRUE(fresh.ok()) << fresh.status();

  ChannelOptions options;
  options.max_connections = 1;
  // Two chains per connection stay far below the 100 calls a connection
  // carries before a second one would be wanted; max_connections = 1 makes
  // sure of it.
  std::vector<int64_t> rss;
  for (int round = 0; round < 2; ++round) {
    const absl::Time start = absl::Now();
    std::vector<std::shared_ptr<Channel>> channels;
    for (int c = 0; c < kConnections; ++c) {
      absl::StatusOr<std::shared_ptr<Channel>> channel =
          Channel::Create(absl::StrCat("127.0.0.1:", server->port), options);
      ASSERT_TRUE(channel.ok()) << channel.status();
      channels.push_back(*std::move(channel));
    }
    int peak_fds = 0;
    {
      auto traffic = std::make_shared<Traffic>(channels, kCallsPerRound);
      ASSERT_TRUE(traffic->Run(kRoundTimeout))
          << "round " << round << " did not finish";
      EXPECT_EQ(traffic->failure(), "");
      EXPECT_EQ(traffic->completed(), kCallsPerRound);
      EXPECT_EQ(traffic->wrong_answers(), 0);
      peak_fds = OpenFds(pid);
    }
    const absl::Duration took = absl::Now() - start;
    absl::StatusOr<int64_t> peak = ResidentBytes(pid);
    ASSERT_TRUE(peak.ok()) << peak.status();
    channels.clear();
    EXPECT_GE(peak_fds, idle_fds + kConnections)
        << "the server did not see " << kConnections << " connections";
    ASSERT_TRUE(WaitForFds(pid, idle_fds, absl::Now() + kProcessTimeout))
        << "the server still has " << OpenFds(pid) << " descriptors open, "
        << idle_fds << " when idle";
    absl::StatusOr<int64_t> after = TrimmedRss(*server);
    ASSERT_TRUE(after.ok()) << after.status();
    rss.push_back(*after);
    std::printf(
        "round %d: %d calls over %d connections in %s (%.0f calls/s); server "
        "RSS %.1f MiB with the connections open, %.1f MiB after (trimmed); "
        "%d fds at the peak, %d idle\n",
        round + 1, kCallsPerRound, kConnections,
        absl::FormatDuration(took).c_str(),
        kCallsPerRound / absl::ToDoubleSeconds(took), MiB(*peak), MiB(*after),
        peak_fds, idle_fds);
  }
  std::printf(
      "server RSS: %.2f MiB fresh, %.2f MiB after round 1 (the idle size), "
      "%.2f MiB after round 2: %+.0f KiB (tolerance %.0f KiB%s)\n",
      MiB(*fresh), MiB(rss[0]), MiB(rss[1]), (rss[1] - rss[0]) / 1024.0,
      kRssTolerance / 1024.0,
      kSanitizer ? ", not checked under a sanitizer" : "");
  if (!kSanitizer) {
    EXPECT_LE(rss[1] - rss[0], kRssTolerance)
        << "the server grew between two identical rounds";
  }

  // A normal exit, so that LeakSanitizer (under ASan) checks the server.
  ASSERT_TRUE(server->process->Signal(SIGTERM).ok());
  absl::StatusOr<std::string> err = server->process->ReadToEndWithDeadline(
      ChildProcess::kStderr, absl::Now() + kProcessTimeout);
  absl::StatusOr<ExitStatus> exit = server->process->Wait(kProcessTimeout);
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_TRUE(exit->exited() && exit->exit_code == 0)
      << "server: " << exit->ToString() << "; stderr:\n"
      << (err.ok() ? *err : err.status().ToString());
}

}  // namespace
}  // namespace framerpc::testing
