// Copyright 2026 The framerpc Authors.

#include "bench/load/closed_loop.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "bench/load/process_stats.h"

ABSL_FLAG(std::string, impl, "", "label of the implementation in the output");
ABSL_FLAG(std::string, server, "127.0.0.1:7001", "echo server, host:port");
ABSL_FLAG(std::string, stats, "",
          "the server's stats port, host:port (empty: no server CPU figures)");
ABSL_FLAG(int, size, 16, "payload bytes per request and response");
ABSL_FLAG(int, concurrency, 1, "calls in flight (C)");
ABSL_FLAG(int, connections, 1, "connections the calls are spread over (K)");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1),
          "load before the measured window");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "measured window");
ABSL_FLAG(int, idle_connections, 0,
          "memory test instead: open this many connections, one call each, "
          "and report the server's RSS growth per connection");

namespace framerpc::bench {
namespace {

// Errors beyond this end the run: the server is down or refusing.
constexpr uint64_t kMaxErrors = 1000;

double Us(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

}  // namespace

LoadOptions ParseLoadFlags(int argc, char** argv, const char* usage) {
  absl::SetProgramUsageMessage(usage);
  absl::ParseCommandLine(argc, argv);
  LoadOptions options;
  options.impl = absl::GetFlag(FLAGS_impl);
  options.server = absl::GetFlag(FLAGS_server);
  options.stats = absl::GetFlag(FLAGS_stats);
  options.size = absl::GetFlag(FLAGS_size);
  options.concurrency = absl::GetFlag(FLAGS_concurrency);
  options.connections = absl::GetFlag(FLAGS_connections);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.idle_connections = absl::GetFlag(FLAGS_idle_connections);
  if (options.size < 0 || options.concurrency < 1 || options.connections < 1 ||
      options.connections > options.concurrency ||
      options.duration <= absl::ZeroDuration()) {
    std::fprintf(stderr,
                 "need size >= 0, 1 <= connections <= concurrency, "
                 "duration > 0\n");
    std::exit(2);
  }
  RaiseFileLimit();
  return options;
}

ClosedLoop::ClosedLoop(const LoadOptions& options)
    : options_(options), slots_(new Slot[options.concurrency]) {}

void ClosedLoop::Complete(int slot, bool ok) {
  Slot& s = slots_[slot];
  const int64_t now = NowNs();
  if (!ok) {
    if (errors_.fetch_add(1, std::memory_order_relaxed) + 1 >= kMaxErrors) {
      stopping_.store(true, std::memory_order_relaxed);
    }
  } else if (measuring_.load(std::memory_order_relaxed)) {
    s.histogram.Record(static_cast<uint64_t>(now - s.start_ns));
  }
  if (stopping_.load(std::memory_order_relaxed)) {
    outstanding_.fetch_sub(1, std::memory_order_acq_rel);
    return;
  }
  s.start_ns = now;
  caller_->Call(slot);
}

int ClosedLoop::Main(Caller& caller) {
  caller_ = &caller;
  return options_.idle_connections > 0 ? RunIdle(caller) : RunLoad(caller);
}

int ClosedLoop::RunLoad(Caller& caller) {
  const bool have_stats = !options_.stats.empty();
  ProcessStats server0, server1;

  outstanding_.store(slots(), std::memory_order_relaxed);
  const int64_t start = NowNs();
  for (int i = 0; i < slots(); ++i) slots_[i].start_ns = start;
  caller.StartAll(slots());

  absl::SleepFor(options_.warmup);
  if (have_stats && !QueryStats(options_.stats, &server0)) return 1;
  const ProcessStats client0 = SelfStats();
  const int64_t t0 = NowNs();
  measuring_.store(true, std::memory_order_relaxed);

  absl::SleepFor(options_.duration);

  measuring_.store(false, std::memory_order_relaxed);
  const int64_t t1 = NowNs();
  const ProcessStats client1 = SelfStats();
  if (have_stats && !QueryStats(options_.stats, &server1)) return 1;

  // Let every slot finish its call, so the histograms are ours to read.
  stopping_.store(true, std::memory_order_relaxed);
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (outstanding_.load(std::memory_order_acquire) > 0) {
    if (absl::Now() > give_up) {
      std::fprintf(stderr, "%s: %d calls still in flight after 10 s\n",
                   options_.impl.c_str(), outstanding_.load());
      std::fflush(stderr);
      std::_Exit(1);
    }
    absl::SleepFor(absl::Milliseconds(1));
  }

  LatencyHistogram all;
  for (int i = 0; i < slots(); ++i) all.Merge(slots_[i].histogram);
  const uint64_t calls = all.count();
  const double seconds = static_cast<double>(t1 - t0) / 1e9;
  const double qps = static_cast<double>(calls) / seconds;
  auto cpu_per_call = [calls](const ProcessStats& a, const ProcessStats& b) {
    if (calls == 0) return 0.0;
    return static_cast<double>((b.user_us + b.sys_us) -
                               (a.user_us + a.sys_us)) /
           static_cast<double>(calls);
  };
  const double client_cpu = cpu_per_call(client0, client1);
  const double server_cpu = have_stats ? cpu_per_call(server0, server1) : -1;
  const uint64_t errors = errors_.load();

  std::printf(
      "RESULT impl=%s size=%d concurrency=%d connections=%d seconds=%.3f "
      "calls=%llu qps=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f "
      "client_cpu_us=%.3f server_cpu_us=%.3f errors=%llu\n",
      options_.impl.c_str(), options_.size, options_.concurrency,
      options_.connections, seconds, static_cast<unsigned long long>(calls),
      qps, Us(all.Percentile(50)), Us(all.Percentile(90)),
      Us(all.Percentile(99)), Us(all.Percentile(99.9)), client_cpu, server_cpu,
      static_cast<unsigned long long>(errors));
  std::fprintf(stderr,
               "%-10s %6d B C=%-4d K=%-3d %10.0f calls/s  p50 %8.1f us  "
               "p99 %8.1f us  cpu/call client %.2f us server %.2f us%s\n",
               options_.impl.c_str(), options_.size, options_.concurrency,
               options_.connections, qps, Us(all.Percentile(50)),
               Us(all.Percentile(99)), client_cpu, server_cpu,
               errors > 0 ? "  (ERRORS)" : "");
  std::fflush(stdout);
  std::fflush(stderr);
  return errors > 0 || calls == 0 ? 1 : 0;
}

int ClosedLoop::RunIdle(Caller& caller) {
  if (options_.stats.empty()) {
    std::fprintf(stderr, "--idle_connections needs --stats\n");
    return 2;
  }
  const int n = options_.idle_connections;
  ProcessStats before, after;
  if (!QueryStats(options_.stats, &before)) return 1;
  const int64_t kernel0 = KernelTcpMemoryBytes();
  if (!caller.OpenIdleConnections(n)) return 1;
  // Let the server finish accepting and settle.
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  do {
    absl::SleepFor(absl::Milliseconds(500));
    if (!QueryStats(options_.stats, &after)) return 1;
  } while (after.connections >= 0 &&
           after.connections < before.connections + n && absl::Now() < give_up);
  absl::SleepFor(absl::Milliseconds(500));
  if (!QueryStats(options_.stats, &after)) return 1;
  const int64_t kernel1 = KernelTcpMemoryBytes();
  const double per_connection =
      static_cast<double>(after.rss_bytes - before.rss_bytes) / n;
  const double kernel_per_connection =
      static_cast<double>(kernel1 - kernel0) / n;
  std::printf(
      "MEMORY impl=%s idle_connections=%d server_connections=%lld "
      "server_rss_before=%lld server_rss_after=%lld "
      "server_bytes_per_connection=%.0f kernel_tcp_bytes_per_connection=%.0f\n",
      options_.impl.c_str(), n, static_cast<long long>(after.connections),
      static_cast<long long>(before.rss_bytes),
      static_cast<long long>(after.rss_bytes), per_connection,
      kernel_per_connection);
  std::fprintf(stderr,
               "%-10s %d idle connections: server RSS %.1f -> %.1f MiB, "
               "%.0f bytes per connection (+ kernel %.0f, both ends)\n",
               options_.impl.c_str(), n,
               static_cast<double>(before.rss_bytes) / (1 << 20),
               static_cast<double>(after.rss_bytes) / (1 << 20), per_connection,
               kernel_per_connection);
  std::fflush(stdout);
  std::fflush(stderr);
  return 0;
}

}  // namespace framerpc::bench
