// Copyright 2026 The framerpc Authors.
//
// chaos_test: three conn_test_server processes behind one Channel, sixteen
// client threads calling through it, and a driver that SIGKILLs, SIGSTOPs
// (and later SIGCONTs), SIGTERMs and restarts the servers at random. Checks
// that every call ends exactly once, with OK or a documented status
// (UNAVAILABLE, DEADLINE_EXCEEDED), by its deadline plus --lateness_bound;
// that no OK answer belongs to another call; that no server crashes and
// every SIGTERM drains and exits 0; and that once the chaos stops the client
// is back to all-OK within --recovery_bound and uses every server again
// within --reuse_bound. Prints a summary; exits 0 when every check passed,
// 1 otherwise. Method and figures: docs/reliability.md.
//
//   chaos_test --duration=5m              # a longer run
//   chaos_test --seed=1234                # the same random choices again
//
// A seed replays the driver's and the clients' random choices, not the
// timing of threads and processes, so a failure may need a few runs.

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/logging.h"
#include "rpc/channel.h"
#include "tests/chaos/load_generator.h"
#include "tests/chaos/server_fleet.h"

ABSL_FLAG(absl::Duration, duration, absl::Seconds(60),
          "How long the chaos lasts (CI: 60s; docs/reliability.md: 5m).");
ABSL_FLAG(uint64_t, seed, 0, "Random seed; 0 picks one (printed).");
ABSL_FLAG(int, servers, 3, "Server processes.");
ABSL_FLAG(int, threads, 16, "Client threads, all on one Channel.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(2), "Each call's deadline.");
ABSL_FLAG(absl::Duration, lateness_bound, absl::Seconds(1),
          "A call must complete by its deadline plus this.");
ABSL_FLAG(absl::Duration, recovery_bound, absl::Seconds(5),
          "After the chaos, every call started later than this succeeds.");
ABSL_FLAG(absl::Duration, reuse_bound, absl::Seconds(7),
          "After the chaos, every server serves an OK call within this "
          "(max_backoff 5 s + 20% jitter + 1 s).");
ABSL_FLAG(absl::Duration, settle, absl::Seconds(10),
          "How long the clients keep calling after the chaos.");
ABSL_FLAG(absl::Duration, server_keepalive_interval, absl::Milliseconds(250),
          "The servers' keepalive_interval (the channel adopts it).");
ABSL_FLAG(absl::Duration, server_keepalive_timeout, absl::Seconds(1),
          "The servers' keepalive_timeout (the channel adopts it).");
ABSL_FLAG(absl::Duration, grace, absl::Seconds(1),
          "The servers' drain grace on SIGTERM.");
ABSL_FLAG(absl::Duration, min_gap, absl::Milliseconds(200),
          "Shortest time between two chaos events.");
ABSL_FLAG(absl::Duration, max_gap, absl::Milliseconds(600),
          "Longest time between two chaos events.");

namespace framerpc::testing {
namespace {

// A server that drains must exit within its grace plus this (flushing,
// stopping threads, and under ASan the leak check at exit).
constexpr absl::Duration kDrainSlack = absl::Seconds(10);
constexpr absl::Duration kTick = absl::Milliseconds(10);

struct EventCounts {
  int kills = 0;
  int kills_of_stopped = 0;
  int stops = 0;
  int long_stops = 0;  // longer than the heartbeat detection bound
  int terms = 0;
  int restarts = 0;
};

// Runs the chaos and the checks; returns the number of failed checks.
// Open sockets (the channel's connections; the fleet talks to its servers
// over pipes) and threads of this process.
struct ProcessResources {
  int sockets = 0;
  int threads = 0;
};

ProcessResources CurrentResources() {
  ProcessResources resources;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (dirent* entry = readdir(dir)) {
      char target[64];
      const std::string path = absl::StrCat("/proc/self/fd/", entry->d_name);
      const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
      if (n > 0 && absl::StartsWith(absl::string_view(target, n), "socket:")) {
        ++resources.sockets;
      }
    }
    closedir(dir);
  }
  if (FILE* status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof(line), status) != nullptr) {
      if (std::sscanf(line, "Threads: %d", &resources.threads) == 1) break;
    }
    std::fclose(status);
  }
  return resources;
}

