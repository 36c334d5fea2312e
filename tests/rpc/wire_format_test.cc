// Copyright 2026 The framerpc Authors.
//
// The worked example of docs/protocol.md section 8, byte for byte: if the
// encoder or the wire messages change, this fails and the doc must change.

#include <random>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
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

// Random meta sections for the parsers' agreement tests: the fields a
// fast path takes, mixed with everything it must leave to protobuf.
class RandomMeta {
 public:
  // Texts for string fields: ASCII, UTF-8, not UTF-8, with a NUL.
  static inline const std::vector<std::string> kTexts = {
      "",
      "framerpc.echo.v1.Echo",
      "Echo",
      std::string(200, 'x'),
      "caf\xc3\xa9",
      "bad\xff",
      "\xc3",
      std::string("nul\0in", 6)};
  static inline const std::vector<uint64_t> kNumbers = {
      0, 1, 16, 127, 128, 300, uint64_t{1} << 32, ~uint64_t{0}};

  uint64_t Pick(uint64_t n) { return random_() % n; }

  static std::string Varint(uint64_t value) {
    std::string out;
    do {
      uint8_t byte = value & 0x7f;
      value >>= 7;
      if (value != 0) byte |= 0x80;
      out.push_back(static_cast<char>(byte));
    } while (value != 0);
    return out;
  }
  // A varint field with one-byte tag `tag` and a random value.
  std::string VarintField(char tag) {
    return tag + Varint(kNumbers[Pick(kNumbers.size())]);
  }
  // A string field with one-byte tag `tag` and a random text.
  std::string TextField(char tag) {
    const std::string& text = kTexts[Pick(kTexts.size())];
    return tag + Varint(text.size()) + text;
  }
  // Something no fast path takes: an unknown field or a known number with
  // another wire type, an overlong varint or a multi-byte tag, a ten-byte
  // varint with high bits set, or random bytes. `varint_tag` is the tag of
  // one of the message's varint fields.
  std::string Oddity(char varint_tag) {
    std::string out;
    switch (Pick(4)) {
      case 0:
        out = static_cast<char>((Pick(8) << 3) | (Pick(2) == 0 ? 0 : 2)) +
              Varint(Pick(1000));
        break;
      case 1:
        out = Pick(2) == 0 ? varint_tag + std::string("\x81\x80\x80\x00", 4)
                           : std::string("\x88\x00\x05", 3);
        break;
      case 2:
        out = varint_tag + std::string(9, '\xff') +
              static_cast<char>(Pick(2) == 0 ? 0x01 : 0x7f);
        break;
      default:
        for (int i = 0, n = static_cast<int>(Pick(6)); i < n; ++i) {
          out += static_cast<char>(Pick(256));
        }
    }
    return out;
  }
  // A `Header` holding just one random metadata entry.
  template <class Header>
  std::string MetadataEntry() {
    Header entry;
    (*entry.mutable_metadata())[kTexts[Pick(3)]] = kTexts[Pick(3)];
    return entry.SerializeAsString();
  }
  // Cuts `meta` short, one time in eight.
  void MaybeTruncate(std::string* meta) {
    if (Pick(8) == 0 && !meta->empty()) meta->resize(Pick(meta->size()));
  }

 private:
  std::mt19937_64 random_{20261122};
};

// Runs 20,000 random meta sections (up to five fields from `field`, cut
// short now and then) through `parse` and through protobuf's parser of
// `Header`: both must accept the same ones and, checked by `expect_same`,
// read the same values. Both of `parse`'s paths must be taken.
template <class Header, class View>
void ExpectParserAgreesWithProtobuf(
    transport::FrameType type,
    absl::FunctionRef<std::string(RandomMeta&)> field,
    absl::FunctionRef<absl::Status(const transport::FrameView&, View*)> parse,
    absl::FunctionRef<void(const View&, const Header&, const std::string&)>
        expect_same) {
  // Protobuf logs each invalid UTF-8 string it rejects.
  google::protobuf::LogSilencer quiet;
  RandomMeta random;
  int fast_inputs = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string meta;
    for (int f = 0, n = static_cast<int>(random.Pick(6)); f < n; ++f) {
      meta += field(random);
    }
    random.MaybeTruncate(&meta);
    transport::FrameView frame;
    frame.header.type = type;
    frame.meta = meta;
    View view;
    const bool ours = parse(frame, &view).ok();
    Header reference;
    const bool theirs =
        reference.ParseFromArray(meta.data(), static_cast<int>(meta.size()));
    ASSERT_EQ(ours, theirs) << absl::CEscape(meta);
    if (!theirs) continue;
    if (view.full == nullptr) ++fast_inputs;
    expect_same(view, reference, absl::CEscape(meta));
    EXPECT_EQ(view.has_metadata(), !reference.metadata().empty());
  }
  EXPECT_GT(fast_inputs, 1000);
}

// The server reads the RequestHeader in place when it is the common kind
// and leaves the rest to protobuf: on every input it must accept, reject and
// read exactly what protobuf does.
TEST(WireFormatTest, RequestHeaderParserAgreesWithProtobufOnAnyInput) {
  ExpectParserAgreesWithProtobuf<wire::RequestHeader,
                                 internal::RequestHeaderView>(
      transport::FrameType::kRequest,
      [](RandomMeta& random) {
        switch (random.Pick(7)) {
          case 0:
            return random.VarintField('\x08');
          case 1:
          case 2:
            return random.TextField(random.Pick(2) == 0 ? '\x12' : '\x1a');
          case 3:
            return random.VarintField('\x20');
          case 4:
            return random.MetadataEntry<wire::RequestHeader>();
          default:
            return random.Oddity('\x08');
        }
      },
      internal::ParseRequestHeader,
      [](const internal::RequestHeaderView& view,
         const wire::RequestHeader& reference, const std::string& meta) {
        EXPECT_EQ(view.call_id, reference.call_id()) << meta;
        EXPECT_EQ(view.service, reference.service()) << meta;
        EXPECT_EQ(view.method, reference.method()) << meta;
        EXPECT_EQ(view.timeout_us, reference.timeout_us()) << meta;
      });
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
  ExpectParserAgreesWithProtobuf<wire::ResponseHeader,
                                 internal::ResponseHeaderView>(
      transport::FrameType::kResponse,
      [](RandomMeta& random) {
        switch (random.Pick(6)) {
          case 0:
          case 1:
            return random.VarintField(random.Pick(2) == 0 ? '\x08' : '\x10');
          case 2:
            return random.TextField('\x1a');
          case 3:
            return random.MetadataEntry<wire::ResponseHeader>();
          default:
            return random.Oddity('\x10');
        }
      },
      internal::ParseResponseHeader,
      [](const internal::ResponseHeaderView& view,
         const wire::ResponseHeader& reference, const std::string& meta) {
        EXPECT_EQ(view.call_id, reference.call_id()) << meta;
        EXPECT_EQ(view.status_code, reference.status_code()) << meta;
        EXPECT_EQ(view.status_message, reference.status_message()) << meta;
      });
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
