// Copyright 2026 The framerpc Authors.
//
// The worked example of docs/protocol.md section 8, byte for byte: if the
// encoder or the wire messages change, this fails and the doc must change.

#include <string>

#include "absl/strings/escaping.h"
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
  return bytes + frame.body;
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

}  // namespace
}  // namespace framerpc
