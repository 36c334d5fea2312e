// Copyright 2026 The framerpc Authors.
//
// Server: accepts connections, reads REQUEST frames, runs the registered
// services' handlers and sends their answers.
//
//   EchoServiceImpl echo;                       // derives Echo::Service
//   framerpc::ServerOptions options;
//   options.address = "127.0.0.1:7001";
//   framerpc::Server server(options);
//   FRAMERPC_RETURN_IF_ERROR(server.AddService(&echo));
//   absl::StatusOr<int> port = server.Start();  // listening from here on
//   ...
//   server.Shutdown(absl::Seconds(5));          // e.g. from a signal thread
//   server.Wait();
//
// Thread safety: every method may be called from any thread, except that
// AddService() must come before Start().
// Ownership: services are borrowed; each must outlive the Server.
// Lifetime: the destructor shuts down (with no grace) if Shutdown() was not
// called, then waits for handlers still running on the worker pool.

#ifndef FRAMERPC_RPC_SERVER_H_
#define FRAMERPC_RPC_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rpc/channel.h"
#include "rpc/service.h"

namespace framerpc {

struct ServerOptions {
  // Where to listen: "host:port" with a numeric IPv4 or IPv6 address, e.g.
  // "127.0.0.1:7001", "0.0.0.0:7001", "[::]:7001". Port 0 picks a free port;
  // Start() returns it. Default: "127.0.0.1:0".
  std::string address = "127.0.0.1:0";

  // Number of I/O threads (each one event loop). 0 means one per CPU the
  // process may use (its affinity mask, e.g. taskset, and cgroup quota).
  // Default: 0. Range: 0 .. 256.
  int io_threads = 0;

  // Where handlers run.
  enum class HandlerThreads {
    // On a pool of `worker_threads` threads: a handler may block (on a
    // lock, a disk, another RPC) without holding up other connections.
    kWorkerPool,
    // Inline on the I/O thread that read the request: no thread hop, the
    // fastest choice, but only for handlers that never block.
    kInline,
  };
  // Default: kWorkerPool.
  HandlerThreads handler_threads = HandlerThreads::kWorkerPool;

  // Size of the worker pool (with kWorkerPool). 0 means 4 per usable CPU.
  // Default: 0. Range: 0 .. 4096.
  int worker_threads = 0;

  // Largest frame accepted, in bytes, counting the 16-byte frame header. A
  // larger frame closes its connection with a GOAWAY naming the size; a
  // response that would be larger fails with RESOURCE_EXHAUSTED instead.
  // Default: 16 MiB. Range: 1 KiB .. 2 GiB.
  size_t max_frame_size = size_t{16} << 20;

  // Heartbeats. A connection that has received nothing for
  // `keepalive_interval` sends a PING; one that has received nothing for
  // `keepalive_timeout` is dead: it is closed and its calls are cancelled.
  // The server states both in its SETTINGS frame and adopts the client's
  // values when they are stricter. A dead client is found within
  // keepalive_timeout + keepalive_timeout / 10 (the sweep tick, 10 ms..1 s).
  // Defaults: 1 s and 3 s. REQUIRES: 0 < interval < timeout.
  absl::Duration keepalive_interval = absl::Seconds(1);
  absl::Duration keepalive_timeout = absl::Seconds(3);

  // Open connections at most. A connection beyond it is answered with a
  // GOAWAY (RESOURCE_EXHAUSTED, "server has reached its limit of N
  // connections") and closed, instead of running out of file descriptors.
  // Default: 10,000. Range: 1 .. 1,000,000.
  int max_connections = 10000;

  // A connection with no call in flight for this long is closed with a
  // GOAWAY (IDLE); its client reconnects when it next needs to.
  // Default: 10 minutes. absl::InfiniteDuration() disables it.
  absl::Duration idle_timeout = absl::Minutes(10);

  // Calls being served at once on one connection. A request beyond it is
  // answered RESOURCE_EXHAUSTED at once. Default: 1,000. Range: 1 ..
  // 1,000,000.
  int max_calls_per_connection = 1000;

