// Copyright 2026 The framerpc Authors.
//
// Helpers shared by the fuzzers in tests/fuzz (see docs/fuzzing.md).
//
// Stream fuzzers (frame_decoder_fuzzer, server_receive_fuzzer) read their
// input as a Preamble of kPreambleSize bytes, then the byte stream itself:
//
//   byte 0      options: each fuzzer gives its bits a meaning
//   bytes 1..4  chunk sizes, used in turn (cycled) to cut the stream into
//               the pieces that arrive one after the other; 0 means "all
//               that is left"
//
// so libFuzzer explores both what arrives and how it is split.
//
// Thread safety: plain functions and values; RunOnLoop makes the calling
// thread the loop's thread for its duration.

#ifndef FRAMERPC_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define FRAMERPC_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "transport/event_loop.h"

namespace framerpc::fuzzing {

inline constexpr size_t kPreambleSize = 5;

struct Preamble {
  uint8_t options = 0;
  uint8_t chunk_sizes[4] = {0, 0, 0, 0};
};

// Splits `data` into the preamble (zeros where the input is too short) and
// the stream that follows it.
inline std::pair<Preamble, absl::string_view> SplitInput(const uint8_t* data,
                                                         size_t size) {
  Preamble preamble;
  const size_t n = size < kPreambleSize ? size : kPreambleSize;
  if (n > 0) preamble.options = data[0];
  for (size_t i = 1; i < n; ++i) preamble.chunk_sizes[i - 1] = data[i];
  return {preamble,
          absl::string_view(reinterpret_cast<const char*>(data) + n, size - n)};
}

// Cuts `stream` into consecutive non-empty pieces whose sizes follow the
// preamble's chunk sizes; together they are exactly `stream`.
inline std::vector<absl::string_view> Chunks(const Preamble& preamble,
                                             absl::string_view stream) {
  std::vector<absl::string_view> chunks;
  size_t i = 0;
  while (!stream.empty()) {
    const size_t want = preamble.chunk_sizes[i++ % 4];
    const size_t n = want == 0 || want > stream.size() ? stream.size() : want;
    chunks.push_back(stream.substr(0, n));
    stream.remove_prefix(n);
  }
  return chunks;
}

// Runs `fn` on `loop` with the calling thread as the loop thread, then the
// rest of that loop turn (the end-of-turn flushes) and every task posted
// meanwhile, and returns once nothing is left to run. Timers that are not
// yet due stay queued. REQUIRES: `loop` is not running on another thread.
inline void RunOnLoop(transport::EventLoop& loop,
                      absl::AnyInvocable<void()> fn) {
  loop.Post([&loop, fn = std::move(fn)]() mutable {
    fn();
    loop.Quit();  // Run() still runs what is queued before it returns
  });
  loop.Run();
}

}  // namespace framerpc::fuzzing

#endif  // FRAMERPC_TESTS_FUZZ_FUZZ_SUPPORT_H_
