// Copyright 2026 The framerpc Authors.

#include "rpc/server.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/cpus.h"
#include "base/logging.h"
#include "base/steady_clock.h"
#include "rpc/channel_impl.h"
#include "rpc/frame_io.h"
#include "rpc/keepalive.h"
#include "rpc/loop_handle.h"
#include "rpc/server_connection.h"
#include "transport/acceptor.h"
#include "transport/endpoint.h"
#include "transport/event_loop_group.h"
#include "transport/in_memory_link.h"

namespace framerpc {

using internal::LoopHandle;
using internal::ServerConnection;
using internal::ServerState;

namespace {

int DefaultThreads(int per_core) { return UsableCpus() * per_core; }

absl::Status ValidateOptions(const ServerOptions& options) {
  if (options.io_threads < 0 || options.io_threads > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("ServerOptions.io_threads must be in 0..256, not ",
                     options.io_threads));
  }
  if (options.worker_threads < 0 || options.worker_threads > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("ServerOptions.worker_threads must be in 0..4096, not ",
                     options.worker_threads));
  }
  if (options.max_frame_size < 1024 ||
      options.max_frame_size > (size_t{2} << 30)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ServerOptions.max_frame_size must be in 1 KiB..2 GiB, not ",
        options.max_frame_size));
  }
  if (options.max_concurrent_calls < 1 ||
      options.max_concurrent_calls > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("ServerOptions.max_concurrent_calls must be in "
                     "1..1000000, not ",
                     options.max_concurrent_calls));
  }
  if (options.keepalive_interval <= absl::ZeroDuration() ||
      options.keepalive_timeout <= options.keepalive_interval) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ServerOptions needs 0 < keepalive_interval < keepalive_timeout, not ",
        absl::FormatDuration(options.keepalive_interval), " and ",
        absl::FormatDuration(options.keepalive_timeout)));
  }
  if (options.max_connections < 1 || options.max_connections > 1000000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ServerOptions.max_connections must be in 1..1000000, not ",
        options.max_connections));
  }
  if (options.max_calls_per_connection < 1 ||
      options.max_calls_per_connection > 1000000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ServerOptions.max_calls_per_connection must be in 1..1000000, not ",
        options.max_calls_per_connection));
  }
  if (options.max_metadata_size > options.max_frame_size) {
    return absl::InvalidArgumentError(
        "ServerOptions.max_metadata_size must not exceed max_frame_size");
  }
  if (options.max_pending_output < options.max_frame_size) {
    return absl::InvalidArgumentError(
        "ServerOptions.max_pending_output must be at least max_frame_size");
  }
  if (options.max_pending_output < (size_t{1} << 20) ||
      options.max_pending_output > (size_t{4} << 30)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ServerOptions.max_pending_output must be in 1 MiB..4 GiB, not ",
        options.max_pending_output));
  }
  if (options.frame_read_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ServerOptions.frame_read_timeout must be positive");
  }
  if (options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ServerOptions.idle_timeout must be positive");
  }
  return absl::OkStatus();
}

// What an in-process channel holds of its server: the server may be
// destroyed first, and then the channel's connections fail to open.
struct InProcessGate {
  absl::Mutex mu;
  Server::Impl* server ABSL_GUARDED_BY(mu) = nullptr;
};

}  // namespace

// Thread safety: the public methods lock `mu_`; per-loop state
// (`registries_[i]`) is touched only on loop i.
class Server::Impl {
 public:
  explicit Impl(ServerOptions options)
      : state_(std::make_shared<ServerState>()),
        gate_(std::make_shared<InProcessGate>()) {
    state_->options = std::move(options);
    absl::MutexLock lock(&gate_->mu);
    gate_->server = this;
  }

  ~Impl() {
    {
      absl::MutexLock lock(&gate_->mu);
      gate_->server = nullptr;
    }
    Shutdown(absl::ZeroDuration());
    if (state_->workers != nullptr) state_->workers->Stop();
  }

