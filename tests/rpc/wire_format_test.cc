// Copyright 2026 The framerpc Authors.
//
// The worked example of docs/protocol.md section 8, byte for byte: if the
// encoder or the wire messages change, this fails and the doc must change.

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "echo.pb.h"
#include "framerpc/wire.pb.h"
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

}  // namespace
}  // namespace framerpc
