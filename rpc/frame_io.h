// Copyright 2026 The framerpc Authors.
//
// Helpers that put protobuf messages into frames: the one place where rpc/
// meets the frame layout of docs/protocol.md.

#ifndef FRAMERPC_RPC_FRAME_IO_H_
#define FRAMERPC_RPC_FRAME_IO_H_

#include <cstdint>
#include <cstring>
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
// would otherwise be written twice). A small body (most calls) lives inside
// the FrameBody itself: no allocation. A larger one is shared, so that a
// connection can send it from where it is (see SendEncodedFrame) even if
// the frame is dropped meanwhile. Movable, not copyable.
class FrameBody {
 public:
  // Bodies up to this size are kept inline. Connections copy any body under
  // 4 KiB into their output at once, so an inline body needs no owner.
  static constexpr size_t kInlineSize = 112;

  FrameBody() = default;
  explicit FrameBody(size_t size)
      : heap_(size <= kInlineSize
                  ? nullptr
                  : std::make_shared_for_overwrite<char[]>(size)),
        size_(size) {}
  FrameBody(FrameBody&& other) noexcept { *this = std::move(other); }
  FrameBody& operator=(FrameBody&& other) noexcept {
    if (this != &other) {
      heap_ = std::move(other.heap_);
      size_ = other.size_;
      if (heap_ == nullptr && size_ > 0) {
        std::memcpy(inline_, other.inline_, size_);
      }
      other.size_ = 0;
    }
    return *this;
  }
  FrameBody(const FrameBody&) = delete;
  FrameBody& operator=(const FrameBody&) = delete;

  char* data() { return heap_ != nullptr ? heap_.get() : inline_; }
  const char* data() const { return heap_ != nullptr ? heap_.get() : inline_; }
  size_t size() const { return size_; }
  operator absl::string_view() const {  // NOLINT: a view of the bytes
    return absl::string_view(data(), size_);
  }
  // Keeps the bytes alive; null for an inline body.
  std::shared_ptr<const void> owner() const { return heap_; }

 private:
  std::shared_ptr<char[]> heap_;
  size_t size_ = 0;
  // Not initialized: only the first size_ bytes are ever read.
  char inline_[kInlineSize];
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

// The meta section of a RESPONSE frame (a wire::ResponseHeader). Without
// metadata it is written directly, byte for byte what protobuf writes for
// the same header, without building one; with metadata protobuf writes it.
// `status_message` must be valid UTF-8 (see WireStatusMessage) and outlive
// this object; `metadata` is copied.
class ResponseMeta {
 public:
  ResponseMeta(uint64_t call_id, uint32_t status_code,
               absl::string_view status_message, const Metadata& metadata);

  size_t size() const { return size_; }
  // Writes size() bytes at `out`; returns the end.
  uint8_t* Write(uint8_t* out) const;

 private:
  uint64_t call_id_;
  uint32_t status_code_;
  absl::string_view status_message_;
  // Set when there is metadata.
  std::unique_ptr<wire::ResponseHeader> full_;
  size_t size_;
};

// A RESPONSE frame: `meta`, then `payload` (none when null) of
// `payload_size` bytes, its ByteSizeLong() (cached by protobuf: not
// computed again here).
EncodedFrame EncodeResponseFrame(const ResponseMeta& meta,
                                 const google::protobuf::MessageLite* payload,
                                 size_t payload_size);
// Same, serialized straight into the connection's output buffer.
// REQUIRES: on the connection's loop thread.
void SendResponseFrame(transport::Connection& connection,
                       const ResponseMeta& meta,
                       const google::protobuf::MessageLite* payload,
                       size_t payload_size);

// `message` as a status message may go on the wire: valid UTF-8 (protobuf's
// parser rejects anything else, which would fail the client's whole
// connection) of at most `max_bytes`. Returns `message` itself when it is
// both; otherwise a copy in *storage, each byte that is not part of a valid
// UTF-8 character written as "\xHH" and the end cut at a character
// boundary.
absl::string_view WireStatusMessage(absl::string_view message, size_t max_bytes,
                                    std::string* storage);

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

// A RESPONSE frame's header as the client needs it. `status_message` views
// the frame's bytes (valid while the frame is) or `full`'s string.
struct ResponseHeaderView {
  uint64_t call_id = 0;
  uint32_t status_code = 0;
  absl::string_view status_message;
  // Set when the header has metadata, or anything else the fast path leaves
  // to protobuf (unknown fields, a non-ASCII message, unusual encodings).
  std::unique_ptr<wire::ResponseHeader> full;

  bool has_metadata() const {
    return full != nullptr && !full->metadata().empty();
  }
};

// Parses the meta section of a RESPONSE frame: like ParseRequestHeader, the
// common header (call id, status, an ASCII message, no metadata) in place,
// the rest by protobuf, with exactly protobuf's results.
absl::Status ParseResponseHeader(const transport::FrameView& frame,
                                 ResponseHeaderView* header);

// Parses the meta section of `frame` into `message`; on failure returns
// INVALID_ARGUMENT naming the frame type.
absl::Status ParseMeta(const transport::FrameView& frame,
                       google::protobuf::MessageLite* message);

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_FRAME_IO_H_
