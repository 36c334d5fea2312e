// Copyright 2026 The framerpc Authors.
//
// LoadGenerator: client threads that call TestService.Echo through one
// Channel as fast as they can, half blocking, half asynchronous (a few in
// flight per thread), and check every outcome: each call completes exactly
// once, with a documented status, by its deadline plus a bound, and an OK
// answer echoes its own request.
//
//   LoadGenerator load(channel, options);
//   load.Start();
//   ...                                   // chaos
//   load.MarkRecoveryStart(absl::Now());  // every server is back
//   ...
//   bool drained = load.StopAndDrain(absl::Seconds(4));
//   LoadReport report = load.Report();
//
// Each request's payload starts with the call's id ("c<id>-" and random
// bytes), so an answer that belongs to another call is caught.
//
// Thread safety: every method may be called from any thread.
// Lifetime: the destructor stops the threads; the channel must stay alive
// until StopAndDrain() returned true (callbacks still to come use `this`).

#ifndef FRAMERPC_TESTS_CHAOS_LOAD_GENERATOR_H_
#define FRAMERPC_TESTS_CHAOS_LOAD_GENERATOR_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rpc/channel.h"

namespace framerpc::testing {

struct LoadOptions {
  // Client threads. Default: 16.
  int threads = 16;
  // The longest deadline of a call, from its start; each call draws its
  // own between half of this and all of it. Default: 2 s.
  absl::Duration timeout = absl::Seconds(2);
  // Asynchronous calls in flight per thread at most. Default: 8.
  int async_window = 8;
  // Seeds the random choices (call kinds, payloads). Default: 1.
  uint64_t seed = 1;
};

// What the calls did, summed over every thread.
struct LoadReport {
  uint64_t issued = 0;
  uint64_t completed = 0;
  uint64_t blocking = 0;
  uint64_t async = 0;
  // Calls that asked the server to answer after their deadline.
  uint64_t overrun_requests = 0;
  std::array<uint64_t, 17> by_code{};  // absl::StatusCode -> calls

  // Violations; each must stay 0.
  uint64_t duplicates = 0;      // a completion of a call already completed
  uint64_t wrong_code = 0;      // a status that is not documented for this
  uint64_t cross_talk = 0;      // an OK answer that is not this call's echo
  uint64_t overrun_ok = 0;      // OK for a call answered after its deadline
  uint64_t early_deadline = 0;  // DEADLINE_EXCEEDED before the deadline
  // A description of the first few violations.
  std::vector<std::string> samples;

  // Completion time minus deadline: the worst (largest) over all calls, and
  // the earliest DEADLINE_EXCEEDED (the smallest; negative is early).
  absl::Duration worst_lateness = -absl::InfiniteDuration();
  absl::Duration earliest_deadline_exceeded = absl::InfiniteDuration();
  absl::Duration worst_duration = absl::ZeroDuration();

  // After MarkRecoveryStart(): calls started, those that failed, the latest
  // start of one that failed (InfinitePast if none), and per server port
  // the first OK completion.
  uint64_t started_after_mark = 0;
  uint64_t failed_after_mark = 0;
  absl::Time last_failed_start_after_mark = absl::InfinitePast();
  std::map<std::string, absl::Time> first_ok_after_mark;

  // Non-OK status messages with digits replaced by '#', and their counts.
  std::map<std::string, uint64_t> messages;
};

class LoadGenerator {
 public:
  LoadGenerator(std::shared_ptr<Channel> channel, LoadOptions options);
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;
  ~LoadGenerator();

  // Starts the threads. REQUIRES: called once.
  void Start();

  // Whether 1% of the new calls ask the server to answer 25% after their
  // deadline (they must end DEADLINE_EXCEEDED, or UNAVAILABLE). Default on.
  void set_overrun_calls(bool on) { overrun_calls_.store(on); }

  // From `t` on, failures count against recovery (see LoadReport).
  void MarkRecoveryStart(absl::Time t);

  // Stops starting calls, joins the threads and waits up to `timeout` for
  // the calls in flight. Returns false when some never completed; then
  // Outstanding() names them.
  bool StopAndDrain(absl::Duration timeout);

  // The calls not completed yet: "call <id> started <age> ago".
  std::vector<std::string> Outstanding() const;

  LoadReport Report() const;

 private:
  // One thread's calls and tallies (its own lock, so threads do not contend).
  struct Shard {
    mutable absl::Mutex mu;
    // Calls not completed yet: id -> start.
    absl::flat_hash_map<uint64_t, absl::Time> pending ABSL_GUARDED_BY(mu);
    int async_in_flight ABSL_GUARDED_BY(mu) = 0;
    LoadReport report ABSL_GUARDED_BY(mu);
  };

  // One call's outcome, as the completion sees it.
  struct Outcome {
    uint64_t id;
    absl::Time start;
    absl::Time deadline;
    bool overrun;
    absl::Status status;
    const std::string* expected;  // the request payload
    const std::string* payload;   // the response payload when OK
    std::string server_port;
  };

  void Run(int index);
  void Complete(Shard& shard, const Outcome& outcome, bool async)
      ABSL_LOCKS_EXCLUDED(shard.mu);

  const std::shared_ptr<Channel> channel_;
  const LoadOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> overrun_calls_{true};
  std::atomic<int64_t> mark_ns_{INT64_MAX};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::thread> threads_;
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_CHAOS_LOAD_GENERATOR_H_
