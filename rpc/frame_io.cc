// Copyright 2026 The framerpc Authors.

#include "rpc/frame_io.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "google/protobuf/io/coded_stream.h"

namespace framerpc::internal {

EncodedFrame EncodeFrame(transport::FrameType type,
                         const google::protobuf::MessageLite& meta,
                         const google::protobuf::MessageLite* payload) {
  EncodedFrame frame;
  frame.type = type;
  const size_t meta_size = meta.ByteSizeLong();
  const size_t payload_size = payload == nullptr ? 0 : payload->ByteSizeLong();
  frame.meta_length = static_cast<uint32_t>(meta_size);
  frame.body = FrameBody(meta_size + payload_size);
  auto* out = reinterpret_cast<uint8_t*>(frame.body.data());
  out = meta.SerializeWithCachedSizesToArray(out);
  if (payload != nullptr) payload->SerializeWithCachedSizesToArray(out);
  return frame;
}

EncodedFrame EncodeFrame(transport::FrameType type,
                         const google::protobuf::MessageLite& meta,
                         absl::string_view payload) {
  EncodedFrame frame;
  frame.type = type;
  const size_t meta_size = meta.ByteSizeLong();
  frame.meta_length = static_cast<uint32_t>(meta_size);
  frame.body = FrameBody(meta_size + payload.size());
  meta.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(frame.body.data()));
  if (!payload.empty()) {
    std::memcpy(frame.body.data() + meta_size, payload.data(), payload.size());
  }
  return frame;
}

namespace {

using google::protobuf::io::CodedOutputStream;

// The tags of RequestHeader's fields (field number << 3 | wire type), one
// byte each.
constexpr uint8_t kCallIdTag = (1 << 3) | 0;
constexpr uint8_t kServiceTag = (2 << 3) | 2;
constexpr uint8_t kMethodTag = (3 << 3) | 2;
constexpr uint8_t kTimeoutTag = (4 << 3) | 0;

size_t StringFieldSize(absl::string_view value) {
  if (value.empty()) return 0;
  return 1 + CodedOutputStream::VarintSize64(value.size()) + value.size();
}

size_t VarintFieldSize(uint64_t value) {
  return value == 0 ? 0 : 1 + CodedOutputStream::VarintSize64(value);
}

uint8_t* WriteVarintField(uint8_t tag, uint64_t value, uint8_t* out) {
  if (value == 0) return out;  // proto3: a zero is not written
  *out++ = tag;
  return CodedOutputStream::WriteVarint64ToArray(value, out);
}

uint8_t* WriteStringField(uint8_t tag, absl::string_view value, uint8_t* out) {
  if (value.empty()) return out;
  *out++ = tag;
  out = CodedOutputStream::WriteVarint64ToArray(value.size(), out);
  std::memcpy(out, value.data(), value.size());
  return out + value.size();
}

}  // namespace

EncodedFrame EncodeRequestFrame(uint64_t call_id, absl::string_view service,
                                absl::string_view method, uint64_t timeout_us,
                                const Metadata& metadata,
                                const google::protobuf::MessageLite& request) {
  if (!metadata.empty()) {
    // Maps: protobuf's own serializer (rare enough not to matter).
    wire::RequestHeader header;
    header.set_call_id(call_id);
    header.set_service(std::string(service));
    header.set_method(std::string(method));
    header.set_timeout_us(timeout_us);
    for (const auto& [key, value] : metadata) {
      (*header.mutable_metadata())[key] = value;
    }
    return EncodeFrame(transport::FrameType::kRequest, header, &request);
  }
  // Fields in field-number order, as protobuf writes them.
  const size_t meta_size = VarintFieldSize(call_id) + StringFieldSize(service) +
                           StringFieldSize(method) +
                           VarintFieldSize(timeout_us);
  const size_t payload_size = request.ByteSizeLong();
  EncodedFrame frame;
  frame.type = transport::FrameType::kRequest;
  frame.meta_length = static_cast<uint32_t>(meta_size);
  frame.body = FrameBody(meta_size + payload_size);
  auto* out = reinterpret_cast<uint8_t*>(frame.body.data());
  out = WriteVarintField(kCallIdTag, call_id, out);
  out = WriteStringField(kServiceTag, service, out);
  out = WriteStringField(kMethodTag, method, out);
  out = WriteVarintField(kTimeoutTag, timeout_us, out);
  request.SerializeWithCachedSizesToArray(out);
  return frame;
}

