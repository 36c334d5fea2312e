// Copyright 2026 The framerpc Authors.

#include "rpc/frame_io.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/logging.h"

namespace framerpc::internal {

EncodedFrame EncodeFrame(transport::FrameType type,
                         const google::protobuf::MessageLite& meta,
                         const google::protobuf::MessageLite* payload) {
  EncodedFrame frame;
  frame.type = type;
  const size_t meta_size = meta.ByteSizeLong();
  const size_t payload_size = payload == nullptr ? 0 : payload->ByteSizeLong();
  frame.meta_length = static_cast<uint32_t>(meta_size);
  frame.body.resize(meta_size + payload_size);
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
  frame.body.resize(meta_size + payload.size());
  meta.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(frame.body.data()));
  if (!payload.empty()) {
    std::memcpy(frame.body.data() + meta_size, payload.data(), payload.size());
  }
  return frame;
}

void SendEncodedFrame(transport::Connection& connection,
                      const EncodedFrame& frame) {
  transport::FrameHeader header;
  header.type = frame.type;
  header.meta_length = frame.meta_length;
  header.payload_length =
      static_cast<uint32_t>(frame.body.size() - frame.meta_length);
  connection.SendFrame(header, [&frame](char* body) {
    std::memcpy(body, frame.body.data(), frame.body.size());
  });
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
