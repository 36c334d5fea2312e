// Copyright 2026 The framerpc Authors.
//
// UsableCpus: how many CPUs this process may actually use, for sizing
// thread pools. std::thread::hardware_concurrency() counts the machine's
// CPUs; a process pinned with `taskset -c 1`, or a container given half a
// core, can use far fewer, and a thread per machine CPU then only adds
// context switches.
//
//   const int loops = framerpc::UsableCpus();
//
// Thread safety: any thread. Reads the calling thread's affinity mask and,
// once per call, the cgroup CPU quota files; no state is kept.

#ifndef FRAMERPC_BASE_CPUS_H_
#define FRAMERPC_BASE_CPUS_H_

#include <optional>

#include "absl/strings/string_view.h"

namespace framerpc {

// The number of CPUs the calling thread may run on (sched_getaffinity),
// lowered to the cgroup's CPU quota rounded up (cgroup v2 cpu.max, or v1
// cpu.cfs_quota_us / cpu.cfs_period_us) when one is set. At least 1. Falls
// back to hardware_concurrency() when the affinity cannot be read.
int UsableCpus();

namespace internal {

// The CPUs a quota allows, rounded up: from a cgroup v2 cpu.max line
// ("150000 100000" is 2; "max 100000" is no limit). Nullopt for no limit
// or an unreadable line.
std::optional<int> CpusFromCpuMax(absl::string_view cpu_max);

// The same from cgroup v1's two files: quota -1 means no limit.
std::optional<int> CpusFromCfsQuota(absl::string_view quota_us,
                                    absl::string_view period_us);

}  // namespace internal
}  // namespace framerpc

#endif  // FRAMERPC_BASE_CPUS_H_
