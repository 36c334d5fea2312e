// Copyright 2026 The framerpc Authors.

#include "transport/endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "transport/errno_status.h"

namespace framerpc::transport {
namespace {

// "host:port" split into its parts; `bracketed` when the host was written
// as "[...]" (IPv6).
struct HostPort {
  absl::string_view host;
  uint16_t port = 0;
  bool bracketed = false;
};

absl::Status BadEndpoint(absl::string_view text, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad endpoint \"", text, "\": ", problem));
}

absl::StatusOr<HostPort> SplitHostPort(absl::string_view text) {
  HostPort result;
  absl::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == absl::string_view::npos) {
      return BadEndpoint(text, "missing ']' after IPv6 address");
    }
    result.host = text.substr(1, close - 1);
    result.bracketed = true;
    absl::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      return BadEndpoint(text, "missing port (expected \"[address]:port\")");
    }
    port_text = rest.substr(1);
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) {
      return BadEndpoint(text, "missing port (expected \"address:port\")");
    }
    result.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (result.host.find(':') != absl::string_view::npos) {
      return BadEndpoint(text,
                         "an IPv6 address must be written in brackets, as "
                         "\"[::1]:7000\"");
    }
  }
  if (result.host.empty()) return BadEndpoint(text, "missing address");
  if (port_text.empty()) return BadEndpoint(text, "missing port");
  for (char c : port_text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return BadEndpoint(
          text, absl::StrCat("port \"", port_text, "\" is not a number"));
    }
  }
  uint32_t port = 0;
  if (port_text.size() > 5 || !absl::SimpleAtoi(port_text, &port) ||
      port > 65535) {
    return BadEndpoint(text,
                       absl::StrCat("port ", port_text, " is above 65535"));
  }
  result.port = static_cast<uint16_t>(port);
  return result;
}

// Fills `out` from a numeric address; false when `host` is not one.
bool ParseNumericHost(const HostPort& hp, sockaddr_storage* out) {
  std::string host(hp.host);
  std::memset(out, 0, sizeof(*out));
  if (!hp.bracketed) {
    auto* in = reinterpret_cast<sockaddr_in*>(out);
    if (::inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) {
      in->sin_family = AF_INET;
      in->sin_port = htons(hp.port);
      return true;
    }
    return false;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
  if (::inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(hp.port);
    return true;
  }
  return false;
}

}  // namespace

Endpoint::Endpoint() {
  std::memset(&addr_, 0, sizeof(addr_));
  addr_.ss_family = AF_UNSPEC;
}

absl::StatusOr<Endpoint> Endpoint::Parse(absl::string_view text) {
  FRAMERPC_ASSIGN_OR_RETURN(HostPort hp, SplitHostPort(text));
  Endpoint endpoint;
  if (!ParseNumericHost(hp, &endpoint.addr_)) {
    return BadEndpoint(
        text, absl::StrCat("\"", hp.host, "\" is not a numeric ",
                           hp.bracketed ? "IPv6" : "IPv4", " address"));
  }
  return endpoint;
}

absl::StatusOr<std::vector<Endpoint>> Endpoint::Resolve(
    absl::string_view text) {
  FRAMERPC_ASSIGN_OR_RETURN(HostPort hp, SplitHostPort(text));
  Endpoint numeric;
  if (ParseNumericHost(hp, &numeric.addr_)) return std::vector{numeric};

  addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  addrinfo* results = nullptr;
  std::string host(hp.host);
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &results);
  if (rc != 0) {
    std::string cause =
        rc == EAI_SYSTEM ? ErrnoText(errno) : std::string(::gai_strerror(rc));
    return absl::UnavailableError(
        absl::StrCat("resolve \"", hp.host, "\": ", cause));
  }
  std::vector<Endpoint> endpoints;
  for (addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) {
    Endpoint e = FromSockaddr(ai->ai_addr, ai->ai_addrlen);
    if (!e.valid()) continue;
    if (e.family() == AF_INET) {
      reinterpret_cast<sockaddr_in*>(&e.addr_)->sin_port = htons(hp.port);
    } else {
      reinterpret_cast<sockaddr_in6*>(&e.addr_)->sin6_port = htons(hp.port);
    }
    bool seen = false;
    for (const Endpoint& other : endpoints) seen = seen || other == e;
    if (!seen) endpoints.push_back(e);
  }
  ::freeaddrinfo(results);
  if (endpoints.empty()) {
    return absl::UnavailableError(absl::StrCat(
        "resolve \"", hp.host, "\": no IPv4 or IPv6 address found"));
  }
  return endpoints;
}

Endpoint Endpoint::FromSockaddr(const sockaddr* addr, socklen_t len) {
  Endpoint endpoint;
  if (addr == nullptr) return endpoint;
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    std::memcpy(&endpoint.addr_, addr, sizeof(sockaddr_in));
  } else if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    std::memcpy(&endpoint.addr_, addr, sizeof(sockaddr_in6));
  }
  return endpoint;
}

std::string Endpoint::ToString() const {
  char host[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr_);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    return absl::StrCat(host, ":", port());
  }
  if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr_);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    return absl::StrCat("[", host, "]:", port());
  }
  return "<unspecified>";
}

int Endpoint::port() const {
  if (family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr_)->sin_port);
  }
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr_)->sin6_port);
  }
  return 0;
}

socklen_t Endpoint::sockaddr_len() const {
  if (family() == AF_INET) return sizeof(sockaddr_in);
  if (family() == AF_INET6) return sizeof(sockaddr_in6);
  return 0;
}

absl::string_view Endpoint::AddressBytes() const {
  if (family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr_);
    return absl::string_view(reinterpret_cast<const char*>(&in->sin_addr),
                             sizeof(in->sin_addr));
  }
  if (family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr_);
    return absl::string_view(reinterpret_cast<const char*>(&in6->sin6_addr),
                             sizeof(in6->sin6_addr));
  }
  return absl::string_view();
}

bool operator==(const Endpoint& a, const Endpoint& b) {
  if (a.family() != b.family() || a.port() != b.port()) return false;
  if (a.family() == AF_INET6 &&
      reinterpret_cast<const sockaddr_in6*>(&a.addr_)->sin6_scope_id !=
          reinterpret_cast<const sockaddr_in6*>(&b.addr_)->sin6_scope_id) {
    return false;
  }
  return a.AddressBytes() == b.AddressBytes();
}

}  // namespace framerpc::transport
