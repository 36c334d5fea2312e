// Copyright 2026 The framerpc Authors.

#include "transport/frame_codec.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/transport/test_util.h"
#include "transport/buffer.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::EncodeFrame;
using ::testing::HasSubstr;

// A raw 16-byte header with arbitrary field values.
std::string RawHeader(uint32_t magic, uint8_t version, uint8_t type,
                      uint32_t meta_length, uint32_t payload_length) {
  std::string out(kFrameHeaderSize, '\0');
  auto put32 = [&out](size_t at, uint32_t v) {
    out[at] = static_cast<char>(v >> 24);
    out[at + 1] = static_cast<char>(v >> 16);
    out[at + 2] = static_cast<char>(v >> 8);
    out[at + 3] = static_cast<char>(v);
  };
  put32(0, magic);
  out[4] = static_cast<char>(version);
  out[5] = static_cast<char>(type);
  put32(8, meta_length);
  put32(12, payload_length);
  return out;
}

absl::Status DecodeError(const FrameCodec& codec, absl::string_view data) {
  FrameView frame;
  absl::StatusOr<size_t> size = codec.Decode(data, &frame);
  return size.status();
}

TEST(FrameCodecTest, EncodedHeaderMatchesProtocolLayout) {
  FrameHeader header;
  header.type = FrameType::kResponse;
  header.flags = 0x0102;
  header.meta_length = 0x0a0b0c0d;
  header.payload_length = 0x01020304;
  char out[kFrameHeaderSize];
  FrameCodec::EncodeHeader(header, out);
  const std::string expected(
      "FRPC\x01\x02\x01\x02\x0a\x0b\x0c\x0d\x01\x02\x03\x04", 16);
  EXPECT_EQ(std::string(out, sizeof(out)), expected);
}

TEST(FrameCodecTest, RoundTripsEveryFrameType) {
  struct Case {
    FrameType type;
    std::string meta;
    std::string payload;
  };
  const std::vector<Case> cases = {
      {FrameType::kRequest, "request-header", "request body"},
      {FrameType::kResponse, "r", ""},
      {FrameType::kCancel, "cancel", ""},
      {FrameType::kPing, "", "12345678"},
      {FrameType::kPong, "", "87654321"},
      {FrameType::kGoAway, "", ""},
      {FrameType::kGoAway, "bye", ""},
      {FrameType::kSettings, "s", ""},
      {FrameType::kRequest, std::string(1000, 'm'), std::string(70000, 'p')},
  };
  FrameCodec codec;
  for (const Case& c : cases) {
    const std::string bytes = EncodeFrame(c.type, c.meta, c.payload);
    FrameView frame;
    absl::StatusOr<size_t> size = codec.Decode(bytes, &frame);
    ASSERT_TRUE(size.ok()) << size.status();
    EXPECT_EQ(*size, bytes.size());
    EXPECT_EQ(frame.header.type, c.type);
    EXPECT_EQ(frame.header.flags, 0);
    EXPECT_EQ(frame.meta, c.meta);
    EXPECT_EQ(frame.payload, c.payload);
  }
}

TEST(FrameCodecTest, BufferAndStringEncodingsAreIdentical) {
  Buffer buffer;
  FrameCodec::Encode(FrameType::kRequest, "meta", "payload", &buffer);
  EXPECT_EQ(buffer.RetrieveAllAsString(),
            EncodeFrame(FrameType::kRequest, "meta", "payload"));
}

TEST(FrameCodecTest, NeedsMoreBytesAtEverySplitPointThenDecodes) {
  const std::string bytes =
      EncodeFrame(FrameType::kRequest, "header", "the payload");
  FrameCodec codec;
  for (size_t split = 0; split <= bytes.size(); ++split) {
    SCOPED_TRACE(absl::StrCat("split at ", split));
    Buffer buffer;
    buffer.Append(absl::string_view(bytes).substr(0, split));
    FrameView frame;
    absl::StatusOr<size_t> size = codec.Decode(buffer.View(), &frame);
    ASSERT_TRUE(size.ok()) << size.status();
    if (split < bytes.size()) {
      EXPECT_EQ(*size, 0u);
      buffer.Append(absl::string_view(bytes).substr(split));
      size = codec.Decode(buffer.View(), &frame);
      ASSERT_TRUE(size.ok()) << size.status();
    }
    EXPECT_EQ(*size, bytes.size());
    EXPECT_EQ(frame.meta, "header");
    EXPECT_EQ(frame.payload, "the payload");
  }
}

TEST(FrameCodecTest, DecodesFramesFedOneByteAtATime) {
  std::string stream;
  for (int i = 0; i < 5; ++i) {
    stream += EncodeFrame(FrameType::kRequest, absl::StrCat("m", i),
                          std::string(i * 3, 'x'));
  }
  FrameCodec codec;
  Buffer buffer;
  int decoded = 0;
  for (char c : stream) {
    buffer.Append(&c, 1);
    FrameView frame;
    absl::StatusOr<size_t> size = codec.Decode(buffer.View(), &frame);
    ASSERT_TRUE(size.ok()) << size.status();
    if (*size == 0) continue;
    EXPECT_EQ(frame.meta, absl::StrCat("m", decoded));
    EXPECT_EQ(frame.payload, std::string(decoded * 3, 'x'));
    buffer.Retrieve(*size);
    ++decoded;
  }
  EXPECT_EQ(decoded, 5);
  EXPECT_EQ(buffer.ReadableBytes(), 0u);
}