  absl::Status AddService(Service* service) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (phase_ != Phase::kNew) {
      return absl::FailedPreconditionError(
          absl::StrCat("AddService(", service->name(), ") after Start()"));
    }
    if (!state_->services.emplace(service->name(), service).second) {
      return absl::AlreadyExistsError(absl::StrCat(
          "a service named '", service->name(), "' is already registered"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int> Start() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (phase_ != Phase::kNew) {
      return absl::FailedPreconditionError("Server::Start() called twice");
    }
    const ServerOptions& options = state_->options;
    if (absl::Status status = ValidateOptions(options); !status.ok()) {
      return status;
    }
    absl::StatusOr<transport::Endpoint> address =
        transport::Endpoint::Parse(options.address);
    if (!address.ok()) return address.status();

    const int io_threads =
        options.io_threads == 0 ? DefaultThreads(1) : options.io_threads;
    // Before any loop thread exists: the connections read state_->workers
    // on their loops without a lock, relying on it being fixed by then
    // (creating the loop threads orders this write before their reads).
    if (options.handler_threads == ServerOptions::HandlerThreads::kWorkerPool) {
      const int workers = options.worker_threads == 0 ? DefaultThreads(4)
                                                      : options.worker_threads;
      state_->workers =
          std::make_unique<internal::WorkerPool>(workers, "framerpc-worker");
    }
    loops_ =
        std::make_unique<transport::EventLoopGroup>(io_threads, "framerpc-srv");
    loops_->Start();
    for (int i = 0; i < loops_->size(); ++i) {
      auto handle = std::make_shared<LoopHandle>(loops_->loop(i));
      loops_->loop(i)->RunInLoop([handle] { handle->BindToCurrentThread(); });
      handles_.push_back(std::move(handle));
    }
    registries_.resize(loops_->size());
    // One sweep per loop checks the heartbeats and idleness of its
    // connections.
    const absl::Duration tick =
        internal::KeepalivePolicy{options.keepalive_interval,
                                  options.keepalive_timeout}
            .tick();
    sweep_timers_.resize(loops_->size());
    sweep_ticks_.resize(loops_->size());
    for (int i = 0; i < loops_->size(); ++i) {
      loops_->loop(i)->RunInLoop([this, i, tick] { StartSweep(i, tick); });
    }
    acceptor_ = std::make_unique<transport::Acceptor>(
        loops_->loop(0), *address,
        [this](transport::Socket socket, const transport::Endpoint& peer) {
          OnAccept(std::move(socket), peer);
        });
    if (absl::Status status = acceptor_->Listen(); !status.ok()) {
      acceptor_.reset();
      StopLoops();
      phase_ = Phase::kDone;
      return status;
    }
    port_ = acceptor_->port();
    phase_ = Phase::kRunning;
    return port_;
  }

  int port() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return port_;
  }

  void Shutdown(absl::Duration grace) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      if (phase_ == Phase::kNew) {
        phase_ = Phase::kDone;
        return;
      }
      if (phase_ != Phase::kRunning) {
        mu_.Await(absl::Condition(
            +[](Phase* phase) { return *phase == Phase::kDone; }, &phase_));
        return;
      }
      phase_ = Phase::kShuttingDown;
    }
    const absl::Time deadline = SteadyNow() + grace;
    // 1. No new connections; 2. no new calls on the open ones.
    RunOnLoopAndWait(0, [this] { acceptor_->Stop(); });
    ForEachConnection([](ServerConnection& connection) { connection.Drain(); });
    // 3. The calls in flight get until the deadline.
    state_->AwaitNoCalls(deadline);
    // 4. The rest are answered UNAVAILABLE and every connection closes.
    const absl::Status cut_off = absl::UnavailableError(
        absl::StrCat("server shut down before the call finished (grace period ",
                     absl::FormatDuration(grace), ")"));
    ForEachConnection([&cut_off](ServerConnection& connection) {
      connection.Close(cut_off);
    });
    // Give the graceful closes a moment to flush; never wait long.
    const absl::Time close_deadline = SteadyNow() + absl::Milliseconds(300);
    while (state_->connections.load() > 0 && SteadyNow() < close_deadline) {
      absl::SleepFor(absl::Milliseconds(2));
    }
    StopLoops();
    absl::MutexLock lock(&mu_);
    phase_ = Phase::kDone;
  }

  void Wait() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Phase* phase) {
          return *phase == Phase::kDone || *phase == Phase::kNew;
        },
        &phase_));
  }

  int connection_count() const { return state_->connections.load(); }

 private:
  enum class Phase { kNew, kRunning, kShuttingDown, kDone };

  // Loop 0: spreads accepted sockets over the loops round robin.
  void OnAccept(transport::Socket socket, const transport::Endpoint& peer) {
    const int limit = state_->options.max_connections;
    if (state_->connections.load(std::memory_order_relaxed) >= limit) {
      Refuse(std::move(socket), peer);
      return;
    }
    refusing_ = false;
    state_->connections.fetch_add(1, std::memory_order_relaxed);
    const size_t index = next_loop_++ % handles_.size();
    transport::EventLoop* loop = loops_->loop(static_cast<int>(index));
    loop->RunInLoop(
        [this, index, loop, socket = std::move(socket), peer]() mutable {
          AddConnection(
              index, transport::Connection::Create(loop, std::move(socket),
                                                   peer, ConnectionOptions()));
        });
  }

  // Options of the server's side of every connection.
  transport::ConnectionOptions ConnectionOptions() const {
    transport::ConnectionOptions options;
    options.max_frame_size = state_->options.max_frame_size;
    // Above a quarter of the output cap, stop reading requests.
    options.high_watermark = state_->options.max_pending_output / 4;
    options.low_watermark = options.high_watermark / 4;
    return options;
  }

  // Loop `index`: serves `transport`, counted in state_->connections.
  void AddConnection(size_t index,
                     std::shared_ptr<transport::Connection> transport) {
    transport::EventLoop* loop = loops_->loop(static_cast<int>(index));
    auto connection = std::make_shared<ServerConnection>(
        state_, handles_[index], std::move(transport));
    ServerConnection* key = connection.get();
    registries_[index].emplace(key, connection);
    connection->SetTickRequest([this, index](absl::Duration tick) {
      StartSweep(static_cast<int>(index), tick);
    });
    connection->Start([this, index, loop, key] {
      // Erased in a later task: the connection is still on the stack.
      loop->Post([this, index, key] { registries_[index].erase(key); });
    });
  }

 public:
  // The client's end of a new in-process connection, on `client_loop`; the
  // server's end is served on one of the server's loops. Any thread.
  absl::StatusOr<std::shared_ptr<transport::Connection>> ConnectInProcess(
      transport::EventLoop* client_loop,
      const transport::ConnectionOptions& client_options)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (phase_ != Phase::kRunning) {
      return absl::UnavailableError(
          phase_ == Phase::kNew
              ? "in-process server is not running (not started yet)"
              : "in-process server is not running (shut down)");
    }
    const int limit = state_->options.max_connections;
    if (state_->connections.load(std::memory_order_relaxed) >= limit) {
      return absl::UnavailableError(
          absl::StrCat("in-process server has reached its limit of ", limit,
                       " connections (ServerOptions.max_connections)"));
    }
    state_->connections.fetch_add(1, std::memory_order_relaxed);
    const size_t index = next_in_process_loop_++ % handles_.size();
    transport::EventLoop* loop = loops_->loop(static_cast<int>(index));
    auto [client, server] =
        transport::ConnectInMemory({.loop = client_loop,
                                    .peer_name = "in-process server",
                                    .options = client_options},
                                   {.loop = loop,
                                    .peer_name = "in-process client",
                                    .options = ConnectionOptions()});
    // Posted under mu_ while running, so before anything Shutdown() posts,
    // and before the client's first bytes reach this loop.
    loop->Post([this, index, server = std::move(server)]() mutable {
      AddConnection(index, std::move(server));
    });
    return std::move(client);
  }

  absl::StatusOr<std::shared_ptr<Channel>> InProcessChannel(
      ChannelOptions options) {
    if (absl::Status status = internal::ValidateChannelOptions(options);
        !status.ok()) {
      return status;
    }
    internal::InProcessDialer dialer =
        [gate = gate_](transport::EventLoop* loop,
                       const transport::ConnectionOptions& connection_options)
        -> absl::StatusOr<std::shared_ptr<transport::Connection>> {
      absl::MutexLock lock(&gate->mu);
      if (gate->server == nullptr) {
        return absl::UnavailableError(
            "in-process server is not running (destroyed)");
      }
      return gate->server->ConnectInProcess(loop, connection_options);
    };
    return std::shared_ptr<Channel>(new Channel(std::make_shared<Channel::Impl>(
        "in-process", std::move(dialer), options)));
  }

 private:
  // Loop i: (re)starts loop i's sweep at `tick` unless it already runs at
  // least that often.
  void StartSweep(int i, absl::Duration tick) {
    if (sweep_timers_[i] != 0 && tick >= sweep_ticks_[i]) return;
    transport::EventLoop* loop = loops_->loop(i);
    if (sweep_timers_[i] != 0) loop->CancelTimer(sweep_timers_[i]);
    sweep_ticks_[i] = tick;
    sweep_timers_[i] = loop->RunEvery(tick, [this, i] {
      const absl::Time now = SteadyNow();
      for (auto& [key, connection] : registries_[i]) connection->Sweep(now);
    });
  }

  // Loop 0: tells a connection over max_connections why it is closed.
  void Refuse(transport::Socket socket, const transport::Endpoint& peer) {
    const std::string reason = absl::StrCat(
        "server has reached its limit of ", state_->options.max_connections,
        " connections (ServerOptions.max_connections)");
    if (!refusing_) {  // once per episode, not once per connection
      FRAMERPC_LOG(WARNING) << "refusing connections, starting with "
                            << peer.ToString() << ": " << reason;
      refusing_ = true;
    }
    std::shared_ptr<transport::Connection> connection =
        transport::Connection::Create(loops_->loop(0), std::move(socket), peer);
    connection->SetFrameCallback(
        [](transport::Connection&, const transport::FrameView&) {});
    // Kept until it closes, so that a shutdown within the linger closes it
    // too instead of leaving it to the stopped loop.
    transport::Connection* key = connection.get();
    refused_.emplace(key, connection);
    connection->SetCloseCallback(
        [this, key](transport::Connection&, const absl::Status&) {
          loops_->loop(0)->Post([this, key] { refused_.erase(key); });
        });
    connection->Start();
    internal::SendGoAway(*connection, wire::GoAway::RESOURCE_EXHAUSTED, 0,
                         reason);
    connection->CloseGracefully(absl::ResourceExhaustedError(reason),
                                absl::Milliseconds(100));
  }

  // Runs `fn` on every connection, each on its own loop; returns when done.
  void ForEachConnection(absl::AnyInvocable<void(ServerConnection&)> fn) {
    for (size_t i = 0; i < handles_.size(); ++i) {
      RunOnLoopAndWait(i, [this, i, &fn] {
        // Copy: `fn` may close connections, which edits the registry later.
        std::vector<std::shared_ptr<ServerConnection>> connections;
        for (auto& [key, connection] : registries_[i]) {
          connections.push_back(connection);
        }
        for (auto& connection : connections) fn(*connection);
      });
    }
  }

  void RunOnLoopAndWait(size_t index, absl::AnyInvocable<void()> fn) {
    transport::EventLoop* loop = loops_->loop(static_cast<int>(index));
    FRAMERPC_CHECK(!loop->IsInLoopThread())
        << "Server::Shutdown() called on a server I/O thread (from an "
           "inline handler?)";
    absl::Notification done;
    loop->Post([&fn, &done] {
      fn();
      done.Notify();
    });
    done.WaitForNotification();
  }

  void StopLoops() {
    for (auto& handle : handles_) handle->Retire();
    if (loops_ != nullptr) {
      // Connections are destroyed on their own loop threads.
      for (size_t i = 0; i < registries_.size(); ++i) {
        RunOnLoopAndWait(i, [this, i] {
          if (i < sweep_timers_.size() && sweep_timers_[i] != 0) {
            loops_->loop(static_cast<int>(i))->CancelTimer(sweep_timers_[i]);
            sweep_timers_[i] = 0;
          }
          // A graceful close still lingering ends now: a connection must
          // be closed before its loop stops.
          std::vector<std::shared_ptr<ServerConnection>> open;
          for (auto& [key, connection] : registries_[i]) {
            open.push_back(connection);
          }
          for (auto& connection : open) {
            connection->ForceClose(absl::UnavailableError("server stopped"));
          }
          registries_[i].clear();
        });
      }
      RunOnLoopAndWait(0, [this] {
        acceptor_.reset();
        // Copy: closing posts an erase, which runs later or never.
        std::vector<std::shared_ptr<transport::Connection>> refused;
        for (auto& [key, connection] : refused_) refused.push_back(connection);
        for (auto& connection : refused) {
          connection->ForceClose(absl::UnavailableError("server stopped"));
        }
        refused_.clear();
      });
      loops_->Stop();
    }
  }

  const std::shared_ptr<ServerState> state_;
  mutable absl::Mutex mu_;
  Phase phase_ ABSL_GUARDED_BY(mu_) = Phase::kNew;
  int port_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<transport::EventLoopGroup> loops_;
  std::vector<std::shared_ptr<LoopHandle>> handles_;
  // registries_[i] is touched only on loop i.
  std::vector<
      absl::flat_hash_map<ServerConnection*, std::shared_ptr<ServerConnection>>>
      registries_;
  std::unique_ptr<transport::Acceptor> acceptor_;
  // Per loop, touched only on that loop.
  std::vector<transport::TimerId> sweep_timers_;
  std::vector<absl::Duration> sweep_ticks_;
  // Connections refused over max_connections, until they close. Loop 0 only.
  absl::flat_hash_map<transport::Connection*,
                      std::shared_ptr<transport::Connection>>
      refused_;
  const std::shared_ptr<InProcessGate> gate_;
  size_t next_loop_ = 0;  // loop 0 only
  size_t next_in_process_loop_ ABSL_GUARDED_BY(mu_) = 0;
  bool refusing_ = false;  // loop 0 only
};

Server::Server(ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;
absl::Status Server::AddService(Service* service) {
  return impl_->AddService(service);
}
absl::StatusOr<int> Server::Start() { return impl_->Start(); }
int Server::port() const { return impl_->port(); }
void Server::Shutdown(absl::Duration grace) { impl_->Shutdown(grace); }
void Server::Wait() { impl_->Wait(); }
int Server::connection_count() const { return impl_->connection_count(); }
absl::StatusOr<std::shared_ptr<Channel>> Server::InProcessChannel(
    ChannelOptions options) {
  return impl_->InProcessChannel(options);
}

}  // namespace framerpc
