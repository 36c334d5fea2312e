// Copyright 2026 The framerpc Authors.

#include "gtest/gtest.h"
#include "rpc/backoff.h"
#include "rpc/keepalive.h"

namespace framerpc::internal {
namespace {

TEST(BackoffTest, GrowsByTheMultiplierWithinTheJitterUpToTheMax) {
  BackoffOptions options;  // 100 ms, x2, max 5 s, jitter 0.2
  Backoff backoff(options);
  absl::Duration base = absl::Milliseconds(100);
  for (int i = 0; i < 12; ++i) {
    const absl::Duration delay = backoff.Next();
    EXPECT_GE(delay, base * 0.8) << i;
    EXPECT_LE(delay, base * 1.2) << i;
    base = std::min(base * 2, absl::Seconds(5));
  }
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff backoff(BackoffOptions{.initial = absl::Milliseconds(10),
                                 .multiplier = 3,
                                 .max = absl::Seconds(1),
                                 .jitter = 0});
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(10));
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(30));
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(10));
}

TEST(KeepalivePolicyTest, PingsAfterIntervalAndDiesAfterTimeout) {
  const KeepalivePolicy policy{absl::Seconds(1), absl::Seconds(3)};
  const absl::Time t0 = absl::UnixEpoch();
  const absl::Time never = absl::InfinitePast();
  using Action = KeepalivePolicy::Action;
  EXPECT_EQ(policy.Check(t0 + absl::Milliseconds(999), t0, never),
            Action::kNone);
  EXPECT_EQ(policy.Check(t0 + absl::Seconds(1), t0, never), Action::kPing);
  // At most one PING per interval.
  EXPECT_EQ(
      policy.Check(t0 + absl::Milliseconds(1500), t0, t0 + absl::Seconds(1)),
      Action::kNone);
  EXPECT_EQ(policy.Check(t0 + absl::Seconds(2), t0, t0 + absl::Seconds(1)),
            Action::kPing);
  EXPECT_EQ(policy.Check(t0 + absl::Seconds(3), t0, t0 + absl::Seconds(2)),
            Action::kDead);
}

TEST(KeepalivePolicyTest, MergeAdoptsTheStricterValues) {
  const KeepalivePolicy own{absl::Seconds(1), absl::Seconds(3)};
  KeepalivePolicy merged = KeepalivePolicy::Merge(own, absl::Milliseconds(200),
                                                  absl::Milliseconds(600));
  EXPECT_EQ(merged.interval, absl::Milliseconds(200));
  EXPECT_EQ(merged.timeout, absl::Milliseconds(600));
  // Laxer peer values change nothing; zero means "not stated".
  merged = KeepalivePolicy::Merge(own, absl::Seconds(10), absl::ZeroDuration());
  EXPECT_EQ(merged.interval, absl::Seconds(1));
  EXPECT_EQ(merged.timeout, absl::Seconds(3));
}

TEST(KeepalivePolicyTest,
     MergeFloorsAbsurdPeerValuesAndKeepsIntervalBelowTimeout) {
  const KeepalivePolicy own{absl::Seconds(1), absl::Seconds(3)};
  KeepalivePolicy merged =
      KeepalivePolicy::Merge(own, absl::Microseconds(1), absl::Microseconds(1));
  EXPECT_EQ(merged.timeout, KeepalivePolicy::kMinPeerTimeout);
  EXPECT_LT(merged.interval, merged.timeout);
  merged = KeepalivePolicy::Merge(own, absl::ZeroDuration(),
                                  absl::Milliseconds(900));
  EXPECT_EQ(merged.timeout, absl::Milliseconds(900));
  EXPECT_EQ(merged.interval, absl::Milliseconds(300));
}

TEST(KeepalivePolicyTest, TickIsATenthOfTheTimeoutWithinBounds) {
  EXPECT_EQ((KeepalivePolicy{absl::Seconds(1), absl::Seconds(3)}).tick(),
            absl::Milliseconds(300));
  EXPECT_EQ(
      (KeepalivePolicy{absl::Milliseconds(10), absl::Milliseconds(50)}).tick(),
      absl::Milliseconds(10));
  EXPECT_EQ((KeepalivePolicy{absl::Seconds(10), absl::Seconds(60)}).tick(),
            absl::Seconds(1));
}

}  // namespace
}  // namespace framerpc::internal
