// Copyright 2026 The framerpc Authors.
//
// Malformed input at the call level: well-formed frames whose contents are
// wrong (headers that are not protobuf, calls naming nothing, reused or
// unknown call ids, frames sent the wrong way, hostile metadata and
// nesting). Each case runs against a real server process while a
// well-behaved client keeps calling it (see robustness_fixture.h).

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

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

uint32_t Code(absl::StatusCode code) { return static_cast<uint32_t>(code); }

wire::RequestHeader Header(uint64_t id, absl::string_view service,
                           absl::string_view method) {
  wire::RequestHeader header;
  header.set_call_id(id);
  header.set_service(std::string(service));
  header.set_method(std::string(method));
  return header;
}

std::string Sleeper(uint32_t ms) {
  TestRequest request;
  request.set_sleep_ms(ms);
  return request.SerializeAsString();
}

class CallsTest : public RobustnessTest {
 protected:
  // Sends `bytes` and returns the next RESPONSE's header.
  wire::ResponseHeader Call(RawClient& client, absl::string_view bytes,
                            std::string* payload = nullptr) {
    EXPECT_TRUE(client.Send(bytes).ok());
    absl::StatusOr<wire::ResponseHeader> response =
        client.ReadResponse(absl::Seconds(10), payload);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : wire::ResponseHeader();
  }

  // A call that must succeed on `client`: the connection is still served.
  void ExpectConnectionServes(RawClient& client, uint64_t id) {
    std::string payload;
    wire::ResponseHeader response = Call(
        client, RequestBytes(id, kEchoService, "Echo", "\x0a\x02ok"), &payload);
    EXPECT_EQ(response.call_id(), id);
    EXPECT_EQ(response.status_code(), 0u) << response.status_message();
    EXPECT_EQ(payload, "\x0a\x02ok");
  }
};

TEST_F(CallsTest, RequestHeaderThatIsNotProtobufIsRefused) {
  ExpectGoAwayAndClose(FrameBytes(FrameType::kRequest, "\xff\xff\xff\xff", ""),
                       kProtocolError,
                       "REQUEST frame header (4 bytes) is not a valid "
                       "framerpc.wire.RequestHeader");
}

TEST_F(CallsTest, RequestHeaderWithInvalidUtf8IsRefused) {
  // proto3 strings must be UTF-8: the header does not parse, so the server
  // never echoes those bytes into a status message. protobuf itself logs
  // one line about it too.
  ExpectLogged({"[libprotobuf ERROR",
                "'framerpc.wire.RequestHeader.service' contains invalid UTF-8 "
                "data when parsing"});
  ExpectGoAwayAndClose(RequestBytes(Header(1, "\xff\xfe\xfd", "Echo"), ""),
                       kProtocolError,
                       "is not a valid framerpc.wire.RequestHeader");
}

