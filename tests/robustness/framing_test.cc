// Copyright 2026 The framerpc Authors.
//
// Malformed input at the framing level: bytes that are not framerpc frames,
// fixed headers that break docs/protocol.md section 4, frames cut short or
// trickled in. Each case runs against a real server process while a
// well-behaved client keeps calling it (see robustness_fixture.h).

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framerpc/testing.pb.h"
#include "framerpc/wire.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/robustness/robustness_fixture.h"
#include "tests/rpc/raw_client.h"
#include "transport/frame.h"

namespace framerpc::testing {
namespace {

using transport::FrameType;

constexpr auto kProtocolError = wire::GoAway::PROTOCOL_ERROR;
constexpr auto kResourceExhausted = wire::GoAway::RESOURCE_EXHAUSTED;

uint8_t TypeByte(FrameType type) { return static_cast<uint8_t>(type); }

std::string Ping(absl::string_view payload) {
  return FrameBytes(FrameType::kPing, "", payload);
}

class FramingTest : public RobustnessTest {};

TEST_F(FramingTest, GarbageBytesAreRefusedOnceWithBadMagic) {
  std::unique_ptr<RawClient> client = Connect();
  std::mt19937 random(7);
  std::string garbage(64 * 1024, '\0');
  for (char& byte : garbage) byte = static_cast<char>(random());
  garbage.replace(0, 4, "\xde\xad\xbe\xef");
  // In 1 KiB writes: the server reads it in many pieces, and must still
  // report it once.
  for (size_t i = 0; i < garbage.size(); i += 1024) {
    if (!client->Send(garbage.substr(i, 1024)).ok()) break;  // closed
  }
  ExpectGoAwayAndClose(*client, "", kProtocolError,
                       "bad magic 0xdeadbeef (not a framerpc peer?)");
}

TEST_F(FramingTest, HttpRequestIsRefusedWithBadMagic) {
  ExpectGoAwayAndClose(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\n"
      "Accept: */*\r\n\r\n",
      kProtocolError, "bad magic 0x47455420 (not a framerpc peer?)");
}

TEST_F(FramingTest, TlsClientHelloIsRefusedWithBadMagic) {
  // A TLS 1.2 ClientHello: record header (handshake, TLS 1.0 record
  // version, length), handshake header, client version, random, no session,
  // one cipher suite, null compression.
  std::string hello =
      absl::StrCat(std::string("\x03\x03", 2), std::string(32, '\x5a'),
                   std::string("\x00\x00\x02\xc0\x2f\x01\x00", 7));
  std::string handshake =
      absl::StrCat(std::string("\x01\x00\x00", 3),
                   std::string(1, static_cast<char>(hello.size())), hello);
  std::string record = absl::StrCat(
      std::string("\x16\x03\x01\x00", 4),
      std::string(1, static_cast<char>(handshake.size())), handshake);
  ASSERT_GE(record.size(), 16u);
  ExpectGoAwayAndClose(record, kProtocolError,
                       "bad magic 0x16030100 (not a framerpc peer?)");
}

TEST_F(FramingTest, WrongMagicIsRefused) {
  ExpectGoAwayAndClose(FrameHeaderBytes(TypeByte(FrameType::kPing), 0, 8, 1,
                                        0x46525058 /* "FRPX" */) +
                           "12345678",
                       kProtocolError, "bad magic 0x46525058");
}

TEST_F(FramingTest, UnknownVersionIsRefused) {
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kPing), 0, 8, /*version=*/2) +
          "12345678",
      kProtocolError, "unsupported protocol version 2");
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kPing), 0, 8, /*version=*/0) +
          "12345678",
      kProtocolError, "unsupported protocol version 0");
}

TEST_F(FramingTest, UnknownFrameTypeIsRefused) {
  ExpectGoAwayAndClose(FrameHeaderBytes(8, 0, 0), kProtocolError,
                       "unknown frame type 8");
  ExpectGoAwayAndClose(FrameHeaderBytes(255, 3, 0) + "abc", kProtocolError,
                       "unknown frame type 255");
}

