// Copyright 2026 The framerpc Authors.
//
// The framerpc frame: a 16-byte fixed header, then a meta section and a
// payload section. docs/protocol.md is the specification; FrameCodec encodes
// and validates frames.
//
// Thread safety: plain values; FrameTypeName() may be called from any thread.
// Lifetime: a FrameView's string_views point into a buffer owned by someone
// else (a Connection's receive buffer): they are valid only while the frame
// callback that received the view runs.

#ifndef FRAMERPC_TRANSPORT_FRAME_H_
#define FRAMERPC_TRANSPORT_FRAME_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace framerpc::transport {

// The frame types of docs/protocol.md section 3; the values are on the wire.
enum class FrameType : uint8_t {
  kRequest = 1,
  kResponse = 2,
  kCancel = 3,
  kPing = 4,
  kPong = 5,
  kGoAway = 6,
  kSettings = 7,
};

// "REQUEST", "RESPONSE", "CANCEL", "PING", "PONG", "GOAWAY", "SETTINGS";
// "UNKNOWN" for any other value.
absl::string_view FrameTypeName(FrameType type);

// "FRPC" as a big-endian integer.
inline constexpr uint32_t kFrameMagic = 0x46525043;
inline constexpr uint8_t kFrameVersion = 1;
inline constexpr size_t kFrameHeaderSize = 16;
// Largest whole frame (header included) accepted by default: 16 MiB.
inline constexpr size_t kDefaultMaxFrameSize = 16 << 20;
// PING and PONG carry exactly this many opaque payload bytes.
inline constexpr size_t kPingPayloadSize = 8;

// The variable fields of the fixed header (magic and version are implied).
struct FrameHeader {
  FrameType type = FrameType::kRequest;
  // Reserved: senders send 0, receivers ignore.
  uint16_t flags = 0;
  uint32_t meta_length = 0;
  uint32_t payload_length = 0;

  // Header plus body, in bytes.
  uint64_t frame_size() const {
    return kFrameHeaderSize + uint64_t{meta_length} + payload_length;
  }
};

// A decoded frame whose sections point into the receive buffer.
struct FrameView {
  FrameHeader header;
  absl::string_view meta;
  absl::string_view payload;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_FRAME_H_
