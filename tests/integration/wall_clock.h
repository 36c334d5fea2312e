// Copyright 2026 The framerpc Authors.
//
// StepWallClock: steps this process's wall clock, and only this process's,
// as an administrator's `date -s` or an NTP step would step the system's.
//
// An executable that links wall_clock.cc defines clock_gettime() itself.
// The dynamic linker binds a symbol to the executable's definition before
// any shared library's, so every wall-clock read in the process (abseil's
// absl::Now(), libstdc++'s system_clock) comes here: CLOCK_REALTIME and
// CLOCK_REALTIME_COARSE get the offset, every other clock is read as it is.
// Link it only into test binaries that step the clock.
//
//   StepWallClock(absl::Hours(1));   // the wall clock jumps an hour ahead
//   ...
//   StepWallClock(-absl::Hours(1));  // and back
//
// Thread safety: any thread; StepWallClock is also async-signal-safe.

#ifndef FRAMERPC_TESTS_INTEGRATION_WALL_CLOCK_H_
#define FRAMERPC_TESTS_INTEGRATION_WALL_CLOCK_H_

#include "absl/time/time.h"

namespace framerpc::testing {

// Adds `step` to the offset of this process's wall clock.
void StepWallClock(absl::Duration step);

// The offset so far (zero until StepWallClock is called).
absl::Duration WallClockOffset();

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_INTEGRATION_WALL_CLOCK_H_
