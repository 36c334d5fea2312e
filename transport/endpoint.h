// Copyright 2026 The framerpc Authors.
//
// Endpoint: an IPv4 or IPv6 address and a TCP port, as a value type.
//
//   FRAMERPC_ASSIGN_OR_RETURN(Endpoint ep, Endpoint::Parse("127.0.0.1:7000"));
//   FRAMERPC_ASSIGN_OR_RETURN(std::vector<Endpoint> all,
//                             Endpoint::Resolve("localhost:7000"));
//   ep.ToString();  // "127.0.0.1:7000"; IPv6 prints as "[::1]:7000"
//
// Thread safety: a const Endpoint may be read from any number of threads; it
// is an ordinary copyable value with no shared state.
// Ownership: holds its sockaddr by value; sockaddr_ptr() points into it.
// Lifetime: sockaddr_ptr() is valid while the Endpoint lives and is not
// assigned to.

#ifndef FRAMERPC_TRANSPORT_ENDPOINT_H_
#define FRAMERPC_TRANSPORT_ENDPOINT_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace framerpc::transport {

class Endpoint {
 public:
  // An invalid (unspecified) endpoint: family() is AF_UNSPEC.
  Endpoint();

  // Parses "127.0.0.1:7000", "[::1]:7000" or "0.0.0.0:0". The address must be
  // numeric and an IPv6 address must be in brackets. Returns INVALID_ARGUMENT
  // naming `text` and the problem (missing port, port not a number or above
  // 65535, bad address, IPv6 address without brackets, ...).
  static absl::StatusOr<Endpoint> Parse(absl::string_view text);

  // Like Parse, but the host may also be a DNS name ("localhost:7000"), which
  // is resolved with getaddrinfo (blocking). Returns every address, without
  // duplicates, in the resolver's order. INVALID_ARGUMENT for bad syntax or a
  // bad port; UNAVAILABLE naming the host and gai_strerror when resolution
  // fails.
  static absl::StatusOr<std::vector<Endpoint>> Resolve(absl::string_view text);

  // Copies an AF_INET or AF_INET6 address; anything else gives an invalid
  // Endpoint.
  static Endpoint FromSockaddr(const sockaddr* addr, socklen_t len);

  // "127.0.0.1:7000", "[::1]:7000"; "<unspecified>" for an invalid Endpoint.
  std::string ToString() const;

  bool valid() const { return family() != AF_UNSPEC; }
  int port() const;
  // AF_INET, AF_INET6 or AF_UNSPEC.
  int family() const { return addr_.ss_family; }
  const sockaddr* sockaddr_ptr() const {
    return reinterpret_cast<const sockaddr*>(&addr_);
  }
  socklen_t sockaddr_len() const;

  friend bool operator==(const Endpoint& a, const Endpoint& b);
  friend bool operator!=(const Endpoint& a, const Endpoint& b) {
    return !(a == b);
  }

  template <typename H>
  friend H AbslHashValue(H h, const Endpoint& e) {
    return H::combine(std::move(h), e.family(), e.port(), e.AddressBytes());
  }

 private:
  // The raw address bytes (4 or 16), for equality and hashing.
  absl::string_view AddressBytes() const;

  sockaddr_storage addr_;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_ENDPOINT_H_