int Run() {
  uint64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed == 0) seed = absl::Uniform<uint64_t>(absl::BitGen(), 1, 1u << 31);
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  const absl::Duration lateness_bound = absl::GetFlag(FLAGS_lateness_bound);
  const absl::Duration recovery_bound = absl::GetFlag(FLAGS_recovery_bound);
  const absl::Duration reuse_bound = absl::GetFlag(FLAGS_reuse_bound);
  const absl::Duration grace = absl::GetFlag(FLAGS_grace);
  const absl::Duration server_timeout =
      absl::GetFlag(FLAGS_server_keepalive_timeout);
  // Heartbeat detection bound (docs/connections.md): timeout + tick.
  const absl::Duration detection =
      server_timeout +
      std::clamp(server_timeout / 10, absl::Milliseconds(10), absl::Seconds(1));
  std::printf(
      "chaos_test: seed %llu, %s of chaos, %d servers, %d client threads, "
      "deadline %s, server heartbeat %s / %s\n",
      static_cast<unsigned long long>(seed),
      absl::FormatDuration(duration).c_str(), absl::GetFlag(FLAGS_servers),
      absl::GetFlag(FLAGS_threads), absl::FormatDuration(timeout).c_str(),
      absl::FormatDuration(absl::GetFlag(FLAGS_server_keepalive_interval))
          .c_str(),
      absl::FormatDuration(server_timeout).c_str());
  std::fflush(stdout);

  int failures = 0;
  auto check = [&failures](bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      std::printf("FAILED: %s\n", what.c_str());
      std::fflush(stdout);
    }
  };

  ServerFleet fleet(CHAOS_SERVER_PATH,
                    {absl::StrCat("--keepalive_interval=",
                                  absl::FormatDuration(absl::GetFlag(
                                      FLAGS_server_keepalive_interval))),
                     absl::StrCat("--keepalive_timeout=",
                                  absl::FormatDuration(server_timeout)),
                     absl::StrCat("--grace=", absl::FormatDuration(grace)),
                     "--sleep_off_thread"});
  if (absl::Status status = fleet.StartAll(absl::GetFlag(FLAGS_servers));
      !status.ok()) {
    check(false, status.ToString());
    return failures;
  }
  std::printf("target %s\n", fleet.Target().c_str());

  // What the client process holds before the channel: the shared client
  // loops exist after any Channel::Create, so make (and drop) one first.
  (void)Channel::Create(fleet.Target());
  const ProcessResources before = CurrentResources();

  // The channel's own options are the documented defaults; it adopts the
  // servers' stricter heartbeat through their SETTINGS.
  absl::StatusOr<std::shared_ptr<Channel>> channel =
      Channel::Create(fleet.Target());
  if (!channel.ok()) {
    check(false, channel.status().ToString());
    return failures;
  }
  LoadOptions load_options;
  load_options.threads = absl::GetFlag(FLAGS_threads);
  load_options.timeout = timeout;
  load_options.seed = seed;
  auto load = std::make_unique<LoadGenerator>(*channel, load_options);
  load->Start();

  // The chaos. Per server, `action_at` is when a stopped server continues
  // or a downed one restarts.
  absl::BitGen gen(std::seed_seq{seed});
  EventCounts events;
  std::vector<absl::Time> action_at(fleet.size(), absl::InfiniteFuture());
  absl::Status fleet_status;
  const absl::Time chaos_start = absl::Now();
  const absl::Time chaos_until = chaos_start + duration;
  absl::Time next_event = chaos_start + absl::Seconds(1);
  using State = ServerFleet::State;
  while (fleet_status.ok() && absl::Now() < chaos_until) {
    fleet_status = fleet.Poll(grace + kDrainSlack);
    const absl::Time now = absl::Now();
    for (int i = 0; i < fleet.size() && fleet_status.ok(); ++i) {
      if (fleet.state(i) == State::kDown &&
          action_at[i] == absl::InfiniteFuture()) {
        // Drained: restart after a pause.
        action_at[i] = now + absl::Milliseconds(absl::Uniform(gen, 0, 1000));
      }
      if (now < action_at[i]) continue;
      action_at[i] = absl::InfiniteFuture();
      if (fleet.state(i) == State::kStopped) {
        fleet_status = fleet.Continue(i);
      } else if (fleet.state(i) == State::kDown) {
        fleet_status = fleet.Restart(i);
        ++events.restarts;
      }
    }
    if (fleet_status.ok() && now >= next_event) {
      next_event =
          now + absl::Nanoseconds(absl::Uniform(
                    gen, absl::ToInt64Nanoseconds(absl::GetFlag(FLAGS_min_gap)),
                    absl::ToInt64Nanoseconds(absl::GetFlag(FLAGS_max_gap))));
      const int i = absl::Uniform(gen, 0, fleet.size());
      const double what = absl::Uniform(gen, 0.0, 1.0);
      if (fleet.state(i) == State::kRunning && what < 0.35) {
        fleet_status = fleet.Kill(i);
        ++events.kills;
        action_at[i] = now + absl::Milliseconds(absl::Uniform(gen, 0, 2000));
      } else if (fleet.state(i) == State::kRunning && what < 0.75) {
        fleet_status = fleet.Stop(i);
        ++events.stops;
        const absl::Duration pause =
            absl::Milliseconds(absl::Uniform(gen, 500, 5001));
        if (pause > detection) ++events.long_stops;
        action_at[i] = now + pause;
      } else if (fleet.state(i) == State::kRunning) {
        fleet_status = fleet.Terminate(i);
        ++events.terms;
      } else if (fleet.state(i) == State::kStopped && what < 0.2) {
        // Killing a frozen server: its connections die with no warning.
        fleet_status = fleet.Kill(i);
        ++events.kills;
        ++events.kills_of_stopped;
        action_at[i] = now + absl::Milliseconds(absl::Uniform(gen, 0, 2000));
      }
    }
    absl::SleepFor(kTick);
  }

  // The end of the chaos: every server back and running.
  load->set_overrun_calls(false);
  while (fleet_status.ok()) {
    bool all_running = true;
    for (int i = 0; i < fleet.size() && fleet_status.ok(); ++i) {
      if (fleet.state(i) == State::kStopped) {
        fleet_status = fleet.Continue(i);
      } else if (fleet.state(i) == State::kDown) {
        fleet_status = fleet.Restart(i);
        ++events.restarts;
      }
      all_running &= fleet.state(i) == State::kRunning;
    }
    if (all_running) break;
    if (fleet_status.ok()) fleet_status = fleet.Poll(grace + kDrainSlack);
    absl::SleepFor(kTick);
  }
  const absl::Time chaos_end = absl::Now();
  load->MarkRecoveryStart(chaos_end);
  const absl::Time settle_until = chaos_end + absl::GetFlag(FLAGS_settle);
  while (fleet_status.ok() && absl::Now() < settle_until) {
    fleet_status = fleet.Poll(grace + kDrainSlack);
    absl::SleepFor(kTick);
  }
  check(fleet_status.ok(), fleet_status.ToString());

  // Every call must end by its deadline plus the bound; give it that, and
  // a second for the threads to notice the stop.
  const bool drained =
      load->StopAndDrain(timeout + lateness_bound + absl::Seconds(1));
  if (!drained) {
    std::vector<std::string> outstanding = load->Outstanding();
    std::string list;
    for (size_t i = 0; i < outstanding.size() && i < 10; ++i) {
      absl::StrAppend(&list, "\n  ", outstanding[i]);
    }
    check(false, absl::StrCat(outstanding.size(),
                              " calls never completed (hung):", list));
  }
  absl::Status shutdown = fleet.ShutdownAll(grace + kDrainSlack);
  check(shutdown.ok(), shutdown.ToString());

  const LoadReport report = load->Report();

  // No connection or thread of the client outlives the channel: its
  // connections close (gracefully, so allow their linger) and the load's
  // threads were joined.
  load.reset();
  *channel = nullptr;
  ProcessResources after = CurrentResources();
  const absl::Time leak_deadline = absl::Now() + absl::Seconds(5);
  while ((after.sockets > before.sockets || after.threads > before.threads) &&
         absl::Now() < leak_deadline) {
    absl::SleepFor(absl::Milliseconds(50));
    after = CurrentResources();
  }
  std::printf(
      "client process: %d sockets and %d threads before the channel, %d and "
      "%d after\n",
      before.sockets, before.threads, after.sockets, after.threads);
  check(after.sockets <= before.sockets,
        absl::StrCat("the client leaked ", after.sockets - before.sockets,
                     " sockets (connections)"));
  check(after.threads <= before.threads,
        absl::StrCat("the client leaked ", after.threads - before.threads,
                     " threads"));
  std::printf("--- summary (seed %llu) ---\n",
              static_cast<unsigned long long>(seed));
  std::printf(
      "chaos events: %d SIGKILL (%d of a stopped server), %d SIGSTOP (%d "
      "longer than the %s detection bound), %d SIGTERM, %d restarts\n",
      events.kills, events.kills_of_stopped, events.stops, events.long_stops,
      absl::FormatDuration(detection).c_str(), events.terms, events.restarts);
  std::printf(
      "calls: %llu issued, %llu completed (%llu blocking, %llu async; %llu "
      "asked to overrun their deadline)\n",
      static_cast<unsigned long long>(report.issued),
      static_cast<unsigned long long>(report.completed),
      static_cast<unsigned long long>(report.blocking),
      static_cast<unsigned long long>(report.async),
      static_cast<unsigned long long>(report.overrun_requests));
  for (size_t code = 0; code < report.by_code.size(); ++code) {
    if (report.by_code[code] == 0) continue;
    std::printf(
        "  %-18s %llu\n",
        absl::StatusCodeToString(static_cast<absl::StatusCode>(code)).c_str(),
        static_cast<unsigned long long>(report.by_code[code]));
  }
  std::printf("status messages (digits as #):\n");
  for (const auto& [kind, count] : report.messages) {
    std::printf("  %8llu  %s\n", static_cast<unsigned long long>(count),
                kind.c_str());
  }
  const absl::Duration recovery = std::max(
      report.last_failed_start_after_mark - chaos_end, absl::ZeroDuration());
  std::printf(
      "worst completion vs deadline: %s (bound +%s); longest call %s; "
      "earliest DEADLINE_EXCEEDED vs deadline: %s\n",
      absl::FormatDuration(report.worst_lateness).c_str(),
      absl::FormatDuration(lateness_bound).c_str(),
      absl::FormatDuration(report.worst_duration).c_str(),
      absl::FormatDuration(report.earliest_deadline_exceeded).c_str());
  std::printf(
      "after the chaos: %llu calls started, %llu failed; recovery to all-OK "
      "%s after the chaos (bound %s)\n",
      static_cast<unsigned long long>(report.started_after_mark),
      static_cast<unsigned long long>(report.failed_after_mark),
      absl::FormatDuration(recovery).c_str(),
      absl::FormatDuration(recovery_bound).c_str());
  absl::Duration worst_reuse = absl::ZeroDuration();
  for (int i = 0; i < fleet.size(); ++i) {
    const std::string port = absl::StrCat(fleet.port(i));
    auto it = report.first_ok_after_mark.find(port);
    if (it == report.first_ok_after_mark.end()) {
      check(false, absl::StrCat("server ", i, " (port ", port,
                                ") served no OK call after the chaos"));
      continue;
    }
    worst_reuse = std::max(worst_reuse, it->second - chaos_end);
  }
  std::printf("every server serving again %s after the chaos (bound %s)\n",
              absl::FormatDuration(worst_reuse).c_str(),
              absl::FormatDuration(reuse_bound).c_str());
  for (const std::string& sample : report.samples) {
    std::printf("  violation: %s\n", sample.c_str());
  }

  check(report.completed == report.issued,
        absl::StrCat(report.issued - report.completed,
                     " calls did not complete"));
  check(report.duplicates == 0,
        absl::StrCat(report.duplicates, " calls completed more than once"));
  check(report.wrong_code == 0,
        absl::StrCat(report.wrong_code,
                     " calls ended with an undocumented status"));
  check(report.cross_talk == 0,
        absl::StrCat(report.cross_talk,
                     " OK answers did not echo their own request"));
  check(report.overrun_ok == 0,
        absl::StrCat(report.overrun_ok,
                     " calls answered after their deadline were OK"));
  check(report.early_deadline == 0,
        absl::StrCat(report.early_deadline,
                     " calls got DEADLINE_EXCEEDED before their deadline"));
  check(report.worst_lateness <= lateness_bound,
        absl::StrCat("a call completed ",
                     absl::FormatDuration(report.worst_lateness),
                     " after its deadline (bound ",
                     absl::FormatDuration(lateness_bound), ")"));
  check(recovery <= recovery_bound,
        absl::StrCat("a call started ", absl::FormatDuration(recovery),
                     " after the chaos still failed (bound ",
                     absl::FormatDuration(recovery_bound), ")"));
  check(worst_reuse <= reuse_bound,
        absl::StrCat("a server served again only ",
                     absl::FormatDuration(worst_reuse),
                     " after the chaos (bound ",
                     absl::FormatDuration(reuse_bound), ")"));
  check(report.by_code[0] > 0, "no call succeeded at all");
  check(duration < absl::Seconds(10) ||
            (events.kills > 0 && events.stops > 0 && events.terms > 0),
        "the chaos did not kill, stop and terminate at least once each");
  std::printf("%s (seed %llu)\n", failures == 0 ? "PASSED" : "FAILED",
              static_cast<unsigned long long>(seed));
  return failures;
}

}  // namespace
}  // namespace framerpc::testing

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Chaos test: servers killed, frozen, drained and restarted under load.");
  absl::ParseCommandLine(argc, argv);
  // The client logs a line per failed endpoint; thousands in a long run.
  framerpc::SetMinLogLevel(framerpc::LogSeverity::kError);
  return framerpc::testing::Run() == 0 ? 0 : 1;
}
