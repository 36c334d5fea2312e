// Copyright 2026 The framerpc Authors.
//
// The raw baseline's framing and a few socket helpers shared by its server
// and client. A frame is a 4-byte big-endian length, then that many payload
// bytes: no header fields, no protobuf, no call ids (responses come back in
// order on each connection).

#ifndef FRAMERPC_BENCH_RAW_RAW_SOCKET_H_
#define FRAMERPC_BENCH_RAW_RAW_SOCKET_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace framerpc::bench::raw {

constexpr size_t kLengthSize = 4;
// Larger frames are a bug in the peer: the connection is closed.
constexpr uint32_t kMaxFrame = 64u << 20;

inline uint32_t ReadLength(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
         (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

inline void AppendFrame(const std::string& payload, std::string* out) {
  const auto n = static_cast<uint32_t>(payload.size());
  const char length[kLengthSize] = {
      static_cast<char>(n >> 24), static_cast<char>(n >> 16),
      static_cast<char>(n >> 8), static_cast<char>(n)};
  out->append(length, kLengthSize);
  out->append(payload);
}

// Sets O_NONBLOCK and TCP_NODELAY; exits on failure.
void MakeNonBlockingNoDelay(int fd);

// Connects to "host:port" (numeric IPv4), blocking; returns the fd with
// TCP_NODELAY set, or exits naming the error.
int ConnectTo(const std::string& address);

// Listens on 127.0.0.1:`port` (0: any); returns the fd and sets *bound.
int ListenOn(int port, int* bound);

}  // namespace framerpc::bench::raw

#endif  // FRAMERPC_BENCH_RAW_RAW_SOCKET_H_
