// Copyright 2026 The framerpc Authors.
//
// Backoff: the delays between reconnection attempts to an endpoint that is
// down. Each failure multiplies the delay by `multiplier`, up to `max`; each
// delay is then spread by ±`jitter` (a fraction) so that many clients of one
// restarted server do not reconnect in lockstep.
//
//   Backoff backoff(options);
//   absl::Duration wait = backoff.Next();   // 100 ms ± 20%, then 200 ms ± 20%,
//   ... backoff.Reset();                        // after a success
//
// Thread safety: not thread-safe; owned by one loop.

#ifndef FRAMERPC_RPC_BACKOFF_H_
#define FRAMERPC_RPC_BACKOFF_H_

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace framerpc::internal {

struct BackoffOptions {
  absl::Duration initial = absl::Milliseconds(100);
  double multiplier = 2.0;
  absl::Duration max = absl::Seconds(5);
  // 0.2 means each delay is drawn uniformly from [0.8 d, 1.2 d].
  double jitter = 0.2;
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options)
      : options_(options), current_(options.initial) {}

  // The delay before the next attempt; grows the one after it.
  absl::Duration Next() {
    const absl::Duration base = current_;
    current_ = std::min(options_.max, current_ * options_.multiplier);
    if (options_.jitter <= 0) return base;
    const double factor =
        absl::Uniform(random_, 1.0 - options_.jitter, 1.0 + options_.jitter);
    return base * factor;
  }

  // Back to `initial`, after a successful connection.
  void Reset() { current_ = options_.initial; }

 private:
  const BackoffOptions options_;
  absl::Duration current_;
  absl::InsecureBitGen random_;
};

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_BACKOFF_H_
