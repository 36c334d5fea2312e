// Copyright 2026 The framerpc Authors.

#include "transport/endpoint.h"

#include <arpa/inet.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace framerpc::transport {
namespace {

using ::testing::HasSubstr;

TEST(EndpointTest, ParsesIpv4) {
  absl::StatusOr<Endpoint> e = Endpoint::Parse("127.0.0.1:7000");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->family(), AF_INET);
  EXPECT_EQ(e->port(), 7000);
  EXPECT_EQ(e->ToString(), "127.0.0.1:7000");
  EXPECT_EQ(e->sockaddr_len(), sizeof(sockaddr_in));
}

TEST(EndpointTest, ParsesBracketedIpv6) {
  absl::StatusOr<Endpoint> e = Endpoint::Parse("[::1]:80");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->family(), AF_INET6);
  EXPECT_EQ(e->port(), 80);
  EXPECT_EQ(e->ToString(), "[::1]:80");
  EXPECT_EQ(e->sockaddr_len(), sizeof(sockaddr_in6));
}

TEST(EndpointTest, ParsesAnyAddressWithPortZero) {
  absl::StatusOr<Endpoint> e = Endpoint::Parse("0.0.0.0:0");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->port(), 0);
  EXPECT_EQ(e->ToString(), "0.0.0.0:0");
  EXPECT_EQ(Endpoint::Parse("1.2.3.4:65535")->port(), 65535);
}

TEST(EndpointTest, DefaultIsInvalid) {
  Endpoint e;
  EXPECT_FALSE(e.valid());
  EXPECT_EQ(e.family(), AF_UNSPEC);
  EXPECT_EQ(e.ToString(), "<unspecified>");
}

struct BadCase {
  std::string text;
  std::string problem;
};

TEST(EndpointTest, RejectsMalformedTextNamingTextAndProblem) {
  const std::vector<BadCase> cases = {
      {"1.2.3.4:65536", "port 65536 is above 65535"},
      {"1.2.3.4:999999", "is above 65535"},
      {"host", "missing port"},
      {"1.2.3.4", "missing port"},
      {"1.2.3.4:", "missing port"},
      {":80", "missing address"},
      {"1.2.3.4:x", "port \"x\" is not a number"},
      {"1.2.3.4:-1", "is not a number"},
      {"::1:80", "must be written in brackets"},
      {"[::1]80", "missing port"},
      {"[::1:80", "missing ']'"},
      {"[]:80", "missing address"},
      {"localhost:80", "\"localhost\" is not a numeric IPv4 address"},
      {"1.2.3:80", "not a numeric IPv4 address"},
      {"[1.2.3.4]:80", "not a numeric IPv6 address"},
      {"", "missing port"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<Endpoint> e = Endpoint::Parse(c.text);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(e.status().message(), HasSubstr("\"" + c.text + "\""));
    EXPECT_THAT(e.status().message(), HasSubstr(c.problem));
  }
}

TEST(EndpointTest, FromSockaddrRoundTrips) {
  Endpoint e = *Endpoint::Parse("[2001:db8::7]:443");
  Endpoint copy = Endpoint::FromSockaddr(e.sockaddr_ptr(), e.sockaddr_len());
  EXPECT_EQ(copy, e);
  EXPECT_EQ(copy.ToString(), "[2001:db8::7]:443");
  sockaddr unix_addr = {};
  unix_addr.sa_family = AF_UNIX;
  EXPECT_FALSE(Endpoint::FromSockaddr(&unix_addr, sizeof(unix_addr)).valid());
}

TEST(EndpointTest, EqualityComparesAddressAndPort) {
  EXPECT_EQ(*Endpoint::Parse("10.0.0.1:5"), *Endpoint::Parse("10.0.0.1:5"));
  EXPECT_NE(*Endpoint::Parse("10.0.0.1:5"), *Endpoint::Parse("10.0.0.1:6"));
  EXPECT_NE(*Endpoint::Parse("10.0.0.1:5"), *Endpoint::Parse("10.0.0.2:5"));
  EXPECT_NE(*Endpoint::Parse("[::1]:5"), *Endpoint::Parse("127.0.0.1:5"));
}

TEST(EndpointTest, HashIsConsistentWithEquality) {
  EXPECT_TRUE(absl::VerifyTypeImplementsAbslHashCorrectly({
      Endpoint(),
      *Endpoint::Parse("10.0.0.1:5"),
      *Endpoint::Parse("10.0.0.1:6"),
      *Endpoint::Parse("10.0.0.2:5"),
      *Endpoint::Parse("[::1]:5"),
      *Endpoint::Parse("[::2]:5"),
  }));
  absl::flat_hash_set<Endpoint> set = {*Endpoint::Parse("1.1.1.1:1"),
                                       *Endpoint::Parse("1.1.1.1:1")};
  EXPECT_EQ(set.size(), 1u);
}

TEST(EndpointTest, ResolveNumericAddressNeedsNoResolver) {
  absl::StatusOr<std::vector<Endpoint>> all = Endpoint::Resolve("127.0.0.1:9");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].ToString(), "127.0.0.1:9");
}

TEST(EndpointTest, ResolvesLocalhostToLoopbackWithoutDuplicates) {
  absl::StatusOr<std::vector<Endpoint>> all =
      Endpoint::Resolve("localhost:7000");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_FALSE(all->empty());
  absl::flat_hash_set<Endpoint> seen;
  for (const Endpoint& e : *all) {
    EXPECT_EQ(e.port(), 7000);
    EXPECT_TRUE(e.ToString() == "127.0.0.1:7000" ||
                e.ToString() == "[::1]:7000")
        << e.ToString();
    EXPECT_TRUE(seen.insert(e).second) << "duplicate " << e.ToString();
  }
}

TEST(EndpointTest, ResolveFailureIsUnavailableNamingHost) {
  // .invalid is reserved (RFC 2606): it never resolves.
  absl::StatusOr<std::vector<Endpoint>> all =
      Endpoint::Resolve("no-such-host.invalid:80");
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(all.status().message(), HasSubstr("no-such-host.invalid"));
}

TEST(EndpointTest, ResolveRejectsBadSyntaxBeforeResolving) {
  absl::StatusOr<std::vector<Endpoint>> all =
      Endpoint::Resolve("localhost:70000");
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(all.status().message(), HasSubstr("above 65535"));
}

}  // namespace
}  // namespace framerpc::transport