  // Total bytes of a request's metadata (keys plus values). A request with
  // more is answered RESOURCE_EXHAUSTED without running its handler.
  // Default: 64 KiB. Range: 0 .. max_frame_size.
  size_t max_metadata_size = 64 * 1024;

  // Answers queued for one connection that its client has not read yet, in
  // bytes. Above a quarter of it the server stops reading that connection's
  // requests until the client catches up; a connection whose queue still
  // grows past the limit is closed ("client is not reading its
  // responses"). Checked once per keepalive tick, after the queued answers
  // were offered to the kernel, and as each answer is queued: output left
  // from earlier loop turns over the limit closes it; a queue that passes
  // the limit within one turn is offered to the kernel at once, and closes
  // it if it would still pass twice the limit. Default: 64 MiB. Range:
  // max(1 MiB, max_frame_size) .. 4 GiB.
  size_t max_pending_output = size_t{64} << 20;

  // A frame whose first bytes arrived must be complete within this time;
  // a peer that trickles one in forever (slowloris) is sent a GOAWAY and
  // closed. Default: 30 s.
  absl::Duration frame_read_timeout = absl::Seconds(30);

  // Calls being served at once, over all connections. A request beyond it is
  // answered RESOURCE_EXHAUSTED at once, without running its handler.
  // Default: 10,000. Range: 1 .. 1,000,000.
  int max_concurrent_calls = 10000;
};

class Server {
 public:
  explicit Server(ServerOptions options = {});
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Registers `service` under its fully qualified name.
  // Returns ALREADY_EXISTS when a service of that name is registered,
  // FAILED_PRECONDITION after Start().
  // REQUIRES: `service` outlives the Server.
  absl::Status AddService(Service* service);

  // Listens and starts serving. Returns the bound port (useful with port 0).
  // Returns INVALID_ARGUMENT for bad options or address, UNAVAILABLE when
  // the address cannot be bound (naming it and the system's reason),
  // FAILED_PRECONDITION when called twice.
  absl::StatusOr<int> Start();

  // The port Start() bound, or 0 before Start().
  int port() const;

  // Graceful shutdown: stops accepting, sends GOAWAY on every connection (no
  // new calls), lets the calls in flight finish for up to `grace`, then
  // cancels the rest (their clients get UNAVAILABLE) and closes every
  // connection. Returns within `grace` plus a small margin (the time to
  // flush and stop the I/O threads), whatever the handlers do. Idempotent;
  // a second call returns once the first has finished.
  void Shutdown(absl::Duration grace = absl::Seconds(5));

  // Blocks until Shutdown() has finished. Returns at once if Start() was
  // never called.
  void Wait();

  // Connections currently open (for tests and monitoring), in-process ones
  // included.
  int connection_count() const;

  // A channel to this server that uses no socket: its connections are pairs
  // of in-memory connections between the channel's I/O thread and the
  // server's, and everything above the socket (frames, SETTINGS,
  // heartbeats, deadlines, cancellation, limits, GOAWAY, shutdown) works as
  // over TCP. For tests of services and for calling a service in the same
  // process without a port.
  //
  //   FRAMERPC_ASSIGN_OR_RETURN(std::shared_ptr<framerpc::Channel> channel,
  //                             server.InProcessChannel());
  //   framerpc::echo::v1::Echo::Stub stub(channel);
  //
  // It may be created at any time and may outlive the server. Calls made
  // while the server is not running (before Start(), after Shutdown())
  // fail with UNAVAILABLE ("in-process server is not running"), as calls to
  // a TCP server that is down do. Its target() and endpoints() are
  // "in-process"; the server's handlers see the peer "in-process client".
  // Unlike TCP there is no flow control between the two I/O threads: what
  // one side sends is handed over at once, and a receiver that falls
  // behind queues it in memory (max_pending_output never applies).
  // Returns INVALID_ARGUMENT for bad options.
  absl::StatusOr<std::shared_ptr<Channel>> InProcessChannel(
      ChannelOptions options = {});

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_SERVER_H_
