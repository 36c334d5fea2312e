// Copyright 2026 The framerpc Authors.

#include "rpc/frame_io.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/stubs/common.h"

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

namespace {

constexpr uint8_t kResponseCallIdTag = (1 << 3) | 0;
constexpr uint8_t kStatusCodeTag = (2 << 3) | 0;
constexpr uint8_t kStatusMessageTag = (3 << 3) | 2;

}  // namespace

ResponseMeta::ResponseMeta(uint64_t call_id, uint32_t status_code,
                           absl::string_view status_message,
                           const Metadata& metadata)
    : call_id_(call_id),
      status_code_(status_code),
      status_message_(status_message) {
  if (metadata.empty()) {
    size_ = VarintFieldSize(call_id) + VarintFieldSize(status_code) +
            StringFieldSize(status_message);
    return;
  }
  // Maps: protobuf's own serializer (rare enough not to matter).
  full_ = std::make_unique<wire::ResponseHeader>();
  full_->set_call_id(call_id);
  full_->set_status_code(status_code);
  full_->set_status_message(std::string(status_message));
  for (const auto& [key, value] : metadata) {
    (*full_->mutable_metadata())[key] = value;
  }
  size_ = full_->ByteSizeLong();
}

uint8_t* ResponseMeta::Write(uint8_t* out) const {
  if (full_ != nullptr) return full_->SerializeWithCachedSizesToArray(out);
  // Fields in field-number order, as protobuf writes them.
  out = WriteVarintField(kResponseCallIdTag, call_id_, out);
  out = WriteVarintField(kStatusCodeTag, status_code_, out);
  return WriteStringField(kStatusMessageTag, status_message_, out);
}

EncodedFrame EncodeResponseFrame(const ResponseMeta& meta,
                                 const google::protobuf::MessageLite* payload,
                                 size_t payload_size) {
  EncodedFrame frame;
  frame.type = transport::FrameType::kResponse;
  frame.meta_length = static_cast<uint32_t>(meta.size());
  frame.body = FrameBody(meta.size() + payload_size);
  uint8_t* out = meta.Write(reinterpret_cast<uint8_t*>(frame.body.data()));
  if (payload != nullptr) payload->SerializeWithCachedSizesToArray(out);
  return frame;
}

void SendResponseFrame(transport::Connection& connection,
                       const ResponseMeta& meta,
                       const google::protobuf::MessageLite* payload,
                       size_t payload_size) {
  transport::FrameHeader header;
  header.type = transport::FrameType::kResponse;
  header.meta_length = static_cast<uint32_t>(meta.size());
  header.payload_length = static_cast<uint32_t>(payload_size);
  connection.SendFrame(header, [&](char* body) {
    uint8_t* out = meta.Write(reinterpret_cast<uint8_t*>(body));
    if (payload != nullptr) payload->SerializeWithCachedSizesToArray(out);
  });
}

absl::string_view WireStatusMessage(absl::string_view message, size_t max_bytes,
                                    std::string* storage) {
  // Protobuf's own check, the one its parser applies.
  auto valid_utf8 = [](absl::string_view text) {
    return google::protobuf::internal::IsStructurallyValidUTF8(
        text.data(), static_cast<int>(text.size()));
  };
  if (message.empty()) return message;
  if (message.size() <= max_bytes && valid_utf8(message)) {
    return message;
  }
  storage->clear();
  size_t i = 0;
  while (i < message.size()) {
    const auto lead = static_cast<unsigned char>(message[i]);
    // A character's length from its lead byte; the validator decides
    // whether those bytes are one valid character.
    const size_t length = lead < 0x80    ? 1
                          : lead >= 0xF0 ? 4
                          : lead >= 0xE0 ? 3
                                         : 2;
    const absl::string_view character = message.substr(i, length);
    const bool valid = character.size() == length && valid_utf8(character);
    const size_t added = valid ? length : 4;
    if (storage->size() + added > max_bytes) break;
    if (valid) {
      storage->append(character.data(), character.size());
      i += length;
    } else {
      absl::StrAppend(storage, "\\x", absl::Hex(lead, absl::kZeroPad2));
      ++i;
    }
  }
  return *storage;
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
  const char* p = text.data();
  size_t n = text.size();
  uint64_t bits = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    bits |= word;
  }
  for (; n > 0; ++p, --n) bits |= static_cast<unsigned char>(*p);
  return (bits & 0x8080808080808080) == 0;
}

// The fast path's walk over a meta section whose fields all have one-byte
// tags: calls on_varint(tag, value) for a varint field and
// on_text(tag, text) for a length-delimited one whose bytes are ASCII (so
// valid UTF-8 without checking). False, for protobuf to decide, when a
// callback does not take its tag or a field is anything else.
template <class OnVarint, class OnText>
bool ScanCommonFields(absl::string_view meta, OnVarint on_varint,
                      OnText on_text) {
  const auto* p = reinterpret_cast<const uint8_t*>(meta.data());
  const uint8_t* const end = p + meta.size();
  while (p != end) {
    const uint8_t tag = *p++;
    uint64_t value;
    if (!ReadVarint(&p, end, &value)) return false;
    switch (tag & 7) {
      case 0:
        if (!on_varint(tag, value)) return false;
        break;
      case 2: {
        if (value > static_cast<uint64_t>(end - p)) return false;
        const absl::string_view text(reinterpret_cast<const char*>(p),
                                     static_cast<size_t>(value));
        if (!IsAscii(text) || !on_text(tag, text)) return false;
        p += value;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

// True when the header holds only fields 1-4, each with its own wire type,
// names in ASCII.
bool ParseCommonRequestHeader(absl::string_view meta,
                              RequestHeaderView* header) {
  return ScanCommonFields(
      meta,
      [header](uint8_t tag, uint64_t value) {
        if (tag == kCallIdTag) {
          header->call_id = value;
        } else if (tag == kTimeoutTag) {
          header->timeout_us = value;
        } else {
          return false;
        }
        return true;
      },
      [header](uint8_t tag, absl::string_view text) {
        if (tag == kServiceTag) {
          header->service = text;
        } else if (tag == kMethodTag) {
          header->method = text;
        } else {
          return false;
        }
        return true;
      });
}

// True when the header holds only fields 1-3, each with its own wire type,
// the message in ASCII.
bool ParseCommonResponseHeader(absl::string_view meta,
                               ResponseHeaderView* header) {
  return ScanCommonFields(
      meta,
      [header](uint8_t tag, uint64_t value) {
        if (tag == kResponseCallIdTag) {
          header->call_id = value;
        } else if (tag == kStatusCodeTag) {
          // A uint32 field keeps the low 32 bits of a longer varint.
          header->status_code = static_cast<uint32_t>(value);
        } else {
          return false;
        }
        return true;
      },
      [header](uint8_t tag, absl::string_view text) {
        if (tag != kStatusMessageTag) return false;
        header->status_message = text;
        return true;
      });
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

absl::Status ParseResponseHeader(const transport::FrameView& frame,
                                 ResponseHeaderView* header) {
  if (ParseCommonResponseHeader(frame.meta, header)) return absl::OkStatus();
  *header = ResponseHeaderView();
  header->full = std::make_unique<wire::ResponseHeader>();
  if (absl::Status status = ParseMeta(frame, header->full.get());
      !status.ok()) {
    header->full.reset();
    return status;
  }
  header->call_id = header->full->call_id();
  header->status_code = header->full->status_code();
  header->status_message = header->full->status_message();
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
