// Copyright 2026 The framerpc Authors.
//
// Helpers that put protobuf messages into frames: the one place where rpc/
// meets the frame layout of docs/protocol.md.

#ifndef FRAMERPC_RPC_FRAME_IO_H_
#define FRAMERPC_RPC_FRAME_IO_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "framerpc/wire.pb.h"
#include "google/protobuf/message_lite.h"
#include "rpc/metadata.h"
#include "transport/connection.h"
#include "transport/frame.h"

namespace framerpc::internal {

// Bytes of a frame body. Unlike std::string, allocated without being
// zero-filled first: the serializer writes every byte (a 64 KiB payload
// would otherwise be written twice). Shared, so that a connection can send
// a large body from where it is (see SendEncodedFrame) even if the frame is
// dropped meanwhile. Movable, not copyable.
class FrameBody {
 public:
  FrameBody() = default;
  explicit FrameBody(size_t size)
      : data_(size == 0 ? nullptr
                        : std::make_shared_for_overwrite<char[]>(size)),
        size_(size) {}
  FrameBody(FrameBody&&) noexcept = default;
  FrameBody& operator=(FrameBody&&) noexcept = default;
  FrameBody(const FrameBody&) = delete;
  FrameBody& operator=(const FrameBody&) = delete;

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  operator absl::string_view() const {  // NOLINT: a view of the bytes
    return absl::string_view(data_.get(), size_);
  }
  // Keeps the bytes alive.
  std::shared_ptr<const void> owner() const { return data_; }

 private:
  std::shared_ptr<char[]> data_;
  size_t size_ = 0;
};

// A frame body serialized on one thread, to be sent from the loop thread.
struct EncodedFrame {
  transport::FrameType type = transport::FrameType::kRequest;
  uint32_t meta_length = 0;
  // meta_length bytes of meta, then the payload.
  FrameBody body;

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

// A REQUEST frame: a RequestHeader with these fields as meta (written
// directly, byte for byte what protobuf writes for the same header, without
// building one), then `request`. `timeout_us` 0 means none.
EncodedFrame EncodeRequestFrame(uint64_t call_id, absl::string_view service,
                                absl::string_view method, uint64_t timeout_us,
                                const Metadata& metadata,
                                const google::protobuf::MessageLite& request);

// Queues `frame` on `connection`; a large body is sent from `frame` itself,
// not copied (the connection shares its ownership until it is written).
// REQUIRES: on the connection's loop thread.
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

// A REQUEST frame's header as the server needs it. `service` and `method`
// view the frame's bytes (valid while the frame is) or, when the header
// took protobuf's full parser, `full`'s strings.
struct RequestHeaderView {
  uint64_t call_id = 0;
  absl::string_view service;
  absl::string_view method;
  uint64_t timeout_us = 0;
  // Set when the header has metadata, or anything else the fast path leaves
  // to protobuf (unknown fields, non-ASCII names, unusual encodings).
  std::unique_ptr<wire::RequestHeader> full;

  bool has_metadata() const {
    return full != nullptr && !full->metadata().empty();
  }
};

// Parses the meta section of a REQUEST frame. Accepts and rejects exactly
// what protobuf's parser of wire::RequestHeader does, with the same values
// (tested against it): the common header (call id, ASCII names, timeout,
// no metadata) is read in place without allocating; anything else goes to
// protobuf. On failure returns ParseMeta's INVALID_ARGUMENT.
absl::Status ParseRequestHeader(const transport::FrameView& frame,
                                RequestHeaderView* header);

// Parses the meta section of `frame` into `message`; on failure returns
// INVALID_ARGUMENT naming the frame type.
absl::Status ParseMeta(const transport::FrameView& frame,
                       google::protobuf::MessageLite* message);

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_FRAME_IO_H_
