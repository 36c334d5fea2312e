// Copyright 2026 The framerpc Authors.

#include "base/cpus.h"

#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace framerpc {
namespace internal {
namespace {

std::optional<int> CpusFromQuota(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  // Clamped: a huge quota over a tiny period must not wrap an int.
  return static_cast<int>(
      std::clamp<int64_t>(quota / period + (quota % period != 0), 1, 1 << 16));
}

}  // namespace

std::optional<int> CpusFromCpuMax(absl::string_view cpu_max) {
  std::vector<absl::string_view> fields = absl::StrSplit(
      absl::StripAsciiWhitespace(cpu_max), ' ', absl::SkipEmpty());
  int64_t quota = 0;
  int64_t period = 0;
  if (fields.size() != 2 || !absl::SimpleAtoi(fields[0], &quota) ||
      !absl::SimpleAtoi(fields[1], &period)) {
    return std::nullopt;  // "max 100000" (no limit) or not understood
  }
  return CpusFromQuota(quota, period);
}

std::optional<int> CpusFromCfsQuota(absl::string_view quota_us,
                                    absl::string_view period_us) {
  int64_t quota = 0;
  int64_t period = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(quota_us), &quota) ||
      !absl::SimpleAtoi(absl::StripAsciiWhitespace(period_us), &period)) {
    return std::nullopt;
  }
  return CpusFromQuota(quota, period);  // -1: no limit
}

}  // namespace internal

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The quota of this process's cgroup, v2 or v1 (cpu controller), if any.
std::optional<int> CgroupCpus() {
  for (absl::string_view line :
       absl::StrSplit(ReadFile("/proc/self/cgroup"), '\n')) {
    // "0::/path" (v2) or "N:cpu,cpuacct:/path" (v1).
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (fields.size() != 3) continue;
    const std::string path(fields[2]);
    if (fields[0] == "0" && fields[1].empty()) {
      std::optional<int> cpus = internal::CpusFromCpuMax(
          ReadFile("/sys/fs/cgroup" + path + "/cpu.max"));
      if (cpus.has_value()) return cpus;
      continue;
    }
    for (absl::string_view controller : absl::StrSplit(fields[1], ',')) {
      if (controller != "cpu") continue;
      for (const std::string& root :
           {std::string("/sys/fs/cgroup/cpu"),
            std::string("/sys/fs/cgroup/cpu,cpuacct")}) {
        std::optional<int> cpus = internal::CpusFromCfsQuota(
            ReadFile(root + path + "/cpu.cfs_quota_us"),
            ReadFile(root + path + "/cpu.cfs_period_us"));
        if (cpus.has_value()) return cpus;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

int UsableCpus() {
  int cpus = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    cpus = CPU_COUNT(&set);
  } else {
    cpus = static_cast<int>(std::thread::hardware_concurrency());
  }
  if (std::optional<int> quota = CgroupCpus(); quota.has_value()) {
    cpus = std::min(cpus, *quota);
  }
  return std::max(1, cpus);
}

}  // namespace framerpc
