// Copyright 2026 The framerpc Authors.
//
// FrameCodec costs: encoding and validating the 16-byte fixed header, and
// finding whole frames in a receive buffer (as Connection does after each
// read) for small, medium and large payloads.
//
//   build/<dir>/bench/frame_codec_bench --benchmark_min_time=0.2

#include <string>

#include "benchmark/benchmark.h"
#include "transport/buffer.h"
#include "transport/frame_codec.h"

namespace framerpc::transport {
namespace {

void BM_EncodeHeader(benchmark::State& state) {
  FrameHeader header;
  header.type = FrameType::kRequest;
  header.meta_length = 40;
  header.payload_length = 1000;
  char out[kFrameHeaderSize];
  for (auto _ : state) {
    FrameCodec::EncodeHeader(header, out);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
    ++header.payload_length;
  }
}
BENCHMARK(BM_EncodeHeader);

void BM_DecodeHeader(benchmark::State& state) {
  std::string bytes;
  FrameCodec::Encode(FrameType::kRequest, std::string(40, 'm'),
                     std::string(1000, 'p'), &bytes);
  const FrameCodec codec;
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    auto header = codec.DecodeHeader(bytes);
    benchmark::DoNotOptimize(header);
  }
}
BENCHMARK(BM_DecodeHeader);

// Encodes frames into a reused Buffer (Connection::SendFrame's path).
void BM_EncodeFrame(benchmark::State& state) {
  const std::string meta(40, 'm');
  const std::string payload(static_cast<size_t>(state.range(0)), 'p');
  Buffer buffer;
  for (auto _ : state) {
    FrameCodec::Encode(FrameType::kRequest, meta, payload, &buffer);
    benchmark::DoNotOptimize(buffer.Peek());
    buffer.RetrieveAll();
  }
  state.SetBytesProcessed(
      state.iterations() *
      static_cast<int64_t>(kFrameHeaderSize + meta.size() + payload.size()));
}
BENCHMARK(BM_EncodeFrame)->Arg(16)->Arg(1024)->Arg(64 << 10);

// Decodes a buffer of back-to-back frames, as after a large read: the
// throughput of framing alone (views, no copies).
void BM_DecodeFrames(benchmark::State& state) {
  const std::string meta(40, 'm');
  const std::string payload(static_cast<size_t>(state.range(0)), 'p');
  std::string stream;
  // About 1 MiB of frames (at least 16).
  const size_t frame_size = kFrameHeaderSize + meta.size() + payload.size();
  const size_t frames = std::max<size_t>(16, (1 << 20) / frame_size);
  for (size_t i = 0; i < frames; ++i) {
    FrameCodec::Encode(FrameType::kRequest, meta, payload, &stream);
  }
  const FrameCodec codec;
  for (auto _ : state) {
    absl::string_view rest = stream;
    FrameView frame;
    while (!rest.empty()) {
      absl::StatusOr<size_t> n = codec.Decode(rest, &frame);
      if (!n.ok() || *n == 0) {
        state.SkipWithError("decode failed");
        break;
      }
      benchmark::DoNotOptimize(frame);
      rest.remove_prefix(*n);
    }
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(stream.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(frames));
}
BENCHMARK(BM_DecodeFrames)->Arg(16)->Arg(1024)->Arg(64 << 10);

}  // namespace
}  // namespace framerpc::transport

BENCHMARK_MAIN();
