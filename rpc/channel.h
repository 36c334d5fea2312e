// Copyright 2026 The framerpc Authors.
//
// Channel: a client's connection to one server address, over which many
// calls run at once (multiplexed by call id, answered in any order).
// Generated stubs take a Channel; most users never call its methods directly.
//
//   absl::StatusOr<std::shared_ptr<framerpc::Channel>> channel =
//       framerpc::Channel::Create("127.0.0.1:7001");
//   if (!channel.ok()) return channel.status();   // a bad address string
//   framerpc::echo::v1::Echo::Stub stub(*channel);
//   absl::StatusOr<EchoResponse> reply = stub.Echo(request);
//
// Connecting is lazy: Create() checks the address and returns at once; the
// first call connects. A lost connection fails its calls with UNAVAILABLE and
// the next call connects again.
//
// Thread safety: every method may be called from any thread at once.
// Ownership: held by shared_ptr; stubs share it. Calls still in flight when
// the last reference goes away fail with CANCELLED ("channel destroyed").
// Completion callbacks run on the channel's I/O thread and must not block.

#ifndef FRAMERPC_RPC_CHANNEL_H_
#define FRAMERPC_RPC_CHANNEL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rpc/call_options.h"
#include "rpc/rpc_method.h"

namespace google::protobuf {
class MessageLite;
}  // namespace google::protobuf

namespace framerpc {

struct ChannelOptions {
  // Deadline of a call whose CallOptions set neither `deadline` nor
  // `timeout`, counted from when the call starts. CallOptions override it.
  // Default: 10 s. absl::InfiniteDuration() disables it.
  absl::Duration default_timeout = absl::Seconds(10);

  // How long to wait for a TCP connection to be established before failing
  // the calls waiting on it with UNAVAILABLE. Default: 3 s.
  absl::Duration connect_timeout = absl::Seconds(3);

  // Largest frame accepted from or sent to the server, in bytes, counting the
  // 16-byte frame header. A request that would exceed it fails with
  // RESOURCE_EXHAUSTED before anything is sent; a larger frame from the
  // server closes the connection. Default: 16 MiB. Range: 1 KiB .. 2 GiB.
  size_t max_frame_size = size_t{16} << 20;

  // Heartbeats. A connection that has received nothing for
  // `keepalive_interval` sends a PING; one that has received nothing for
  // `keepalive_timeout` is dead: it is closed, every call on it fails with
  // UNAVAILABLE ("... no frame for 3.0s (heartbeat timeout)"), and new calls
  // go to a fresh connection. The server states its own values in its
  // SETTINGS frame and the channel adopts the stricter ones, so a server can
  // tighten the policy without any client configuration. Detection bound:
  // keepalive_timeout + keepalive_timeout / 10 (the sweep tick, 10 ms..1 s).
  // Defaults: 1 s and 3 s. REQUIRES: 0 < interval < timeout.
  absl::Duration keepalive_interval = absl::Seconds(1);
  absl::Duration keepalive_timeout = absl::Seconds(3);

  // Connections per endpoint at most. They are opened lazily: a second one
  // only when every open one carries `max_calls_per_connection` calls or
  // more. Each call goes to the connection with the fewest calls in flight.
  // Default: 4. Range: 1 .. 64.
  int max_connections = 4;
  // Default: 100. Range: 1 .. 1,000,000.
  int max_calls_per_connection = 100;

  // A connection with no call in flight for this long is closed (the next
  // call opens a new one). Default: 5 minutes. absl::InfiniteDuration()
  // disables it.
  absl::Duration idle_timeout = absl::Minutes(5);

  // Reconnection backoff. After an endpoint fails (connect refused or timed
  // out, or a connection to it died), it is left alone for a delay that
  // starts at `initial_backoff`, is multiplied by `backoff_multiplier` after
  // each further failure up to `max_backoff`, and is spread by
  // ±`backoff_jitter`. Meanwhile calls go to other endpoints; when none is
  // left they fail at once with UNAVAILABLE naming the endpoint and its last
  // error, unless CallOptions::wait_for_ready. A success resets the delay.
  // Defaults: 100 ms, 2.0, 5 s, 0.2.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  double backoff_multiplier = 2.0;
  absl::Duration max_backoff = absl::Seconds(5);
  double backoff_jitter = 0.2;
};

class Channel {
 public:
  // Creates a channel to `target`: one or more comma-separated "host:port"
  // endpoints, each a numeric IPv4 or IPv6 address ("127.0.0.1:7001",
  // "[::1]:7001") or a host name ("localhost:7001"; every address it
  // resolves to becomes an endpoint). Calls are spread round robin over the
  // endpoints that are up.
  // Returns INVALID_ARGUMENT naming the problem for a malformed target or
  // options, UNAVAILABLE when the host name does not resolve.
  static absl::StatusOr<std::shared_ptr<Channel>> Create(
      absl::string_view target, ChannelOptions options = {});

  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // The target given to Create().
  const std::string& target() const;

  // The endpoints `target` resolved to, e.g. {"127.0.0.1:7001"}.
  std::vector<std::string> endpoints() const;

  // Receives the outcome of one call, exactly once: the status, and when it is
  // OK the serialized response (valid only during the callback).
  using RawCompletion = absl::AnyInvocable<void(
      const absl::Status& status, absl::string_view response_payload)>;

  // Starts a call of `method` with `request` (serialized before this
  // returns). The strings `method` points to must stay valid until `done`
  // has run (generated stubs use static ones). `done` runs exactly once, on an
  // I/O thread (or on the calling thread when the call fails before it is
  // sent), and must not block. Most users call the generated stub instead.
  void StartCall(const RpcMethod& method,
                 const google::protobuf::MessageLite& request,
                 const CallOptions& options, RawCompletion done);

  // Runs a call and waits for it; parses the answer into `*response`.
  // Returns the call's status.
  absl::Status CallBlocking(const RpcMethod& method,
                            const google::protobuf::MessageLite& request,
                            const CallOptions& options,
                            google::protobuf::MessageLite* response);

  class Impl;

 private:
  friend class Server;  // Server::InProcessChannel()
  explicit Channel(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_CHANNEL_H_
