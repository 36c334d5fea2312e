// Copyright 2026 The framerpc Authors.

#include "tests/integration/wall_clock.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace framerpc::testing {
namespace {

// Nanoseconds added to CLOCK_REALTIME.
std::atomic<int64_t> offset_ns{0};
static_assert(std::atomic<int64_t>::is_always_lock_free);

}  // namespace

void StepWallClock(absl::Duration step) {
  offset_ns.fetch_add(absl::ToInt64Nanoseconds(step),
                      std::memory_order_relaxed);
}

absl::Duration WallClockOffset() {
  return absl::Nanoseconds(offset_ns.load(std::memory_order_relaxed));
}

}  // namespace framerpc::testing

// The system call, not libc's clock_gettime (which is this function now).
// It skips the vDSO, so a read costs a system call: fine for a test.
extern "C" int clock_gettime(clockid_t clock, timespec* ts) {
  const long result = ::syscall(SYS_clock_gettime, clock, ts);
  if (result != 0) return static_cast<int>(result);
  if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE) {
    const int64_t offset =
        framerpc::testing::offset_ns.load(std::memory_order_relaxed);
    if (offset != 0) {
      constexpr int64_t kNanosPerSecond = 1'000'000'000;
      int64_t nanos = ts->tv_nsec + offset % kNanosPerSecond;
      int64_t seconds = ts->tv_sec + offset / kNanosPerSecond;
      if (nanos < 0) {
        nanos += kNanosPerSecond;
        --seconds;
      } else if (nanos >= kNanosPerSecond) {
        nanos -= kNanosPerSecond;
        ++seconds;
      }
      ts->tv_sec = seconds;
      ts->tv_nsec = nanos;
    }
  }
  return 0;
}