void SendEncodedFrame(transport::Connection& connection,
                      const EncodedFrame& frame) {
  transport::FrameHeader header;
  header.type = frame.type;
  header.meta_length = frame.meta_length;
  header.payload_length =
      static_cast<uint32_t>(frame.body.size() - frame.meta_length);
  connection.SendFrame(header, frame.body, frame.body.owner());
}

void SendMessageFrame(transport::Connection& connection,
                      transport::FrameType type,
                      const google::protobuf::MessageLite& meta,
                      const google::protobuf::MessageLite* payload) {
  transport::FrameHeader header;
  header.type = type;
  header.meta_length = static_cast<uint32_t>(meta.ByteSizeLong());
  header.payload_length =
      payload == nullptr ? 0 : static_cast<uint32_t>(payload->ByteSizeLong());
  connection.SendFrame(header, [&](char* body) {
    auto* out = reinterpret_cast<uint8_t*>(body);
    out = meta.SerializeWithCachedSizesToArray(out);
    if (payload != nullptr) payload->SerializeWithCachedSizesToArray(out);
  });
}

void SendGoAway(transport::Connection& connection, wire::GoAway::Code code,
                uint64_t last_call_id, absl::string_view reason) {
  wire::GoAway goaway;
  goaway.set_code(code);
  goaway.set_last_call_id(last_call_id);
  goaway.set_reason(std::string(reason));
  SendMessageFrame(connection, transport::FrameType::kGoAway, goaway, nullptr);
}

namespace {

// Reads a varint of at most 10 bytes at [*p, end). False when it runs past
// `end` or its 10th byte holds more than the 64th bit: cases left to
// protobuf.
bool ReadVarint(const uint8_t** p, const uint8_t* end, uint64_t* value) {
  uint64_t result = 0;
  const uint8_t* q = *p;
  for (int shift = 0; shift < 70; shift += 7) {
    if (q == end) return false;
    const uint8_t byte = *q++;
    if (shift == 63 && byte > 1) return false;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *p = q;
      *value = result;
      return true;
    }
  }
  return false;
}

bool IsAscii(absl::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// The fast path: true when the header holds only fields 1-4, each with its
// own wire type, names in ASCII (valid UTF-8 without checking).
bool ParseCommonRequestHeader(absl::string_view meta,
                              RequestHeaderView* header) {
  const auto* p = reinterpret_cast<const uint8_t*>(meta.data());
  const uint8_t* const end = p + meta.size();
  while (p != end) {
    const uint8_t tag = *p++;
    uint64_t value;
    if (!ReadVarint(&p, end, &value)) return false;
    switch (tag) {
      case kCallIdTag:
        header->call_id = value;
        break;
      case kTimeoutTag:
        header->timeout_us = value;
        break;
      case kServiceTag:
      case kMethodTag: {
        if (value > static_cast<uint64_t>(end - p)) return false;
        const absl::string_view text(reinterpret_cast<const char*>(p),
                                     static_cast<size_t>(value));
        if (!IsAscii(text)) return false;
        (tag == kServiceTag ? header->service : header->method) = text;
        p += value;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

absl::Status ParseRequestHeader(const transport::FrameView& frame,
                                RequestHeaderView* header) {
  if (ParseCommonRequestHeader(frame.meta, header)) return absl::OkStatus();
  *header = RequestHeaderView();
  header->full = std::make_unique<wire::RequestHeader>();
  if (absl::Status status = ParseMeta(frame, header->full.get());
      !status.ok()) {
    header->full.reset();
    return status;
  }
  header->call_id = header->full->call_id();
  header->service = header->full->service();
  header->method = header->full->method();
  header->timeout_us = header->full->timeout_us();
  return absl::OkStatus();
}

absl::Status ParseMeta(const transport::FrameView& frame,
                       google::protobuf::MessageLite* message) {
  if (!message->ParseFromArray(frame.meta.data(),
                               static_cast<int>(frame.meta.size()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        transport::FrameTypeName(frame.header.type), " frame header (",
        frame.meta.size(), " bytes) is not a valid ", message->GetTypeName()));
  }
  return absl::OkStatus();
}

}  // namespace framerpc::internal
