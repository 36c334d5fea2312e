// Copyright 2026 The framerpc Authors.

#include "base/cpus.h"

#include <sched.h>

#include <thread>

#include "gtest/gtest.h"

namespace framerpc {
namespace {

TEST(UsableCpusTest, FollowsTheAffinityMaskOfTheCallingThread) {
  cpu_set_t original;
  CPU_ZERO(&original);
  ASSERT_EQ(sched_getaffinity(0, sizeof(original), &original), 0);
  const int allowed = CPU_COUNT(&original);
  EXPECT_GE(UsableCpus(), 1);
  EXPECT_LE(UsableCpus(), allowed);

  // As under `taskset -c <one cpu>`: one CPU, whatever the machine has.
  int first = 0;
  while (!CPU_ISSET(first, &original)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  const int pinned = UsableCpus();
  ASSERT_EQ(sched_setaffinity(0, sizeof(original), &original), 0);
  EXPECT_EQ(pinned, 1);
  if (allowed > 1 && std::thread::hardware_concurrency() > 1) {
    EXPECT_LT(pinned, static_cast<int>(std::thread::hardware_concurrency()));
  }
}

TEST(UsableCpusTest, CgroupV2QuotaIsRoundedUp) {
  EXPECT_EQ(internal::CpusFromCpuMax("150000 100000\n"), 2);
  EXPECT_EQ(internal::CpusFromCpuMax("100000 100000"), 1);
  EXPECT_EQ(internal::CpusFromCpuMax("50000 100000"), 1);  // half a core
  EXPECT_EQ(internal::CpusFromCpuMax("400000 100000"), 4);
  EXPECT_EQ(internal::CpusFromCpuMax("max 100000"), std::nullopt);
  // Absurd values are clamped, not wrapped.
  EXPECT_EQ(internal::CpusFromCpuMax("9223372036854775807 1"), 1 << 16);
  EXPECT_EQ(internal::CpusFromCpuMax(""), std::nullopt);
  EXPECT_EQ(internal::CpusFromCpuMax("garbage"), std::nullopt);
}

TEST(UsableCpusTest, CgroupV1QuotaIsRoundedUp) {
  EXPECT_EQ(internal::CpusFromCfsQuota("250000\n", "100000\n"), 3);
  EXPECT_EQ(internal::CpusFromCfsQuota("-1\n", "100000\n"), std::nullopt);
  EXPECT_EQ(internal::CpusFromCfsQuota("", ""), std::nullopt);
}

}  // namespace
}  // namespace framerpc
