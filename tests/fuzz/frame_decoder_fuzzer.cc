// Copyright 2026 The framerpc Authors.
//
// frame_decoder_fuzzer: arbitrary byte streams, cut into arbitrary chunks,
// through transport's FrameCodec and an in-memory transport::Connection.
//
// Input: the preamble of fuzz_support.h, then the stream. Options byte:
//   bits 0-1  max frame size: 16 MiB (the default), 64, 1024 or 65536 bytes
//   bit 2     the frame callback pauses reading after every frame and
//             resumes it from a posted task (as backpressure does)
//
// Invariants checked:
//   - decoding the stream in one piece, chunk by chunk through a Buffer (the
//     way Connection::ParseInput does), and through a real in-memory
//     Connection gives the same frames, then the same error or the same
//     number of bytes left over;
//   - every decoded frame obeys docs/protocol.md section 4 and re-encodes to
//     exactly the bytes it was decoded from;
//   - the Connection closes exactly once, with the decoder's error, or at
//     EOF with "closed by peer" that mentions a partial frame exactly when
//     bytes were left over.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "base/logging.h"
#include "tests/fuzz/fuzz_support.h"
#include "transport/buffer.h"
#include "transport/connection.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/frame.h"
#include "transport/frame_codec.h"

namespace framerpc::fuzzing {
namespace {

using transport::FrameCodec;
using transport::FrameHeader;
using transport::FrameType;
using transport::FrameView;

struct Frame {
  FrameHeader header;
  std::string meta;
  std::string payload;

  bool operator==(const Frame& other) const {
    return header.type == other.header.type &&
           header.flags == other.header.flags &&
           header.meta_length == other.header.meta_length &&
           header.payload_length == other.header.payload_length &&
           meta == other.meta && payload == other.payload;
  }
};

struct Decoded {
  std::vector<Frame> frames;
  std::optional<absl::Status> error;
  // Bytes after the last whole frame (when there is no error).
  size_t left_over = 0;

