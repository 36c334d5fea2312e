// Copyright 2026 The framerpc Authors.
//
// header_fuzzer: the meta section of a frame, parsed as the wire.proto
// message its frame type carries, the way rpc/ parses it (ParseMeta, and
// for REQUEST the server's in-place ParseRequestHeader), then put back into
// a frame the way rpc/ sends it (EncodeFrame, and for REQUEST the client's
// EncodeRequestFrame); for RESPONSE also the client's in-place
// ParseResponseHeader and the server's hand-written ResponseMeta.
//
// Input: byte 0 picks the frame type (REQUEST, RESPONSE, CANCEL, GOAWAY or
// SETTINGS, by value modulo 5); the rest is the meta section.
//
// Invariants checked:
//   - ParseMeta fails only with INVALID_ARGUMENT naming the frame type and
//     the message type;
//   - a parsed header serializes to bytes that parse to the same fields;
//   - EncodeFrame of the parsed header gives a frame that FrameCodec
//     accepts, whose meta is that serialization, unless the header is empty
//     in a frame type that requires one (then FrameCodec refuses it);
//   - ParseRequestHeader and ParseResponseHeader accept and reject exactly
//     what protobuf does, with the same values, and EncodeRequestFrame and
//     ResponseMeta write what protobuf writes for them;
//   - the values the server derives from a REQUEST header (metadata size,
//     status code of a RESPONSE) stay in range.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/logging.h"
#include "framerpc/wire.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "rpc/frame_io.h"
#include "rpc/metadata.h"
#include "transport/frame.h"
#include "transport/frame_codec.h"