TEST_F(FramingTest, FrameTypeZeroIsRefused) {
  ExpectGoAwayAndClose(FrameHeaderBytes(0, 0, 0), kProtocolError,
                       "unknown frame type 0");
}

TEST_F(FramingTest, DeclaredLengthZeroOnAFrameThatNeedsAHeaderIsRefused) {
  ExpectGoAwayAndClose(FrameHeaderBytes(TypeByte(FrameType::kRequest), 0, 0),
                       kProtocolError, "REQUEST frame without a header");
  ExpectGoAwayAndClose(FrameHeaderBytes(TypeByte(FrameType::kCancel), 0, 0),
                       kProtocolError, "CANCEL frame without a header");
  ExpectGoAwayAndClose(FrameHeaderBytes(TypeByte(FrameType::kResponse), 0, 0),
                       kProtocolError, "RESPONSE frame without a header");
}

TEST_F(FramingTest, EmptySettingsAndGoAwayFramesAreAccepted) {
  // Both may be empty (protocol.md section 3); neither ends the
  // connection, and a call after them is served.
  std::unique_ptr<RawClient> client = Connect();
  ASSERT_TRUE(
      client
          ->Send(FrameHeaderBytes(TypeByte(FrameType::kSettings), 0, 0) +
                 FrameHeaderBytes(TypeByte(FrameType::kGoAway), 0, 0) +
                 RequestBytes(1, kEchoService, "Echo", ""))
          .ok());
  absl::StatusOr<wire::ResponseHeader> response =
      client->ReadResponse(absl::Seconds(5));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->call_id(), 1u);
  EXPECT_EQ(response->status_code(), 0u) << response->status_message();
}

TEST_F(FramingTest, PingWithAWrongLengthIsRefused) {
  ExpectGoAwayAndClose(FrameHeaderBytes(TypeByte(FrameType::kPing), 0, 0),
                       kProtocolError, "PING frame must carry 8 payload bytes");
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kPing), 0, 4) + "1234",
      kProtocolError, "PING frame must carry 8 payload bytes");
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kPong), 1, 8) + "x12345678",
      kProtocolError, "PONG frame must carry 8 payload bytes");
}

TEST_F(FramingTest, CancelGoAwayOrSettingsWithAPayloadIsRefused) {
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kCancel), 2, 1) + "\x08\x01x",
      kProtocolError, "CANCEL frame with a payload");
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kSettings), 0, 1) + "x",
      kProtocolError, "SETTINGS frame with a payload");
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kGoAway), 0, 1) + "x",
      kProtocolError, "GOAWAY frame with a payload");
}

TEST_F(FramingTest, FrameOneByteOverTheLimitIsRefusedBeforeItsBody) {
  // Only the header is sent: the refusal cannot wait for the body.
  const uint32_t meta = 100;
  const uint32_t payload = static_cast<uint32_t>(
      kMaxFrameSize - transport::kFrameHeaderSize - meta + 1);
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kRequest), meta, payload),
      kResourceExhausted,
      absl::StrCat("frame of ", kMaxFrameSize + 1,
                   " bytes exceeds the limit of ", kMaxFrameSize, " bytes"));
}

TEST_F(FramingTest, FrameOfExactlyTheLimitIsServed) {
  wire::RequestHeader header;
  header.set_call_id(1);
  header.set_service(kTestService);
  header.set_method("Echo");
  const size_t meta = header.ByteSizeLong();
  // TestRequest.payload: 1 tag byte, a 4-byte length (2 MiB..256 MiB), data.
  const size_t data = kMaxFrameSize - transport::kFrameHeaderSize - meta - 5;
  TestRequest request;
  request.set_payload(std::string(data, 'p'));
  const std::string frame = RequestBytes(header, request.SerializeAsString());
  ASSERT_EQ(frame.size(), kMaxFrameSize);
  std::unique_ptr<RawClient> client = Connect();
  ASSERT_TRUE(client->Send(frame).ok());
  std::string payload;
  absl::StatusOr<wire::ResponseHeader> response =
      client->ReadResponse(absl::Seconds(10), &payload);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code(), 0u) << response->status_message();
  TestResponse reply;
  ASSERT_TRUE(reply.ParseFromString(payload));
  EXPECT_EQ(reply.payload().size(), data);
}

