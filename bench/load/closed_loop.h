// Copyright 2026 The framerpc Authors.
//
// ClosedLoop: the load generator shared by the framerpc, gRPC and raw-socket
// echo clients, so that the three are driven and measured the same way.
//
// C call slots (--concurrency) are spread over K connections (--connections,
// slot i on connection i % K). Each slot has one call in flight at a time:
// when it completes, the slot records the latency and starts the next one
// (a closed loop: the offered load is whatever the server sustains). After
// --warmup, the window of --duration is measured: calls completed, latency
// percentiles from per-slot histograms, and CPU time per call of this
// process (getrusage) and of the server (from its StatsServer, see
// process_stats.h).
//
// An implementation provides a Caller; its main() is then
//
//   framerpc::bench::LoadOptions options = framerpc::bench::ParseLoadFlags(
//       argc, argv, "usage");
//   framerpc::bench::ClosedLoop loop(options);
//   MyCaller caller(options, &loop);   // connects; Call() -> loop.Complete()
//   return loop.Main(caller);
//
// Output: one line "RESULT impl=... qps=... p50_us=..." (or "MEMORY ..." for
// --idle_connections) on stdout for bench/run.sh, and a readable summary on
// stderr.
//
// Thread safety: Complete() may be called from any thread, for different
// slots at once; for one slot, calls are sequential by construction.

#ifndef FRAMERPC_BENCH_LOAD_CLOSED_LOOP_H_
#define FRAMERPC_BENCH_LOAD_CLOSED_LOOP_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/load/latency_histogram.h"

namespace framerpc::bench {

struct LoadOptions {
  std::string impl;     // label in the output: framerpc, grpc, raw...
  std::string server;   // "127.0.0.1:port"
  std::string stats;    // the server's StatsServer, "127.0.0.1:port"
  int size = 16;        // payload bytes per request (and response)
  int concurrency = 1;  // C: calls in flight
  int connections = 1;  // K: connections they are spread over
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  // When > 0: the memory test instead of the load test (see ClosedLoop).
  int idle_connections = 0;
};

// Parses the common flags (and the implementation's own absl flags).
LoadOptions ParseLoadFlags(int argc, char** argv, const char* usage);

class ClosedLoop;

// One RPC implementation under test.
class Caller {
 public:
  virtual ~Caller() = default;

  // Starts a call of slot `slot` on connection ClosedLoop::ConnectionOf(slot)
  // and returns; its completion must call ClosedLoop::Complete(slot, ok),
  // on any thread.
  virtual void Call(int slot) = 0;

  // Starts the first call of every slot. Default: Call() for each.
  virtual void StartAll(int slots) {
    for (int i = 0; i < slots; ++i) Call(i);
  }

  // Memory test: opens `n` more connections, makes one call on each, and
  // returns once all have answered, leaving them open and idle. Returns
  // false on failure.
  virtual bool OpenIdleConnections(int n) = 0;
};

class ClosedLoop {
 public:
  explicit ClosedLoop(const LoadOptions& options);
  ClosedLoop(const ClosedLoop&) = delete;
  ClosedLoop& operator=(const ClosedLoop&) = delete;

  const LoadOptions& options() const { return options_; }
  int slots() const { return options_.concurrency; }
  int ConnectionOf(int slot) const { return slot % options_.connections; }

  // Records the completion of slot `slot`'s call and starts its next one,
  // unless the run is over. Any thread.
  void Complete(int slot, bool ok);

  // Runs the load test (or the memory test with --idle_connections) and
  // prints the result. Returns the process exit code.
  int Main(Caller& caller);

 private:
  struct alignas(64) Slot {
    int64_t start_ns = 0;
    LatencyHistogram histogram;
  };

  static int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  int RunLoad(Caller& caller);
  int RunIdle(Caller& caller);

  const LoadOptions options_;
  std::unique_ptr<Slot[]> slots_;
  Caller* caller_ = nullptr;
  std::atomic<bool> measuring_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> outstanding_{0};
  std::atomic<uint64_t> errors_{0};
};

}  // namespace framerpc::bench

#endif  // FRAMERPC_BENCH_LOAD_CLOSED_LOOP_H_