namespace framerpc::fuzzing {
namespace {

using transport::FrameType;
using transport::FrameView;

// Compares the fields of two messages of one of the wire.proto types.
// (Byte comparison of serializations would be wrong: map order is free.)
template <class Map>
bool SameMap(const Map& a, const Map& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    auto it = b.find(key);
    if (it == b.end() || it->second != value) return false;
  }
  return true;
}

bool SameFields(const wire::RequestHeader& a, const wire::RequestHeader& b) {
  return a.call_id() == b.call_id() && a.service() == b.service() &&
         a.method() == b.method() && a.timeout_us() == b.timeout_us() &&
         SameMap(a.metadata(), b.metadata());
}

bool SameFields(const wire::ResponseHeader& a, const wire::ResponseHeader& b) {
  return a.call_id() == b.call_id() && a.status_code() == b.status_code() &&
         a.status_message() == b.status_message() &&
         SameMap(a.metadata(), b.metadata());
}

bool SameFields(const wire::Cancel& a, const wire::Cancel& b) {
  return a.call_id() == b.call_id();
}

bool SameFields(const wire::GoAway& a, const wire::GoAway& b) {
  return a.code() == b.code() && a.last_call_id() == b.last_call_id() &&
         a.reason() == b.reason();
}

bool SameFields(const wire::Settings& a, const wire::Settings& b) {
  return a.keepalive_interval_us() == b.keepalive_interval_us() &&
         a.keepalive_timeout_us() == b.keepalive_timeout_us() &&
         a.max_frame_size() == b.max_frame_size() &&
         a.max_concurrent_calls() == b.max_concurrent_calls();
}

// What the server checks on a REQUEST header before dispatching it
// (rpc/server_connection.cc, OnRequest), recomputed here.
void CheckRequest(const wire::RequestHeader& header) {
  size_t metadata_size = 0;
  for (const auto& [key, value] : header.metadata()) {
    metadata_size += key.size() + value.size();
  }
  // Every byte of metadata came from the meta section.
  FRAMERPC_CHECK_LE(metadata_size, header.ByteSizeLong());
}

void CheckResponse(const wire::ResponseHeader& header) {
  // As the client maps it (rpc/channel_impl.cc): unknown codes are UNKNOWN.
  const uint32_t code = header.status_code();
  const absl::StatusCode status_code = code <= 16
                                           ? static_cast<absl::StatusCode>(code)
                                           : absl::StatusCode::kUnknown;
  const absl::Status status(status_code, header.status_message());
  FRAMERPC_CHECK_EQ(status.ok(), code == 0);
}

// Parses `meta` as the header of a `type` frame both ways: with protobuf
// into `*reference`, and with the in-place parser `parse` (named `name`)
// into `*view`. They must accept and reject alike; true when both accepted.
template <typename Header, typename View>
bool ParsedLikeProtobuf(FrameType type, absl::string_view meta,
                        absl::Status (*parse)(const FrameView&, View*),
                        const char* name, Header* reference, View* view) {
  FrameView frame;
  frame.header.type = type;
  frame.header.meta_length = static_cast<uint32_t>(meta.size());
  frame.meta = meta;
  const absl::Status expected = internal::ParseMeta(frame, reference);
  const absl::Status status = parse(frame, view);
  FRAMERPC_CHECK(status == expected)
      << name << ": " << status << "; protobuf: " << expected;
  return status.ok();
}

// `written`, a header from a hand-written writer (named `writer`), must be
// what protobuf writes for `canonical`: the same bytes, except that with
// several metadata entries only the fields must match (protobuf writes a
// map in an order of its own).
template <typename Header>
void WrittenLikeProtobuf(absl::string_view written, const Header& canonical,
                         const char* writer) {
  if (canonical.metadata().size() <= 1) {
    FRAMERPC_CHECK(written == canonical.SerializeAsString())
        << writer << " differs from protobuf";
  } else {
    Header parsed;
    FRAMERPC_CHECK(parsed.ParseFromArray(written.data(),
                                         static_cast<int>(written.size())));
    FRAMERPC_CHECK(SameFields(parsed, canonical));
  }
}

// The server's in-place REQUEST header parser (ParseRequestHeader) and the
// client's hand-written header writer (EncodeRequestFrame) must agree with
// protobuf exactly (rpc/frame_io.h): same acceptance, same values, same
// bytes.
void FuzzRequestFastPaths(absl::string_view meta) {
  wire::RequestHeader reference;
  internal::RequestHeaderView view;
  if (!ParsedLikeProtobuf(FrameType::kRequest, meta,
                          &internal::ParseRequestHeader, "ParseRequestHeader",
                          &reference, &view)) {
    return;
  }
  FRAMERPC_CHECK_EQ(view.call_id, reference.call_id());
  FRAMERPC_CHECK(view.service == reference.service());
  FRAMERPC_CHECK(view.method == reference.method());
  FRAMERPC_CHECK_EQ(view.timeout_us, reference.timeout_us());
  FRAMERPC_CHECK_EQ(view.has_metadata(), !reference.metadata().empty());
  if (view.has_metadata()) {
    FRAMERPC_CHECK(SameFields(*view.full, reference));
  }

  // Written back by the client's writer, from the parsed values.
  const Metadata metadata(reference.metadata().begin(),
                          reference.metadata().end());
  wire::Cancel request;  // any message will do as the payload
  request.set_call_id(view.call_id);
  const internal::EncodedFrame encoded =
      internal::EncodeRequestFrame(view.call_id, view.service, view.method,
                                   view.timeout_us, metadata, request);
  const absl::string_view body(encoded.body.data(), encoded.body.size());
  FRAMERPC_CHECK_LE(encoded.meta_length, body.size());
  const absl::string_view written_meta = body.substr(0, encoded.meta_length);
  FRAMERPC_CHECK(body.substr(encoded.meta_length) ==
                 request.SerializeAsString());
  // What protobuf writes for the same fields (without unknown ones).
  wire::RequestHeader canonical;
  canonical.set_call_id(reference.call_id());
  canonical.set_service(reference.service());
  canonical.set_method(reference.method());
  canonical.set_timeout_us(reference.timeout_us());
  *canonical.mutable_metadata() = reference.metadata();
  WrittenLikeProtobuf(written_meta, canonical, "EncodeRequestFrame");
}

// The client's in-place RESPONSE header parser (ParseResponseHeader) and
// the server's hand-written header writer (ResponseMeta) must agree with
// protobuf exactly, like the REQUEST ones.
void FuzzResponseFastPaths(absl::string_view meta) {
  wire::ResponseHeader reference;
  internal::ResponseHeaderView view;
  if (!ParsedLikeProtobuf(FrameType::kResponse, meta,
                          &internal::ParseResponseHeader, "ParseResponseHeader",
                          &reference, &view)) {
    return;
  }
  FRAMERPC_CHECK_EQ(view.call_id, reference.call_id());
  FRAMERPC_CHECK_EQ(view.status_code, reference.status_code());
  FRAMERPC_CHECK(view.status_message == reference.status_message());
  FRAMERPC_CHECK_EQ(view.has_metadata(), !reference.metadata().empty());
  if (view.has_metadata()) {
    FRAMERPC_CHECK(SameFields(*view.full, reference));
  }

  // Written back by the server's writer, from the parsed values.
  const Metadata metadata(reference.metadata().begin(),
                          reference.metadata().end());
  const internal::ResponseMeta written(view.call_id, view.status_code,
                                       view.status_message, metadata);
  std::string written_meta(written.size(), '\0');
  FRAMERPC_CHECK(reinterpret_cast<char*>(written.Write(
                     reinterpret_cast<uint8_t*>(written_meta.data()))) ==
                 written_meta.data() + written_meta.size());
  // What protobuf writes for the same fields (without unknown ones).
  wire::ResponseHeader canonical;
  canonical.set_call_id(reference.call_id());
  canonical.set_status_code(reference.status_code());
  canonical.set_status_message(reference.status_message());
  *canonical.mutable_metadata() = reference.metadata();
  WrittenLikeProtobuf(written_meta, canonical, "ResponseMeta");
}

// `check(message)` runs the type's own checks on a parsed message.
template <typename Message, typename Check>
void Fuzz(FrameType type, absl::string_view meta, Check check) {
  FrameView frame;
  frame.header.type = type;
  frame.header.meta_length = static_cast<uint32_t>(meta.size());
  frame.meta = meta;
  Message message;
  const absl::Status status = internal::ParseMeta(frame, &message);
  if (!status.ok()) {
    FRAMERPC_CHECK(absl::IsInvalidArgument(status)) << status;
    FRAMERPC_CHECK(absl::StrContains(
        status.message(),
        absl::StrCat(transport::FrameTypeName(type), " frame header (",
                     meta.size(), " bytes) is not a valid ",
                     message.GetTypeName())))
        << status;
    return;
  }
  check(message);

  const std::string serialized = message.SerializeAsString();
  Message again;
  FRAMERPC_CHECK(again.ParseFromString(serialized));
  FRAMERPC_CHECK(SameFields(message, again)) << "round trip changed fields";

  // Put back into a frame as the rpc layer sends it.
  const internal::EncodedFrame encoded =
      internal::EncodeFrame(type, message, absl::string_view());
  FRAMERPC_CHECK_EQ(encoded.meta_length, serialized.size());
  std::string bytes(transport::kFrameHeaderSize, '\0');
  transport::FrameHeader header;
  header.type = type;
  header.meta_length = encoded.meta_length;
  header.payload_length = 0;
  transport::FrameCodec::EncodeHeader(header, bytes.data());
  bytes.append(encoded.body.data(), encoded.body.size());
  const transport::FrameCodec codec;
  FrameView decoded;
  absl::StatusOr<size_t> size = codec.Decode(bytes, &decoded);
  const bool needs_meta = type == FrameType::kRequest ||
                          type == FrameType::kResponse ||
                          type == FrameType::kCancel;
  if (needs_meta && serialized.empty()) {
    FRAMERPC_CHECK(!size.ok()) << "an empty " << transport::FrameTypeName(type)
                               << " header was accepted";
    return;
  }
  FRAMERPC_CHECK(size.ok()) << size.status();
  FRAMERPC_CHECK_EQ(*size, bytes.size());
  Message parsed;
  FRAMERPC_CHECK(internal::ParseMeta(decoded, &parsed).ok());
  FRAMERPC_CHECK(SameFields(message, parsed));
}

}  // namespace
}  // namespace framerpc::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = framerpc::fuzzing;
  namespace wire = framerpc::wire;
  using framerpc::transport::FrameType;
  const auto no_check = [](const auto&) {};
  // Protobuf's complaints about invalid UTF-8 in string fields are noise.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  if (size == 0) return 0;
  const absl::string_view meta(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  switch (data[0] % 5) {
    case 0:
      fz::Fuzz<wire::RequestHeader>(FrameType::kRequest, meta,
                                    &fz::CheckRequest);
      fz::FuzzRequestFastPaths(meta);
      break;
    case 1:
      fz::Fuzz<wire::ResponseHeader>(FrameType::kResponse, meta,
                                     &fz::CheckResponse);
      fz::FuzzResponseFastPaths(meta);
      break;
    case 2:
      fz::Fuzz<wire::Cancel>(FrameType::kCancel, meta, no_check);
      break;
    case 3:
      fz::Fuzz<wire::GoAway>(FrameType::kGoAway, meta, no_check);
      break;
    case 4:
      fz::Fuzz<wire::Settings>(FrameType::kSettings, meta, no_check);
      break;
  }
  return 0;
}
