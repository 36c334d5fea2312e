// Copyright 2026 The framerpc Authors.
//
// Channel::Impl: the client's side of every connection of one channel.
//
// Per endpoint it keeps a pool of up to max_connections multiplexed
// connections, opened lazily; each call goes to the connection with the
// fewest calls in flight. Endpoints that fail are ejected for a backoff
// delay and probed again afterwards; calls are spread round robin over the
// others. Heartbeats (PING after keepalive_interval of silence, dead after
// keepalive_timeout) find a frozen or vanished server; its calls fail with
// UNAVAILABLE and new calls go elsewhere.
//
// Thread safety: StartCall() and Shutdown() may be called from any thread;
// they only post to `loop_`. Everything else runs on `loop_`.
// Ownership: shared by the Channel and by every task and timer it posted;
// timers that repeat hold only a weak reference.

#ifndef FRAMERPC_RPC_CHANNEL_IMPL_H_
#define FRAMERPC_RPC_CHANNEL_IMPL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "framerpc/wire.pb.h"
#include "rpc/backoff.h"
#include "rpc/channel.h"
#include "rpc/client_call.h"
#include "rpc/keepalive.h"
#include "transport/connection.h"
#include "transport/connector.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"

namespace framerpc {

namespace internal {

// INVALID_ARGUMENT naming the first option out of range, or OK.
absl::Status ValidateChannelOptions(const ChannelOptions& options);

// Opens the channel's end of an in-process connection (Server::
// InProcessChannel): an in-memory transport connection on `loop`, not yet
// started, linked to a server connection; or UNAVAILABLE saying why there
// is none (the server is not running). Called on `loop`.
using InProcessDialer =
    std::function<absl::StatusOr<std::shared_ptr<transport::Connection>>(
        transport::EventLoop* loop,
        const transport::ConnectionOptions& options)>;

}  // namespace internal

class Channel::Impl : public std::enable_shared_from_this<Channel::Impl> {
 public:
  Impl(std::string target, std::vector<transport::Endpoint> endpoints,
       ChannelOptions options);
  // An in-process channel: one endpoint, named `target`, whose connections
  // come from `dialer` instead of TCP.
  Impl(std::string target, internal::InProcessDialer dialer,
       ChannelOptions options);
  ~Impl();

  const std::string& target() const { return target_; }
  std::vector<std::string> endpoint_names() const;

  // Any thread.
  void StartCall(const RpcMethod& method,
                 const google::protobuf::MessageLite& request,
                 const CallOptions& options, RawCompletion done);
  // Any thread: fails every call with CANCELLED and closes the connections.
  void Shutdown();

 private:
  using Call = internal::ClientCall;
  using CallMap = absl::flat_hash_map<uint64_t, std::unique_ptr<Call>>;

  // One TCP connection and the calls assigned to it.
  struct Connection {
    enum class State { kConnecting, kConnected, kClosed };
    uint64_t id = 0;
    size_t endpoint = 0;
    State state = State::kConnecting;
    std::shared_ptr<transport::Connector> connector;
    std::shared_ptr<transport::Connection> connection;
    // Calls assigned here: sent, or waiting for the connection to open.
    absl::flat_hash_set<uint64_t> calls;
    std::vector<uint64_t> waiting;
    // Set by a GOAWAY, or when closing for idleness: no new calls here.
    bool draining = false;
    std::string goaway_reason;
    // Whether any frame came from the server: until then a connection that
    // dies counts as a failed connection attempt.
    bool heard_from_server = false;
    // Calls the server takes at once on this connection (its SETTINGS);
    // until they arrive, kInitialMaxCalls.
    size_t max_calls = kInitialMaxCalls;
    internal::KeepalivePolicy keepalive;
    absl::Time last_ping = absl::InfinitePast();
    // When `calls` last became empty, as seen by the first sweep after
    // (InfiniteFuture() until then): idle connections close between
    // idle_timeout and idle_timeout + 2 ticks after their last call.
    absl::Time idle_since;
    uint64_t pings_sent = 0;
  };

  // One address of the target and its pool.
  struct Endpoint {
    transport::Endpoint address;
    std::string name;
    std::vector<uint64_t> connections;
    internal::Backoff backoff;
    // Ejected: failed recently; no calls until retry_at, then probed.
    bool ejected = false;
    absl::Time retry_at = absl::InfinitePast();
    absl::Status last_error;
  };

  // Calls sent on a new connection before the server's SETTINGS state its
  // own limit (HTTP/2's recommended minimum).
  static constexpr size_t kInitialMaxCalls = 100;

  static absl::Status CancelledStatus(const Call& call);
  // Runs the completion (any thread for a call never posted).
  static void Finish(Call& call, const absl::Status& status,
                     absl::string_view payload = {});

