// Copyright 2026 The framerpc Authors.
//
// Slow: stretches a test's timing for sanitizer builds.
//
// A test that sets short heartbeat timeouts needs every thread of the process
// to run within them. Sanitizer builds run several times slower, and under
// ThreadSanitizer on a loaded 2-core machine a single wake-up of a worker
// thread has been measured to hold the waking event loop for 0.4-1.15 s (an
// optimized build: at most 0.33 ms). A 300 ms heartbeat timeout then kills a
// healthy connection. Heartbeat settings and the waits that depend on them
// are written as Slow(value): the value itself in an optimized build, five
// times it under ThreadSanitizer, twice under AddressSanitizer.

#ifndef FRAMERPC_TESTS_RPC_SLOWDOWN_H_
#define FRAMERPC_TESTS_RPC_SLOWDOWN_H_

#include "absl/time/time.h"

#if defined(__SANITIZE_THREAD__)
#define FRAMERPC_TEST_SLOWDOWN 5
#elif defined(__SANITIZE_ADDRESS__)
#define FRAMERPC_TEST_SLOWDOWN 2
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FRAMERPC_TEST_SLOWDOWN 5
#elif __has_feature(address_sanitizer)
#define FRAMERPC_TEST_SLOWDOWN 2
#endif
#endif
#ifndef FRAMERPC_TEST_SLOWDOWN
#define FRAMERPC_TEST_SLOWDOWN 1
#endif

namespace framerpc::testing {

inline constexpr int kSlowdown = FRAMERPC_TEST_SLOWDOWN;

inline absl::Duration Slow(absl::Duration duration) {
  return duration * kSlowdown;
}

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_RPC_SLOWDOWN_H_