TEST(FrameCodecTest, DecodesThousandFramesFromOneBuffer) {
  Buffer buffer;
  for (int i = 0; i < 1000; ++i) {
    FrameCodec::Encode(FrameType::kResponse, absl::StrCat("id=", i),
                       std::string(i % 37, static_cast<char>('a' + i % 26)),
                       &buffer);
  }
  FrameCodec codec;
  for (int i = 0; i < 1000; ++i) {
    FrameView frame;
    absl::StatusOr<size_t> size = codec.Decode(buffer.View(), &frame);
    ASSERT_TRUE(size.ok()) << size.status();
    ASSERT_GT(*size, 0u) << "frame " << i;
    EXPECT_EQ(frame.meta, absl::StrCat("id=", i));
    EXPECT_EQ(frame.payload,
              std::string(i % 37, static_cast<char>('a' + i % 26)));
    buffer.Retrieve(*size);
  }
  EXPECT_EQ(buffer.ReadableBytes(), 0u);
}

TEST(FrameCodecTest, RejectsFrameLargerThanLimitBeforeBody) {
  FrameCodec codec(/*max_frame_size=*/1024);
  // Only the header: the body is never needed to refuse it.
  const std::string header =
      RawHeader(kFrameMagic, 1, 1, /*meta=*/8, /*payload=*/2000);
  absl::Status status = DecodeError(codec, header);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(),
            "frame of 2024 bytes exceeds the limit of 1024 bytes");
}

TEST(FrameCodecTest, AcceptsFrameExactlyAtLimit) {
  FrameCodec codec(/*max_frame_size=*/100);
  const std::string bytes =
      EncodeFrame(FrameType::kRequest, "m", std::string(100 - 16 - 1, 'p'));
  FrameView frame;
  absl::StatusOr<size_t> size = codec.Decode(bytes, &frame);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(*size, 100u);
}

TEST(FrameCodecTest, ComputesFrameSizeWithoutWrapping) {
  FrameCodec codec;
  absl::Status status =
      DecodeError(codec, RawHeader(kFrameMagic, 1, 1, 0xffffffff, 0xffffffff));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status.message(),
            "frame of 8589934606 bytes exceeds the limit of 16777216 bytes");
}

TEST(FrameCodecTest, RejectsBadMagicNamingIt) {
  FrameCodec codec;
  absl::Status status = DecodeError(codec, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "bad magic 0x47455420 (not a framerpc peer?)");
}

TEST(FrameCodecTest, RejectsUnsupportedVersion) {
  FrameCodec codec;
  absl::Status status =
      DecodeError(codec, RawHeader(kFrameMagic, 2, 1, 1, 0) + "m");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unsupported protocol version 2");
}

TEST(FrameCodecTest, RejectsUnknownFrameTypes) {
  FrameCodec codec;
  for (int type : {0, 8, 255}) {
    absl::Status status =
        DecodeError(codec, RawHeader(kFrameMagic, 1, type, 0, 0));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), absl::StrCat("unknown frame type ", type));
  }
}

TEST(FrameCodecTest, RejectsCallFramesWithoutHeader) {
  FrameCodec codec;
  for (FrameType type :
       {FrameType::kRequest, FrameType::kResponse, FrameType::kCancel}) {
    absl::Status status = DecodeError(
        codec, RawHeader(kFrameMagic, 1, static_cast<uint8_t>(type), 0, 0));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(),
              absl::StrCat(FrameTypeName(type), " frame without a header"));
  }
}

TEST(FrameCodecTest, RejectsPingAndPongWithoutExactlyEightPayloadBytes) {
  FrameCodec codec;
  struct Case {
    FrameType type;
    uint32_t meta;
    uint32_t payload;
  };
  for (Case c : {Case{FrameType::kPing, 0, 7}, Case{FrameType::kPing, 0, 0},
                 Case{FrameType::kPing, 1, 8}, Case{FrameType::kPong, 0, 9}}) {
    absl::Status status = DecodeError(
        codec, RawHeader(kFrameMagic, 1, static_cast<uint8_t>(c.type), c.meta,
                         c.payload));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), absl::StrCat(FrameTypeName(c.type),
                                             " frame must carry 8 payload "
                                             "bytes"));
  }
}

TEST(FrameCodecTest, RejectsPayloadOnCancelGoAwayAndSettings) {
  FrameCodec codec;
  for (FrameType type :
       {FrameType::kCancel, FrameType::kGoAway, FrameType::kSettings}) {
    absl::Status status = DecodeError(
        codec, RawHeader(kFrameMagic, 1, static_cast<uint8_t>(type), 1, 1));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(),
              absl::StrCat(FrameTypeName(type), " frame with a payload"));
  }
}

TEST(FrameCodecTest, IgnoresReservedFlags) {
  std::string bytes = EncodeFrame(FrameType::kRequest, "m", "p");
  bytes[6] = '\x7f';
  bytes[7] = '\x01';
  FrameCodec codec;
  FrameView frame;
  absl::StatusOr<size_t> size = codec.Decode(bytes, &frame);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(frame.header.flags, 0x7f01);
}

TEST(FrameCodecTest, NamesEveryFrameType) {
  EXPECT_EQ(FrameTypeName(FrameType::kRequest), "REQUEST");
  EXPECT_EQ(FrameTypeName(FrameType::kResponse), "RESPONSE");
  EXPECT_EQ(FrameTypeName(FrameType::kCancel), "CANCEL");
  EXPECT_EQ(FrameTypeName(FrameType::kPing), "PING");
  EXPECT_EQ(FrameTypeName(FrameType::kPong), "PONG");
  EXPECT_EQ(FrameTypeName(FrameType::kGoAway), "GOAWAY");
  EXPECT_EQ(FrameTypeName(FrameType::kSettings), "SETTINGS");
  EXPECT_EQ(FrameTypeName(static_cast<FrameType>(42)), "UNKNOWN");
}

}  // namespace
}  // namespace framerpc::transport