TEST_F(FramingTest, DeclaredLengthOfFourGiBIsRefusedBeforeItsBody) {
  // The sizes are added in 64 bits: neither wraps around to a small frame.
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kRequest), 0xffffffff, 1),
      kResourceExhausted,
      absl::StrCat("frame of 4294967312 bytes exceeds the limit of ",
                   kMaxFrameSize, " bytes"));
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kRequest), 0xffffffff, 0xffffffff),
      kResourceExhausted,
      absl::StrCat("frame of 8589934606 bytes exceeds the limit of ",
                   kMaxFrameSize, " bytes"));
}

TEST_F(FramingTest, PayloadOverTheLimitOnAValidHeaderIsRefusedBeforeItsBody) {
  wire::RequestHeader header;
  header.set_call_id(1);
  header.set_service(kEchoService);
  header.set_method("Echo");
  const std::string meta = header.SerializeAsString();
  const uint32_t payload = 8 << 20;
  // The header and the meta, not one byte of the 8 MiB payload.
  ExpectGoAwayAndClose(
      FrameHeaderBytes(TypeByte(FrameType::kRequest),
                       static_cast<uint32_t>(meta.size()), payload) +
          meta,
      kResourceExhausted,
      absl::StrCat("frame of ",
                   transport::kFrameHeaderSize + meta.size() + payload,
                   " bytes exceeds the limit of ", kMaxFrameSize, " bytes"));
}

// Slowloris: the frame_read_timeout (500 ms here) closes a connection whose
// frame stays incomplete, found by the sweep within one tick.
void ExpectClosedForAnIncompleteFrame(RawClient& client,
                                      absl::string_view partial) {
  const absl::Time start = absl::Now();
  ASSERT_TRUE(client.Send(partial).ok());
  absl::StatusOr<wire::GoAway> goaway =
      client.ReadGoAwayAndClose(kFrameReadTimeout + kSweepTick + kSlack);
  ASSERT_TRUE(goaway.ok()) << goaway.status();
  const absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, kFrameReadTimeout - absl::Milliseconds(10));
  EXPECT_LT(took, kFrameReadTimeout + kSweepTick + kSlack);
  EXPECT_EQ(goaway->code(), kProtocolError);
  EXPECT_EQ(goaway->reason(),
            "frame not completed within 500ms "
            "(ServerOptions.frame_read_timeout)");
}

TEST_F(FramingTest, TruncatedHeaderThenSilenceIsClosedAfterTheReadTimeout) {
  std::unique_ptr<RawClient> client = Connect();
  ExpectLogged(
      {absl::StrCat("closing connection from ", client->local_address(), ": "),
       "frame not completed within 500ms"});
  ExpectClosedForAnIncompleteFrame(*client, std::string("FRPC\x01\x01\x00", 7));
}

TEST_F(FramingTest, TruncatedBodyThenSilenceIsClosedAfterTheReadTimeout) {
  std::unique_ptr<RawClient> client = Connect();
  ExpectLogged(
      {absl::StrCat("closing connection from ", client->local_address(), ": "),
       "frame not completed within 500ms"});
  const std::string frame = RequestBytes(1, kEchoService, "Echo", "");
  ExpectClosedForAnIncompleteFrame(*client, frame.substr(0, frame.size() - 5));
}

