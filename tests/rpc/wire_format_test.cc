// Copyright 2026 The framerpc Authors.
//
// The worked example of docs/protocol.md section 8, byte for byte: if the
// encoder or the wire messages change, this fails and the doc must change.

#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "echo.pb.h"
#include "framerpc/wire.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "gtest/gtest.h"
#include "rpc/frame_io.h"
#include "transport/frame_codec.h"

namespace framerpc {
namespace {

std::string WholeFrame(const internal::EncodedFrame& frame) {
  transport::FrameHeader header;
  header.type = frame.type;
  header.meta_length = frame.meta_length;
  header.payload_length =
      static_cast<uint32_t>(frame.body.size() - frame.meta_length);
  std::string bytes(transport::kFrameHeaderSize, '\0');
  transport::FrameCodec::EncodeHeader(header, bytes.data());
  return absl::StrCat(bytes, absl::string_view(frame.body));
}

TEST(WireFormatTest, RequestMatchesTheDocumentedExample) {
  wire::RequestHeader header;
  header.set_call_id(1);
  header.set_service("framerpc.echo.v1.Echo");
  header.set_method("Echo");
  header.set_timeout_us(250000);
  echo::v1::EchoRequest request;
  request.set_message("hi");
  const std::string frame = WholeFrame(
      internal::EncodeFrame(transport::FrameType::kRequest, header, &request));
  EXPECT_EQ(absl::BytesToHexString(frame),
            "46525043010100000000002300000004"
            "080112156672616d657270632e6563686f2e76312e4563686f1a044563686f"
            "2090a10f"
            "0a026869");
}

TEST(WireFormatTest, ResponseMatchesTheDocumentedExample) {
  wire::ResponseHeader header;
  header.set_call_id(1);
  echo::v1::EchoResponse response;
  response.set_message("hi");
  const std::string frame = WholeFrame(internal::EncodeFrame(
      transport::FrameType::kResponse, header, &response));
  EXPECT_EQ(absl::BytesToHexString(frame),
            "46525043010200000000000200000004"
            "0801"
            "0a026869");
}

TEST(WireFormatTest, ExampleDecodesWithTheFrameCodec) {
  const std::string frame = absl::HexStringToBytes(
      "46525043010200000000000200000004"
      "08010a026869");
  transport::FrameCodec codec;
  transport::FrameView view;
  absl::StatusOr<size_t> size = codec.Decode(frame, &view);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(*size, frame.size());
  EXPECT_EQ(view.header.type, transport::FrameType::kResponse);
  wire::ResponseHeader header;
  ASSERT_TRUE(header.ParseFromArray(view.meta.data(),
                                    static_cast<int>(view.meta.size())));
  EXPECT_EQ(header.call_id(), 1u);
  echo::v1::EchoResponse response;
  ASSERT_TRUE(response.ParseFromArray(view.payload.data(),
                                      static_cast<int>(view.payload.size())));
  EXPECT_EQ(response.message(), "hi");
}

// The client writes RequestHeader by hand (no message built per call): its
// bytes must be exactly protobuf's for the same header, whatever the values.
TEST(WireFormatTest, HandWrittenRequestHeaderIsByteForByteProtobufs) {
  echo::v1::EchoRequest request;
  request.set_message("payload");
  const std::string long_name(300, 's');  // a two-byte length
  struct Case {
    uint64_t call_id;
    std::string service;
    std::string method;
    uint64_t timeout_us;
    Metadata metadata;
  };
  const std::vector<Case> cases = {
      {1, "framerpc.echo.v1.Echo", "Echo", 10'000'000, {}},
      {0, "", "", 0, {}},
      {127, "s", "m", 1, {}},
      {128, long_name, long_name, 127, {}},
      {~uint64_t{0}, "a.B", "C", ~uint64_t{0}, {}},
      {42, "svc", "M", 5, {{"request-id", "42"}}},
      {43, "svc", "M", 5, {{"request-id", "42"}, {"k", ""}}},
  };
  for (const Case& c : cases) {
    const internal::EncodedFrame hand = internal::EncodeRequestFrame(
        c.call_id, c.service, c.method, c.timeout_us, c.metadata, request);
    wire::RequestHeader header;
    header.set_call_id(c.call_id);
    header.set_service(c.service);
    header.set_method(c.method);
    header.set_timeout_us(c.timeout_us);
    for (const auto& [key, value] : c.metadata) {
      (*header.mutable_metadata())[key] = value;
    }
    const internal::EncodedFrame reference =
        internal::EncodeFrame(transport::FrameType::kRequest, header, &request);
    EXPECT_EQ(hand.meta_length, reference.meta_length) << c.call_id;
    if (c.metadata.size() <= 1) {
      EXPECT_EQ(absl::string_view(hand.body), absl::string_view(reference.body))
          << c.call_id;
    } else {
      // Protobuf writes map entries in an unspecified order: compare values.
      wire::RequestHeader parsed;
      ASSERT_TRUE(parsed.ParseFromArray(hand.body.data(),
                                        static_cast<int>(hand.meta_length)));
      EXPECT_EQ(parsed.call_id(), c.call_id);
      EXPECT_EQ(parsed.service(), c.service);
      EXPECT_EQ(parsed.method(), c.method);
      EXPECT_EQ(parsed.timeout_us(), c.timeout_us);
      EXPECT_EQ(Metadata(parsed.metadata().begin(), parsed.metadata().end()),
                c.metadata);
      EXPECT_EQ(absl::string_view(hand.body).substr(hand.meta_length),
                absl::string_view(reference.body).substr(hand.meta_length));
    }
    EXPECT_EQ(hand.type, transport::FrameType::kRequest);
  }
}

// The server reads the RequestHeader in place when it is the common kind
// and leaves the rest to protobuf: on every input it must accept, reject and
// read exactly what protobuf does.
TEST(WireFormatTest, RequestHeaderParserAgreesWithProtobufOnAnyInput) {
  // Protobuf logs each invalid UTF-8 string it rejects.
  google::protobuf::LogSilencer quiet;
  std::mt19937_64 random(20261122);
  auto pick = [&random](uint64_t n) { return random() % n; };
  auto varint = [](uint64_t value) {
    std::string out;
    do {
      uint8_t byte = value & 0x7f;
      value >>= 7;
      if (value != 0) byte |= 0x80;
      out.push_back(static_cast<char>(byte));
    } while (value != 0);
    return out;
  };
  const std::vector<std::string> names = {"",
                                          "framerpc.echo.v1.Echo",
                                          "Echo",
                                          std::string(200, 'x'),
                                          "caf\xc3\xa9",
                                          "bad\xff",
                                          "\xc3",
                                          std::string("nul\0in", 6)};
  const std::vector<uint64_t> numbers = {0, 1, 127, 128, 300, ~uint64_t{0}};
  int fast_inputs = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string meta;
    const int fields = static_cast<int>(pick(6));
    for (int f = 0; f < fields; ++f) {
      switch (pick(9)) {
        case 0:
          meta += '\x08' + varint(numbers[pick(numbers.size())]);
          break;
        case 1:
        case 2: {
          const std::string& name = names[pick(names.size())];
          meta += (pick(2) == 0 ? '\x12' : '\x1a') + varint(name.size()) + name;
          break;
        }
        case 3:
          meta += '\x20' + varint(numbers[pick(numbers.size())]);
          break;
        case 4: {  // a metadata entry
          wire::RequestHeader entry;
          (*entry.mutable_metadata())[names[pick(3)]] = names[pick(3)];
          meta += entry.SerializeAsString();
          break;
        }
        case 5:  // an unknown field, or a known one with another wire type
          meta += static_cast<char>((pick(8) << 3) | 0) + varint(pick(1000));
          break;
        case 6:  // an overlong varint or a multi-byte tag
          meta += pick(2) == 0 ? std::string("\x08\x81\x80\x80\x00", 5)
                               : std::string("\x88\x00\x05", 3);
          break;
        case 7:  // a ten-byte varint with high bits set
          meta += '\x08' + std::string(9, '\xff') +
                  static_cast<char>(pick(2) == 0 ? 0x01 : 0x7f);
          break;
        default:  // random bytes
          for (int i = 0, n = static_cast<int>(pick(6)); i < n; ++i) {
            meta += static_cast<char>(pick(256));
          }
      }
    }
    if (pick(8) == 0 && !meta.empty()) meta.resize(pick(meta.size()));
    transport::FrameView frame;
    frame.header.type = transport::FrameType::kRequest;
    frame.meta = meta;
    internal::RequestHeaderView view;
    const bool ours = internal::ParseRequestHeader(frame, &view).ok();
    wire::RequestHeader reference;
    const bool theirs =
        reference.ParseFromArray(meta.data(), static_cast<int>(meta.size()));
    ASSERT_EQ(ours, theirs) << absl::CEscape(meta);
    if (!theirs) continue;
    if (view.full == nullptr) ++fast_inputs;
    EXPECT_EQ(view.call_id, reference.call_id()) << absl::CEscape(meta);
    EXPECT_EQ(view.service, reference.service()) << absl::CEscape(meta);
    EXPECT_EQ(view.method, reference.method()) << absl::CEscape(meta);
    EXPECT_EQ(view.timeout_us, reference.timeout_us()) << absl::CEscape(meta);
    EXPECT_EQ(view.has_metadata(), !reference.metadata().empty());
  }
  // Both paths were exercised.
  EXPECT_GT(fast_inputs, 1000);
}

// The server writes ResponseHeader by hand when there is no metadata: its
// bytes must be exactly protobuf's for the same header.
TEST(WireFormatTest, HandWrittenResponseHeaderIsByteForByteProtobufs) {
  echo::v1::EchoResponse response;
  response.set_message("payload");
  const std::string long_message(300, 'm');  // a two-byte length
  struct Case {
    uint64_t call_id;
    uint32_t code;
    std::string message;
    Metadata metadata;
    bool with_payload;
  };
  const std::vector<Case> cases = {
      {1, 0, "", {}, true},
      {0, 0, "", {}, false},
      {127, 5, "not found", {}, false},
      {128, 16, long_message, {}, false},
      {~uint64_t{0}, ~uint32_t{0}, "caf\xc3\xa9", {}, true},
      {42, 0, "", {{"served-by", "a"}}, true},
  };
  for (const Case& c : cases) {
    const size_t payload_size = c.with_payload ? response.ByteSizeLong() : 0;
    const internal::EncodedFrame hand = internal::EncodeResponseFrame(
        internal::ResponseMeta(c.call_id, c.code, c.message, c.metadata),
        c.with_payload ? &response : nullptr, payload_size);
    wire::ResponseHeader header;
    header.set_call_id(c.call_id);
    header.set_status_code(c.code);
    header.set_status_message(c.message);
    for (const auto& [key, value] : c.metadata) {
      (*header.mutable_metadata())[key] = value;
    }
    const internal::EncodedFrame reference =
        internal::EncodeFrame(transport::FrameType::kResponse, header,
                              c.with_payload ? &response : nullptr);
    EXPECT_EQ(hand.type, transport::FrameType::kResponse);
    EXPECT_EQ(hand.meta_length, reference.meta_length) << c.call_id;
    EXPECT_EQ(absl::string_view(hand.body), absl::string_view(reference.body))
        << c.call_id;
  }
}

// The client reads the ResponseHeader in place when it is the common kind:
// on every input it must accept, reject and read exactly what protobuf does.
TEST(WireFormatTest, ResponseHeaderParserAgreesWithProtobufOnAnyInput) {
  google::protobuf::LogSilencer quiet;
  std::mt19937_64 random(20261122);
  auto pick = [&random](uint64_t n) { return random() % n; };
  auto varint = [](uint64_t value) {
    std::string out;
    do {
      uint8_t byte = value & 0x7f;
      value >>= 7;
      if (value != 0) byte |= 0x80;
      out.push_back(static_cast<char>(byte));
    } while (value != 0);
    return out;
  };
  const std::vector<std::string> messages = {
      "",        "not found", std::string(200, 'x'),    "caf\xc3\xa9",
      "bad\xff", "\xc3",      std::string("nul\0in", 6)};
  const std::vector<uint64_t> numbers = {
      0, 1, 16, 127, 128, 300, uint64_t{1} << 32, ~uint64_t{0}};
  int fast_inputs = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string meta;
    const int fields = static_cast<int>(pick(5));
    for (int f = 0; f < fields; ++f) {
      switch (pick(8)) {
        case 0:
        case 1:
          meta += (pick(2) == 0 ? '\x08' : '\x10') +
                  varint(numbers[pick(numbers.size())]);
          break;
        case 2: {
          const std::string& message = messages[pick(messages.size())];
          meta += '\x1a' + varint(message.size()) + message;
          break;
        }
        case 3: {  // a metadata entry
          wire::ResponseHeader entry;
          (*entry.mutable_metadata())[messages[pick(2)]] = messages[pick(3)];
          meta += entry.SerializeAsString();
          break;
        }
        case 4:  // an unknown field, or a known one with another wire type
          meta += static_cast<char>((pick(8) << 3) | (pick(2) == 0 ? 0 : 2)) +
                  varint(pick(4));
          break;
        case 5:  // an overlong varint or a multi-byte tag
          meta += pick(2) == 0 ? std::string("\x10\x81\x80\x80\x00", 5)
                               : std::string("\x88\x00\x05", 3);
          break;
        case 6:  // a ten-byte varint with high bits set
          meta += '\x10' + std::string(9, '\xff') +
                  static_cast<char>(pick(2) == 0 ? 0x01 : 0x7f);
          break;
        default:  // random bytes
          for (int i = 0, n = static_cast<int>(pick(6)); i < n; ++i) {
            meta += static_cast<char>(pick(256));
          }
      }
    }
    if (pick(8) == 0 && !meta.empty()) meta.resize(pick(meta.size()));
    transport::FrameView frame;
    frame.header.type = transport::FrameType::kResponse;
    frame.meta = meta;
    internal::ResponseHeaderView view;
    const bool ours = internal::ParseResponseHeader(frame, &view).ok();
    wire::ResponseHeader reference;
    const bool theirs =
        reference.ParseFromArray(meta.data(), static_cast<int>(meta.size()));
    ASSERT_EQ(ours, theirs) << absl::CEscape(meta);
    if (!theirs) continue;
    if (view.full == nullptr) ++fast_inputs;
    EXPECT_EQ(view.call_id, reference.call_id()) << absl::CEscape(meta);
    EXPECT_EQ(view.status_code, reference.status_code()) << absl::CEscape(meta);
    EXPECT_EQ(view.status_message, reference.status_message())
        << absl::CEscape(meta);
    EXPECT_EQ(view.has_metadata(), !reference.metadata().empty());
  }
  EXPECT_GT(fast_inputs, 1000);
}

TEST(WireFormatTest, WireStatusMessageIsValidUtf8WithinTheLimit) {
  std::string storage;
  // Valid and short: the message itself, not a copy.
  const std::string fine = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  EXPECT_EQ(internal::WireStatusMessage(fine, 100, &storage).data(),
            fine.data());
  // Every byte that is not part of a valid character is escaped; a
  // truncated character at the end too.
  EXPECT_EQ(internal::WireStatusMessage("a\xff\xc3\xa9\xed\xa0\x80z\xe2\x82",
                                        100, &storage),
            "a\\xff\xc3\xa9\\xed\\xa0\\x80z\\xe2\\x82");
  // Too long: cut at a character boundary, never inside "é" nor inside an
  // escape.
  EXPECT_EQ(internal::WireStatusMessage("ab\xc3\xa9", 3, &storage), "ab");
  EXPECT_EQ(internal::WireStatusMessage("ab\xff", 5, &storage), "ab");
  EXPECT_EQ(internal::WireStatusMessage("ab\xff", 6, &storage), "ab\\xff");
  EXPECT_EQ(internal::WireStatusMessage("", 0, &storage), "");
}

}  // namespace
}  // namespace framerpc
