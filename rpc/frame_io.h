// Copyright 2026 The framerpc Authors.
//
// Helpers that put protobuf messages into frames: the one place where rpc/
// meets the frame layout of docs/protocol.md.

#ifndef FRAMERPC_RPC_FRAME_IO_H_
#define FRAMERPC_RPC_FRAME_IO_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "framerpc/wire.pb.h"
#include "google/protobuf/message_lite.h"
#include "transport/connection.h"
#include "transport/frame.h"

namespace framerpc::internal {

// A frame body serialized on one thread, to be sent from the loop thread.
struct EncodedFrame {
  transport::FrameType type = transport::FrameType::kRequest;
  uint32_t meta_length = 0;
  // meta_length bytes of meta, then the payload.
  std::string body;

  size_t frame_size() const {
    return transport::kFrameHeaderSize + body.size();
  }
};

// Serializes `meta` and `payload` (none when null) into an EncodedFrame.
EncodedFrame EncodeFrame(transport::FrameType type,
                         const google::protobuf::MessageLite& meta,
                         const google::protobuf::MessageLite* payload);

// Same, with a payload that is already serialized.
EncodedFrame EncodeFrame(transport::FrameType type,
                         const google::protobuf::MessageLite& meta,
                         absl::string_view payload);

// Queues `frame` on `connection`. REQUIRES: on the connection's loop thread.
void SendEncodedFrame(transport::Connection& connection,
                      const EncodedFrame& frame);

// Serializes `meta` and `payload` (none when null) straight into the
// connection's output buffer: no intermediate copy.
// REQUIRES: on the connection's loop thread.
void SendMessageFrame(transport::Connection& connection,
                      transport::FrameType type,
                      const google::protobuf::MessageLite& meta,
                      const google::protobuf::MessageLite* payload);

// Sends a GOAWAY with `code` and `reason`. REQUIRES: on the loop thread.
void SendGoAway(transport::Connection& connection, wire::GoAway::Code code,
                uint64_t last_call_id, absl::string_view reason);

// Parses the meta section of `frame` into `message`; on failure returns
// INVALID_ARGUMENT naming the frame type.
absl::Status ParseMeta(const transport::FrameView& frame,
                       google::protobuf::MessageLite* message);

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_FRAME_IO_H_