TEST_F(FramingTest, TruncatedBodyThenCloseIsDroppedWithoutALogLine) {
  // A peer that hangs up mid-frame is an ordinary disconnect: the server
  // closes its side at once, runs nothing, logs nothing.
  const ServerStats before = Stats();
  {
    std::unique_ptr<RawClient> client = Connect();
    const std::string frame = RequestBytes(1, kEchoService, "Echo", "abc");
    ASSERT_TRUE(client->Send(frame.substr(0, frame.size() - 2)).ok());
    ASSERT_EQ(Stats().connections, before.connections + 1);
  }
  const absl::Time deadline = absl::Now() + kCloseBound;
  while (Stats().connections != before.connections && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(Stats().connections, before.connections);
}

TEST_F(FramingTest, ResetInTheMiddleOfAFrameIsDroppedWithoutALogLine) {
  const ServerStats before = Stats();
  std::unique_ptr<RawClient> client = Connect();
  const std::string frame = RequestBytes(1, kEchoService, "Echo", "abc");
  ASSERT_TRUE(client->Send(frame.substr(0, 20)).ok());
  ASSERT_EQ(Stats().connections, before.connections + 1);
  client->Reset();  // RST, not FIN
  const absl::Time deadline = absl::Now() + kCloseBound;
  while (Stats().connections != before.connections && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(Stats().connections, before.connections);
}

TEST_F(FramingTest, FramesSplitIntoOneByteWritesAreServed) {
  std::unique_ptr<RawClient> client = Connect();
  TestRequest request;
  request.set_payload("byte by byte");
  const std::string bytes =
      RequestBytes(1, kEchoService, "Echo", "\x0a\x03one") + Ping("pingpong") +
      RequestBytes(2, kTestService, "Echo", request.SerializeAsString());
  // 1 ms apart, so that the server reads them one by one.
  ASSERT_TRUE(client->SendByteByByte(bytes, absl::Milliseconds(1)).ok());
  bool pong = false;
  int responses = 0;
  while (!pong || responses < 2) {
    absl::StatusOr<RawFrame> frame = client->ReadFrame(absl::Seconds(5));
    ASSERT_TRUE(frame.ok()) << frame.status();
    if (frame->type == FrameType::kPong) {
      EXPECT_EQ(frame->payload, "pingpong");
      pong = true;
    } else if (frame->type == FrameType::kResponse) {
      wire::ResponseHeader header;
      ASSERT_TRUE(header.ParseFromString(frame->meta));
      EXPECT_EQ(header.status_code(), 0u) << header.status_message();
      if (header.call_id() == 1) {
        EXPECT_EQ(frame->payload, "\x0a\x03one");
      } else {
        EXPECT_EQ(header.call_id(), 2u);
        TestResponse reply;
        ASSERT_TRUE(reply.ParseFromString(frame->payload));
        EXPECT_EQ(reply.payload(), "byte by byte");
      }
      ++responses;
    }
  }
}

TEST_F(FramingTest, NonzeroFlagsAreIgnored) {
  std::unique_ptr<RawClient> client = Connect();
  wire::RequestHeader header;
  header.set_call_id(1);
  header.set_service(kEchoService);
  header.set_method("Echo");
  const std::string meta = header.SerializeAsString();
  ASSERT_TRUE(client
                  ->Send(FrameHeaderBytes(TypeByte(FrameType::kRequest),
                                          static_cast<uint32_t>(meta.size()), 0,
                                          1, 0x46525043, 0xffff) +
                         meta)
                  .ok());
  absl::StatusOr<wire::ResponseHeader> response =
      client->ReadResponse(absl::Seconds(5));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status_code(), 0u) << response->status_message();
}

TEST_F(FramingTest, GarbageAfterAValidRequestDropsTheCallInFlight) {
  // The request is received (last_call_id 1) but the connection fails before
  // it is answered: the close is what its client sees.
  TestRequest sleeper;
  sleeper.set_sleep_ms(300);
  ExpectGoAwayAndClose(
      RequestBytes(1, kTestService, "Echo", sleeper.SerializeAsString()) +
          "GARBAGE, GARBAGE, GARBAGE",
      kProtocolError, "bad magic 0x47415242", /*last_call_id=*/1);
}

}  // namespace
}  // namespace framerpc::testing
