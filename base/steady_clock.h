// Copyright 2026 The framerpc Authors.
//
// SteadyNow: the time on CLOCK_MONOTONIC, as an absl::Time.
//
// Everything that measures how long something took (heartbeat silence, idle
// connections, deadlines, backoff) is measured on this clock, not on the
// wall clock: a step of the system clock (settimeofday, an NTP or chrony
// step, a VM resumed with a stale clock) must not make every peer look dead
// at once, nor leave a call waiting long past its deadline.
//
// The value is not a calendar time: compare it only with other SteadyNow()
// values, and convert a wall-clock instant with ToSteady().
//
// Thread safety: any thread.

#ifndef FRAMERPC_BASE_STEADY_CLOCK_H_
#define FRAMERPC_BASE_STEADY_CLOCK_H_

#include <time.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace framerpc {

// Now on the steady clock (CLOCK_MONOTONIC since an arbitrary epoch).
inline absl::Time SteadyNow() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return absl::UnixEpoch() + absl::DurationFromTimespec(ts);
}

// The steady time of the wall-clock instant `wall` (infinities stay
// infinite). Reads both clocks.
inline absl::Time ToSteady(absl::Time wall) {
  if (wall == absl::InfiniteFuture() || wall == absl::InfinitePast()) {
    return wall;
  }
  return SteadyNow() + (wall - absl::Now());
}

// The wall-clock instant of the steady time `steady` (infinities stay
// infinite), for APIs that hand out a calendar time. Reads both clocks.
inline absl::Time ToWall(absl::Time steady) {
  if (steady == absl::InfiniteFuture() || steady == absl::InfinitePast()) {
    return steady;
  }
  return absl::Now() + (steady - SteadyNow());
}

}  // namespace framerpc

#endif  // FRAMERPC_BASE_STEADY_CLOCK_H_