  // Hands `call` to the loop: pushed on started_, with a task posted to
  // take it when started_ was empty, so that calls started in a burst cost
  // one task (and no allocation each).
  void PostStart(std::unique_ptr<Call> call);
  // Loop thread: starts every call on started_, oldest first.
  void StartPosted();
  void StartOnLoop(std::unique_ptr<Call> call);
  // Assigns call `id` to an endpoint and connection, or parks, queues or
  // fails it.
  void Route(uint64_t id);
  // The next endpoint that may take a call, round robin; -1 if none.
  int PickEndpoint();
  // The connection of `endpoint` for the next call (opening one if the pool
  // allows), or null when every connection is at the server's limit and the
  // pool is full.
  Connection* PickConnection(size_t endpoint);
  // Routes the calls waiting for a free slot, while there are slots.
  void RouteSlotWaiters();
  Connection& OpenConnection(size_t endpoint);
  void OnConnected(uint64_t connection_id,
                   absl::StatusOr<transport::Socket> socket);
  // In-process channels: asks the dialer for the connection.
  void DialInProcess(uint64_t connection_id);
  // Starts `transport` as connection `connection_id` and sends what waits.
  void Attach(Connection& connection,
              std::shared_ptr<transport::Connection> transport);
  void Send(Connection& connection, Call& call);
  void OnFrame(uint64_t connection_id, const transport::FrameView& frame);
  void OnResponse(Connection& connection, const transport::FrameView& frame);
  void OnSettings(Connection& connection, const transport::FrameView& frame);
  void OnGoAway(Connection& connection, const transport::FrameView& frame);
  void OnClosed(uint64_t connection_id, const absl::Status& reason);
  void FailProtocol(Connection& connection, const absl::Status& error);
  // The endpoint answered: it is up, and its backoff starts over.
  void MarkHealthy(Connection& connection);
  // The endpoint failed: no calls to it for a backoff delay.
  void Eject(size_t endpoint, const absl::Status& error);
  // Detaches a call from its connection; the caller re-routes it.
  void Unassign(Call& call);
  // Removes a call from every table; the caller completes it.
  std::unique_ptr<Call> Take(CallMap::iterator it);
  // Fails call `id`, telling the server (CANCEL) when it was sent.
  void Abandon(uint64_t id, const absl::Status& status);
  void OnDeadline(uint64_t id);
  // Deadlines: one timer for the earliest (see deadlines_).
  void AddDeadline(absl::Time deadline, uint64_t id);
  void ArmDeadlineTimer();
  void OnDeadlineTimer();
  void OnCancelled(uint64_t id);
  // Parked (wait_for_ready) calls try again at the next retry time.
  void ScheduleUnpark();
  void Unpark();
  // Once per keepalive tick: heartbeats and idle connections.
  void Sweep();
  // Starts the sweep at `tick`, or restarts it if `tick` is shorter than the
  // current one (a server stated a stricter keepalive policy).
  void StartSweep(absl::Duration tick);
  void ShutdownOnLoop();
  absl::Status NoEndpointStatus(const Call& call, absl::Time now) const;

  const std::string target_;
  const ChannelOptions options_;
  // Set for an in-process channel; then endpoints_ has one entry, which no
  // socket reaches.
  const internal::InProcessDialer dialer_;
  const internal::KeepalivePolicy keepalive_;
  transport::EventLoop* const loop_;
  std::atomic<uint64_t> next_call_id_{1};
  // Calls started and not yet taken by the loop, newest first, linked by
  // ClientCall::next_started (a lock-free stack). Each push that finds it
  // empty posts StartPosted(), which holds a reference to this object, so
  // it is empty whenever this object is destroyed, unless the loop dropped
  // that task unrun.
  std::atomic<Call*> started_{nullptr};

  // Loop thread only.
  std::vector<Endpoint> endpoints_;
  CallMap calls_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::deque<uint64_t> parked_;
  // Calls waiting for a connection below the server's per-connection limit.
  std::deque<uint64_t> slot_waiters_;
  bool slot_waiters_scheduled_ = false;
  // The deadlines of the calls (steady clock, like every time in the
  // channel: base/steady_clock.h), a min-heap of (deadline, call id), with one
  // timer armed for the earliest instead of one timer per call. A call that
  // completes leaves its entry behind (ids are never reused, so a stale
  // entry finds no call); the heap is rebuilt from calls_ when stale entries
  // outnumber live ones.
  std::vector<std::pair<absl::Time, uint64_t>> deadlines_;
  transport::TimerId deadline_timer_ = 0;
  absl::Time deadline_timer_at_ = absl::InfiniteFuture();
  transport::TimerId unpark_timer_ = 0;
  transport::TimerId sweep_timer_ = 0;
  absl::Duration sweep_tick_ = absl::InfiniteDuration();
  size_t next_endpoint_ = 0;
  uint64_t next_connection_id_ = 1;
  bool shut_down_ = false;
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_CHANNEL_IMPL_H_
