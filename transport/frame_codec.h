// Copyright 2026 The framerpc Authors.
//
// FrameCodec: encodes frames and finds, validates and slices frames at the
// start of received bytes, following docs/protocol.md.
//
//   FrameCodec codec(options.max_frame_size);
//   FrameView frame;
//   FRAMERPC_ASSIGN_OR_RETURN(size_t n, codec.Decode(input.View(), &frame));
//   if (n > 0) { Handle(frame); input.Retrieve(n); }
//
// Decode validates a fixed header as soon as its 16 bytes are present, so a
// bad or oversized frame is refused before any of its body is waited for.
//
// Thread safety: all methods are const or static; one FrameCodec may be used
// from any number of threads.
// Ownership and lifetime: holds only the size limit. Decoded views point into
// the caller's `data`.

#ifndef FRAMERPC_TRANSPORT_FRAME_CODEC_H_
#define FRAMERPC_TRANSPORT_FRAME_CODEC_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "transport/buffer.h"
#include "transport/frame.h"

namespace framerpc::transport {

class FrameCodec {
 public:
  // `max_frame_size`: the largest whole frame (header included) Decode
  // accepts, in bytes.
  explicit FrameCodec(size_t max_frame_size = kDefaultMaxFrameSize)
      : max_frame_size_(max_frame_size) {}

  size_t max_frame_size() const { return max_frame_size_; }

  // Writes the 16-byte fixed header (magic, version, then `header`) to `out`.
  static void EncodeHeader(const FrameHeader& header, char* out);

  // Appends a whole frame. REQUIRES: meta and payload each shorter than
  // 4 GiB. The frame's validity (e.g. a REQUEST needs meta) is the caller's
  // business; the receiver checks it.
  static void Encode(FrameType type, absl::string_view meta,
                     absl::string_view payload, Buffer* out);
  static void Encode(FrameType type, absl::string_view meta,
                     absl::string_view payload, std::string* out);

  // Looks at the frame at the start of `data`. Returns 0 when more bytes are
  // needed, otherwise the size of the first frame, with *frame pointing into
  // `data`. Errors use the texts of docs/protocol.md section 4:
  //   INVALID_ARGUMENT: bad magic, unsupported version, unknown type, or a
  //     length that the type does not allow;
  //   RESOURCE_EXHAUSTED: the frame is larger than max_frame_size().
  absl::StatusOr<size_t> Decode(absl::string_view data, FrameView* frame) const;

  // Parses and validates a fixed header. REQUIRES: data.size() >= 16.
  absl::StatusOr<FrameHeader> DecodeHeader(absl::string_view data) const;

 private:
  size_t max_frame_size_;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_FRAME_CODEC_H_
