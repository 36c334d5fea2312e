// Copyright 2026 The framerpc Authors.
//
// WaitUntil: for tests that must observe a counter that has no notification
// of its own (a server's connection count, a service's call count).

#ifndef FRAMERPC_TESTS_RPC_WAIT_UNTIL_H_
#define FRAMERPC_TESTS_RPC_WAIT_UNTIL_H_

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace framerpc::testing {

// Polls `condition` every 5 ms until it holds (true) or `timeout` passes
// (false).
inline bool WaitUntil(const std::function<bool()>& condition,
                      absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_RPC_WAIT_UNTIL_H_
