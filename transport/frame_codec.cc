// Copyright 2026 The framerpc Authors.

#include "transport/frame_codec.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/logging.h"

namespace framerpc::transport {
namespace {

void Put16(uint16_t v, char* out) {
  out[0] = static_cast<char>(v >> 8);
  out[1] = static_cast<char>(v);
}

void Put32(uint32_t v, char* out) {
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
}

uint16_t Get16(const char* in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

uint32_t Get32(const char* in) {
  const auto* p = reinterpret_cast<const unsigned char*>(in);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

FrameHeader MakeHeader(FrameType type, absl::string_view meta,
                       absl::string_view payload) {
  constexpr size_t kMax = std::numeric_limits<uint32_t>::max();
  FRAMERPC_CHECK_LE(meta.size(), kMax);
  FRAMERPC_CHECK_LE(payload.size(), kMax);
  FrameHeader header;
  header.type = type;
  header.meta_length = static_cast<uint32_t>(meta.size());
  header.payload_length = static_cast<uint32_t>(payload.size());
  return header;
}

}  // namespace

void FrameCodec::EncodeHeader(const FrameHeader& header, char* out) {
  Put32(kFrameMagic, out);
  out[4] = static_cast<char>(kFrameVersion);
  out[5] = static_cast<char>(header.type);
  Put16(header.flags, out + 6);
  Put32(header.meta_length, out + 8);
  Put32(header.payload_length, out + 12);
}

void FrameCodec::Encode(FrameType type, absl::string_view meta,
                        absl::string_view payload, Buffer* out) {
  FrameHeader header = MakeHeader(type, meta, payload);
  out->EnsureWritable(header.frame_size());
  EncodeHeader(header, out->BeginWrite());
  out->HasWritten(kFrameHeaderSize);
  out->Append(meta);
  out->Append(payload);
}

void FrameCodec::Encode(FrameType type, absl::string_view meta,
                        absl::string_view payload, std::string* out) {
  FrameHeader header = MakeHeader(type, meta, payload);
  char fixed[kFrameHeaderSize];
  EncodeHeader(header, fixed);
  out->reserve(out->size() + header.frame_size());
  out->append(fixed, sizeof(fixed));
  out->append(meta.data(), meta.size());
  out->append(payload.data(), payload.size());
}

absl::StatusOr<FrameHeader> FrameCodec::DecodeHeader(
    absl::string_view data) const {
  FRAMERPC_CHECK_GE(data.size(), kFrameHeaderSize);
  const char* p = data.data();
  const uint32_t magic = Get32(p);
  if (magic != kFrameMagic) {
    return absl::InvalidArgumentError(
        absl::StrFormat("bad magic 0x%08x (not a framerpc peer?)", magic));
  }
  const uint8_t version = static_cast<uint8_t>(p[4]);
  if (version != kFrameVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported protocol version ", int{version}));
  }
  const uint8_t type = static_cast<uint8_t>(p[5]);
  if (type == 0 || type > static_cast<uint8_t>(FrameType::kSettings)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown frame type ", int{type}));
  }
  FrameHeader header;
  header.type = static_cast<FrameType>(type);
  header.flags = Get16(p + 6);
  header.meta_length = Get32(p + 8);
  header.payload_length = Get32(p + 12);
  if (header.frame_size() > max_frame_size_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "frame of ", header.frame_size(), " bytes exceeds the limit of ",
        max_frame_size_, " bytes"));
  }
  const absl::string_view name = FrameTypeName(header.type);
  switch (header.type) {
    case FrameType::kRequest:
    case FrameType::kResponse:
    case FrameType::kCancel:
      if (header.meta_length == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, " frame without a header"));
      }
      break;
    case FrameType::kPing:
    case FrameType::kPong:
      if (header.meta_length != 0 ||
          header.payload_length != kPingPayloadSize) {
        return absl::InvalidArgumentError(
            absl::StrCat(name, " frame must carry 8 payload bytes"));
      }
      break;
    case FrameType::kGoAway:
    case FrameType::kSettings:
      break;
  }
  if (header.payload_length != 0 &&
      (header.type == FrameType::kCancel || header.type == FrameType::kGoAway ||
       header.type == FrameType::kSettings)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " frame with a payload"));
  }
  return header;
}

absl::StatusOr<size_t> FrameCodec::Decode(absl::string_view data,
                                          FrameView* frame) const {
  if (data.size() < kFrameHeaderSize) return 0;
  absl::StatusOr<FrameHeader> header = DecodeHeader(data);
  if (!header.ok()) return std::move(header).status();
  // Fits in size_t: it is at most max_frame_size_.
  const size_t size = static_cast<size_t>(header->frame_size());
  if (data.size() < size) return 0;
  frame->header = *header;
  frame->meta = data.substr(kFrameHeaderSize, header->meta_length);
  frame->payload = data.substr(kFrameHeaderSize + header->meta_length,
                               header->payload_length);
  return size;
}

}  // namespace framerpc::transport