TEST_F(CallsTest, PayloadThatIsNotProtobufIsInvalidArgument) {
  std::unique_ptr<RawClient> client = Connect();
  wire::ResponseHeader response = Call(
      *client, RequestBytes(1, kEchoService, "Echo", "\xff\xff\xff\xff\xff"));
  EXPECT_EQ(response.call_id(), 1u);
  EXPECT_EQ(response.status_code(), Code(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(response.status_message(),
            "could not parse the request of framerpc.echo.v1.Echo/Echo as "
            "framerpc.echo.v1.EchoRequest (5 bytes)");
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, RequestNamingNoServiceOrMethodIsUnimplemented) {
  std::unique_ptr<RawClient> client = Connect();
  wire::RequestHeader no_names;
  no_names.set_call_id(1);
  wire::ResponseHeader response = Call(*client, RequestBytes(no_names, ""));
  EXPECT_EQ(response.status_code(), Code(absl::StatusCode::kUnimplemented));
  EXPECT_EQ(response.status_message(), "unknown service ''");
  response = Call(*client, RequestBytes(2, kEchoService, "", ""));
  EXPECT_EQ(response.call_id(), 2u);
  EXPECT_EQ(response.status_code(), Code(absl::StatusCode::kUnimplemented));
  EXPECT_EQ(response.status_message(),
            "service 'framerpc.echo.v1.Echo' has no method ''");
  ExpectConnectionServes(*client, 3);
}

TEST_F(CallsTest, UnknownServiceIsUnimplemented) {
  std::unique_ptr<RawClient> client = Connect();
  wire::ResponseHeader response =
      Call(*client, RequestBytes(1, "no.such.Service", "Echo", ""));
  EXPECT_EQ(response.status_code(), Code(absl::StatusCode::kUnimplemented));
  EXPECT_EQ(response.status_message(), "unknown service 'no.such.Service'");
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, UnknownMethodIsUnimplemented) {
  std::unique_ptr<RawClient> client = Connect();
  wire::ResponseHeader response =
      Call(*client, RequestBytes(1, kEchoService, "Foo", ""));
  EXPECT_EQ(response.status_code(), Code(absl::StatusCode::kUnimplemented));
  EXPECT_EQ(response.status_message(),
            "service 'framerpc.echo.v1.Echo' has no method 'Foo'");
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, CallIdZeroIsRefused) {
  ExpectGoAwayAndClose(RequestBytes(0, kEchoService, "Echo", ""),
                       kProtocolError, "REQUEST with call id 0");
}

TEST_F(CallsTest, CallIdReusedWhileInFlightIsRefused) {
  // The first call 5 is still sleeping when the second arrives; neither is
  // answered: the connection is closed.
  ExpectGoAwayAndClose(RequestBytes(5, kTestService, "Echo", Sleeper(300)) +
                           RequestBytes(5, kEchoService, "Echo", ""),
                       kProtocolError,
                       "call id 5 reused while that call is in flight",
                       /*last_call_id=*/5);
}

TEST_F(CallsTest, CallIdReusedAfterItsAnswerIsServed) {
  std::unique_ptr<RawClient> client = Connect();
  ExpectConnectionServes(*client, 5);
  ExpectConnectionServes(*client, 5);
}

TEST_F(CallsTest, ResponseSentToTheServerIsRefused) {
  wire::ResponseHeader header;
  header.set_call_id(1);
  ExpectGoAwayAndClose(
      FrameBytes(FrameType::kResponse, header.SerializeAsString(), ""),
      kProtocolError,
      "RESPONSE frame sent to a server (only clients receive responses)");
}

TEST_F(CallsTest, CancelForAnUnknownCallIsIgnored) {
  std::unique_ptr<RawClient> client = Connect();
  wire::Cancel cancel;
  cancel.set_call_id(42);
  ASSERT_TRUE(
      client
          ->Send(FrameBytes(FrameType::kCancel, cancel.SerializeAsString(), ""))
          .ok());
  ExpectConnectionServes(*client, 1);
}

TEST_F(CallsTest, CancelOfACallInFlightSuppressesItsAnswer) {
  std::unique_ptr<RawClient> client = Connect();
  wire::Cancel cancel;
  cancel.set_call_id(1);
  ASSERT_TRUE(
      client
          ->Send(RequestBytes(1, kTestService, "Echo", Sleeper(200)) +
                 FrameBytes(FrameType::kCancel, cancel.SerializeAsString(), ""))
          .ok());
  ExpectConnectionServes(*client, 2);
  // Well past the handler's 200 ms: no answer comes for call 1.
  absl::StatusOr<RawFrame> frame = client->ReadFrame(absl::Milliseconds(600));
  EXPECT_TRUE(absl::IsDeadlineExceeded(frame.status()))
      << "a " << (frame.ok() ? transport::FrameTypeName(frame->type) : "")
      << " frame came after the CANCEL";
}

TEST_F(CallsTest, CancelHeaderThatIsNotProtobufIsRefused) {
  ExpectGoAwayAndClose(
      FrameBytes(FrameType::kCancel, "\xff", ""), kProtocolError,
      "CANCEL frame header (1 bytes) is not a valid framerpc.wire.Cancel");
}

TEST_F(CallsTest, HugeTimeoutIsServed) {
  std::unique_ptr<RawClient> client = Connect();
  wire::RequestHeader header = Header(1, kEchoService, "Echo");
  header.set_timeout_us(std::numeric_limits<uint64_t>::max());
  wire::ResponseHeader response = Call(*client, RequestBytes(header, ""));
  EXPECT_EQ(response.status_code(), 0u) << response.status_message();
}

// Groups nested `depth` deep (start-group tags, then as many end-group
// tags) in field `field`: valid protobuf, far beyond the parser's recursion
// limit of 100.
std::string NestedGroups(int field, int depth) {
  const char start = static_cast<char>((field << 3) | 3);
  const char end = static_cast<char>((field << 3) | 4);
  return std::string(depth, start) + std::string(depth, end);
}

TEST_F(CallsTest, DeeplyNestedPayloadIsInvalidArgument) {
  std::unique_ptr<RawClient> client = Connect();
  const std::string payload = NestedGroups(2, 100000);
  wire::ResponseHeader response =
      Call(*client, RequestBytes(1, kEchoService, "Echo", payload));
  EXPECT_EQ(response.status_code(), Code(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(response.status_message(),
            absl::StrCat("could not parse the request of "
                         "framerpc.echo.v1.Echo/Echo as "
                         "framerpc.echo.v1.EchoRequest (",
                         payload.size(), " bytes)"));
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, DeeplyNestedRequestHeaderIsRefused) {
  const std::string meta = "\x08\x01" + NestedGroups(15, 100000);
  ExpectGoAwayAndClose(FrameBytes(FrameType::kRequest, meta, ""),
                       kProtocolError,
                       absl::StrCat("REQUEST frame header (", meta.size(),
                                    " bytes) is not a valid "
                                    "framerpc.wire.RequestHeader"));
}

// The metadata limit counts keys plus values.
size_t MetadataBytes(const wire::RequestHeader& header) {
  size_t bytes = 0;
  for (const auto& [key, value] : header.metadata()) {
    bytes += key.size() + value.size();
  }
  return bytes;
}

void ExpectMetadataRefused(const wire::RequestHeader& header,
                           const wire::ResponseHeader& response) {
  EXPECT_EQ(response.call_id(), header.call_id());
  EXPECT_EQ(response.status_code(), Code(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(response.status_message(),
            absl::StrCat("request metadata of ", MetadataBytes(header),
                         " bytes exceeds the limit of ", kMaxMetadataSize,
                         " bytes (ServerOptions.max_metadata_size)"));
}

TEST_F(CallsTest, TenThousandMetadataEntriesAreResourceExhausted) {
  std::unique_ptr<RawClient> client = Connect();
  wire::RequestHeader header = Header(1, kEchoService, "Echo");
  for (int i = 0; i < 10000; ++i) {
    (*header.mutable_metadata())[absl::StrCat("key-", i)] = "value";
  }
  ASSERT_GT(MetadataBytes(header), kMaxMetadataSize);
  ExpectMetadataRefused(header, Call(*client, RequestBytes(header, "")));
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, TenThousandSmallMetadataEntriesWithinTheLimitAreServed) {
  std::unique_ptr<RawClient> client = Connect();
  wire::RequestHeader header = Header(1, kTestService, "Echo");
  for (int i = 0; i < 10000; ++i) {
    (*header.mutable_metadata())[absl::StrCat(i)] = "v";
  }
  ASSERT_LE(MetadataBytes(header), kMaxMetadataSize);
  TestRequest request;
  request.set_echo_metadata(true);
  wire::ResponseHeader response =
      Call(*client, RequestBytes(header, request.SerializeAsString()));
  EXPECT_EQ(response.status_code(), 0u) << response.status_message();
  EXPECT_EQ(response.metadata_size(), 10000);
}

TEST_F(CallsTest, OneMiBMetadataValueIsResourceExhausted) {
  std::unique_ptr<RawClient> client = Connect();
  wire::RequestHeader header = Header(1, kEchoService, "Echo");
  (*header.mutable_metadata())["big"] = std::string(1 << 20, 'v');
  ExpectMetadataRefused(header, Call(*client, RequestBytes(header, "")));
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, OversizedMetadataKeyIsResourceExhausted) {
  std::unique_ptr<RawClient> client = Connect();
  wire::RequestHeader header = Header(1, kEchoService, "Echo");
  (*header.mutable_metadata())[std::string(100 * 1024, 'k')] = "";
  ExpectMetadataRefused(header, Call(*client, RequestBytes(header, "")));
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, ClientSettingsBelowTheFloorsAreRaisedToThem) {
  // A client may make the server's heartbeats stricter, but not below
  // 50 ms / 200 ms: this one asks for 1 us, then stays silent. The server
  // PINGs it, and declares it dead after 200 ms (and not sooner), with no
  // GOAWAY and no log line: a dead peer is not an error.
  std::unique_ptr<RawClient> client = Connect();
  wire::Settings settings;
  settings.set_keepalive_interval_us(1);
  settings.set_keepalive_timeout_us(1);
  ASSERT_TRUE(client
                  ->Send(FrameBytes(FrameType::kSettings,
                                    settings.SerializeAsString(), ""))
                  .ok());
  const absl::Time sent = absl::Now();
  std::vector<RawFrame> frames;
  ASSERT_TRUE(client->WaitForClose(absl::Milliseconds(200) + kSlack, &frames));
  const absl::Duration silent = absl::Now() - sent;
  EXPECT_GE(silent, absl::Milliseconds(190));
  ASSERT_FALSE(frames.empty());
  for (const RawFrame& frame : frames) {
    EXPECT_EQ(frame.type, FrameType::kPing);
  }
}

TEST_F(CallsTest, SettingsThatAreNotProtobufAreRefused) {
  ExpectGoAwayAndClose(
      FrameBytes(FrameType::kSettings, "\xff\xff", ""), kProtocolError,
      "SETTINGS frame header (2 bytes) is not a valid framerpc.wire.Settings");
}

TEST_F(CallsTest, GoAwayFromAClientLetsItsCallsFinish) {
  // The server takes a client's GOAWAY as "no more calls from me": it
  // neither closes nor drops the call in flight.
  std::unique_ptr<RawClient> client = Connect();
  wire::GoAway goaway;
  goaway.set_code(wire::GoAway::NO_ERROR);
  goaway.set_reason("client going away");
  wire::ResponseHeader response =
      Call(*client,
           RequestBytes(1, kTestService, "Echo", Sleeper(200)) +
               FrameBytes(FrameType::kGoAway, goaway.SerializeAsString(), ""));
  EXPECT_EQ(response.call_id(), 1u);
  EXPECT_EQ(response.status_code(), 0u) << response.status_message();
  ExpectConnectionServes(*client, 2);
}

TEST_F(CallsTest, HalfCloseEndsTheConnectionAndItsCallsInFlight) {
  // End of file from a client closes the connection at once (no CLOSE_WAIT
  // left behind); its calls in flight are cancelled, not answered.
  std::unique_ptr<RawClient> client = Connect();
  ASSERT_TRUE(
      client->Send(RequestBytes(1, kTestService, "Echo", Sleeper(300))).ok());
  client->ShutdownWrite();
  std::vector<RawFrame> frames;
  EXPECT_TRUE(client->WaitForClose(kCloseBound, &frames));
  for (const RawFrame& frame : frames) {
    EXPECT_NE(frame.type, FrameType::kResponse);
  }
}

}  // namespace
}  // namespace framerpc::testing
