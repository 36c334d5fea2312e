// Copyright 2026 The framerpc Authors.
//
// LatencyHistogram: counts of latencies in nanoseconds, in log-linear
// buckets (64 per power of two, so any recorded value is within 1.6% of the
// bucket it lands in), from which percentiles are read. Fixed size (9 KiB),
// no allocation after construction, O(1) Record().
//
//   LatencyHistogram h;
//   h.Record(1234);                  // ns
//   uint64_t p99 = h.Percentile(99);  // ns, the middle of the p99 bucket
//
// Thread safety: none; the load generator keeps one per call slot, so each
// is touched by one call at a time, and merges them after the run.

#ifndef FRAMERPC_BENCH_LOAD_LATENCY_HISTOGRAM_H_
#define FRAMERPC_BENCH_LOAD_LATENCY_HISTOGRAM_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace framerpc::bench {

class LatencyHistogram {
 public:
  // Values at or above 2^kMaxBits ns (about 18 minutes) are clamped.
  static constexpr int kSubBits = 6;
  static constexpr int kMaxBits = 40;
  static constexpr int kBuckets = (kMaxBits - kSubBits + 1) << kSubBits;

  void Record(uint64_t ns) {
    ++counts_[Index(std::min<uint64_t>(ns, (uint64_t{1} << kMaxBits) - 1))];
    ++count_;
  }

  void Merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
  }

  uint64_t count() const { return count_; }

  // The latency below which `percent` % of the recorded values fall, in ns
  // (the middle of its bucket). 0 when nothing was recorded.
  uint64_t Percentile(double percent) const {
    if (count_ == 0) return 0;
    // The rank of the value sought, 1-based, rounded up.
    uint64_t rank =
        static_cast<uint64_t>(percent / 100.0 * static_cast<double>(count_));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return Middle(i);
    }
    return Middle(kBuckets - 1);
  }

 private:
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;

  static int Index(uint64_t ns) {
    if (ns < kSub) return static_cast<int>(ns);
    const int shift = std::bit_width(ns) - 1 - kSubBits;
    return static_cast<int>(((shift + 1) << kSubBits) + ((ns >> shift) - kSub));
  }

  static uint64_t Middle(int index) {
    if (index < static_cast<int>(kSub)) return static_cast<uint64_t>(index);
    const int shift = (index >> kSubBits) - 1;
    const uint64_t low = (kSub + (static_cast<uint64_t>(index) & (kSub - 1)))
                         << shift;
    return low + ((uint64_t{1} << shift) >> 1);
  }

  std::array<uint32_t, kBuckets> counts_{};
  uint64_t count_ = 0;
};

}  // namespace framerpc::bench

#endif  // FRAMERPC_BENCH_LOAD_LATENCY_HISTOGRAM_H_