  bool operator==(const Decoded& other) const {
    return frames == other.frames && error == other.error &&
           left_over == other.left_over;
  }
};

Frame Copy(const FrameView& view) {
  return Frame{view.header, std::string(view.meta), std::string(view.payload)};
}

// The rules of docs/protocol.md section 4, and the view's consistency.
void CheckFrame(const FrameCodec& codec, const FrameView& frame,
                absl::string_view bytes) {
  const FrameHeader& header = frame.header;
  FRAMERPC_CHECK_EQ(frame.meta.size(), header.meta_length);
  FRAMERPC_CHECK_EQ(frame.payload.size(), header.payload_length);
  FRAMERPC_CHECK_EQ(bytes.size(), header.frame_size());
  FRAMERPC_CHECK_LE(header.frame_size(), codec.max_frame_size());
  switch (header.type) {
    case FrameType::kRequest:
    case FrameType::kResponse:
      FRAMERPC_CHECK_GT(header.meta_length, 0u);
      break;
    case FrameType::kCancel:
      FRAMERPC_CHECK_GT(header.meta_length, 0u);
      FRAMERPC_CHECK_EQ(header.payload_length, 0u);
      break;
    case FrameType::kPing:
    case FrameType::kPong:
      FRAMERPC_CHECK_EQ(header.meta_length, 0u);
      FRAMERPC_CHECK_EQ(header.payload_length, transport::kPingPayloadSize);
      break;
    case FrameType::kGoAway:
    case FrameType::kSettings:
      FRAMERPC_CHECK_EQ(header.payload_length, 0u);
      break;
    default:
      FRAMERPC_CHECK(false)
          << "decoded an unknown frame type " << static_cast<int>(header.type);
  }
  std::string encoded(transport::kFrameHeaderSize, '\0');
  FrameCodec::EncodeHeader(header, encoded.data());
  encoded.append(frame.meta.data(), frame.meta.size());
  encoded.append(frame.payload.data(), frame.payload.size());
  FRAMERPC_CHECK(encoded == bytes) << "frame does not re-encode to its bytes";
}

// The reference: the whole stream in one piece.
Decoded DecodeWhole(const FrameCodec& codec, absl::string_view stream) {
  Decoded decoded;
  size_t offset = 0;
  while (true) {
    FrameView frame;
    absl::StatusOr<size_t> size = codec.Decode(stream.substr(offset), &frame);
    if (!size.ok()) {
      FRAMERPC_CHECK(absl::IsInvalidArgument(size.status()) ||
                     absl::IsResourceExhausted(size.status()))
          << size.status();
      decoded.error = size.status();
      return decoded;
    }
    if (*size == 0) break;
    CheckFrame(codec, frame, stream.substr(offset, *size));
    decoded.frames.push_back(Copy(frame));
    offset += *size;
  }
  // Decode needs more bytes only when what is left is a frame's beginning.
  decoded.left_over = stream.size() - offset;
  return decoded;
}

// As Connection::ParseInput: append each chunk, take every whole frame.
Decoded DecodeChunked(const FrameCodec& codec,
                      const std::vector<absl::string_view>& chunks) {
  Decoded decoded;
  transport::Buffer input;
  for (absl::string_view chunk : chunks) {
    input.Append(chunk);
    while (true) {
      FrameView frame;
      absl::StatusOr<size_t> size = codec.Decode(input.View(), &frame);
      if (!size.ok()) {
        decoded.error = size.status();
        return decoded;
      }
      if (*size == 0) break;
      decoded.frames.push_back(Copy(frame));
      input.Retrieve(*size);
    }
  }
  decoded.left_over = input.ReadableBytes();
  return decoded;
}

// Through a real in-memory Connection; returns its frames and close reason.
Decoded DecodeWithConnection(transport::EventLoop& loop, size_t max_frame_size,
                             bool pause_each_frame,
                             const std::vector<absl::string_view>& chunks,
                             absl::Status* close_reason) {
  static const transport::Endpoint kPeer =
      *transport::Endpoint::Parse("192.0.2.1:7000");
  Decoded decoded;
  int closes = 0;
  transport::ConnectionOptions options;
  options.max_frame_size = max_frame_size;
  std::shared_ptr<transport::Connection> conn =
      transport::Connection::CreateInMemory(
          &loop, kPeer, options, [](absl::string_view) {
            FRAMERPC_CHECK(false) << "nothing was sent, yet there is output";
          });
  conn->SetFrameCallback([&](transport::Connection& c, const FrameView& frame) {
    decoded.frames.push_back(Copy(frame));
    if (pause_each_frame) {
      c.PauseReading();
      loop.Post([&c] { c.ResumeReading(); });
    }
  });
  conn->SetCloseCallback(
      [&](transport::Connection&, const absl::Status& reason) {
        ++closes;
        *close_reason = reason;
      });
  RunOnLoop(loop, [&] {
    conn->Start();
    for (absl::string_view chunk : chunks) conn->ReceiveBytes(chunk);
    conn->ReceiveEof();
  });
  FRAMERPC_CHECK_EQ(closes, 1);
  FRAMERPC_CHECK(!conn->connected());
  if (!absl::IsUnavailable(*close_reason)) decoded.error = *close_reason;
  return decoded;
}

}  // namespace
}  // namespace framerpc::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = framerpc::fuzzing;
  static constexpr size_t kMaxFrameSizes[] = {
      framerpc::transport::kDefaultMaxFrameSize, 64, 1024, 65536};
  // Protocol errors are the point here; their log lines would only be noise.
  static framerpc::transport::EventLoop* const loop = [] {
    framerpc::SetMinLogLevel(framerpc::LogSeverity::kError);
    return new framerpc::transport::EventLoop();
  }();

  const auto [preamble, stream] = fz::SplitInput(data, size);
  const size_t max_frame_size = kMaxFrameSizes[preamble.options & 3];
  const bool pause_each_frame = (preamble.options & 4) != 0;
  const std::vector<absl::string_view> chunks = fz::Chunks(preamble, stream);
  const framerpc::transport::FrameCodec codec(max_frame_size);

  const fz::Decoded whole = fz::DecodeWhole(codec, stream);
  const fz::Decoded chunked = fz::DecodeChunked(codec, chunks);
  FRAMERPC_CHECK(chunked == whole)
      << "chunked decoding differs: " << chunked.frames.size() << " vs "
      << whole.frames.size() << " frames";

  absl::Status close_reason;
  fz::Decoded connection = fz::DecodeWithConnection(
      *loop, max_frame_size, pause_each_frame, chunks, &close_reason);
  FRAMERPC_CHECK(connection.frames == whole.frames)
      << "the connection delivered " << connection.frames.size()
      << " frames, the decoder " << whole.frames.size();
  FRAMERPC_CHECK(connection.error == whole.error) << close_reason;
  if (!whole.error.has_value()) {
    FRAMERPC_CHECK(absl::StartsWith(close_reason.message(),
                                    "connection to 192.0.2.1:7000 closed by "
                                    "peer"))
        << close_reason;
    FRAMERPC_CHECK_EQ(absl::StrContains(close_reason.message(), "middle"),
                      whole.left_over > 0)
        << close_reason;
  }
  return 0;
}
