// Copyright 2026 The framerpc Authors.

#include "rpc/channel_impl.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/logging.h"
#include "base/steady_clock.h"
#include "google/protobuf/message_lite.h"
#include "rpc/client_loops.h"
#include "rpc/frame_io.h"

namespace framerpc {

using transport::FrameType;

namespace {

absl::Duration FromMicros(uint64_t us) {
  return absl::Microseconds(static_cast<int64_t>(
      std::min<uint64_t>(us, std::numeric_limits<int64_t>::max())));
}

internal::BackoffOptions BackoffFrom(const ChannelOptions& options) {
  internal::BackoffOptions backoff;
  backoff.initial = options.initial_backoff;
  backoff.multiplier = options.backoff_multiplier;
  backoff.max = options.max_backoff;
  backoff.jitter = options.backoff_jitter;
  return backoff;
}

}  // namespace

Channel::Impl::Impl(std::string target,
                    std::vector<transport::Endpoint> endpoints,
                    ChannelOptions options)
    : target_(std::move(target)),
      options_(options),
      keepalive_{options.keepalive_interval, options.keepalive_timeout},
      loop_(internal::SharedClientLoops().Next()) {
  for (transport::Endpoint& address : endpoints) {
    endpoints_.push_back(
        Endpoint{.address = address,
                 .name = address.ToString(),
                 .connections = {},
                 .backoff = internal::Backoff(BackoffFrom(options_)),
                 .ejected = false,
                 .retry_at = absl::InfinitePast(),
                 .last_error = absl::OkStatus()});
  }
}

Channel::Impl::Impl(std::string target, internal::InProcessDialer dialer,
                    ChannelOptions options)
    : target_(std::move(target)),
      options_(options),
      dialer_(std::move(dialer)),
      keepalive_{options.keepalive_interval, options.keepalive_timeout},
      loop_(internal::SharedClientLoops().Next()) {
  endpoints_.push_back(
      Endpoint{.address = transport::Endpoint(),
               .name = target_,
               .connections = {},
               .backoff = internal::Backoff(BackoffFrom(options_)),
               .ejected = false,
               .retry_at = absl::InfinitePast(),
               .last_error = absl::OkStatus()});
}

std::vector<std::string> Channel::Impl::endpoint_names() const {
  // The names never change after construction, so any thread may read them.
  std::vector<std::string> names;
  for (const Endpoint& endpoint : endpoints_) names.push_back(endpoint.name);
  return names;
}

absl::Status Channel::Impl::CancelledStatus(const Call& call) {
  return absl::CancelledError(
      absl::StrCat("call to ", call.name(), " cancelled by the caller"));
}

void Channel::Impl::Finish(Call& call, const absl::Status& status,
                           absl::string_view payload) {
  if (call.canceller != nullptr) call.canceller->Unregister(call.cancel_token);
  RawCompletion done = std::move(call.done);
  done(status, payload);
}

void Channel::Impl::StartCall(const RpcMethod& method,
                              const google::protobuf::MessageLite& request,
                              const CallOptions& options, RawCompletion done) {
  // Every time in the channel is on the steady clock (base/steady_clock.h);
  // only a deadline the caller gave as a wall-clock instant is converted.
  const absl::Time now = SteadyNow();
  absl::Time deadline = ToSteady(options.deadline);
  if (deadline == absl::InfiniteFuture()) {
    const absl::Duration timeout = options.timeout == absl::ZeroDuration()
                                       ? options_.default_timeout
                                       : options.timeout;
    deadline = now + timeout;
  }
  auto call = std::make_unique<Call>();
  call->id = next_call_id_.fetch_add(1, std::memory_order_relaxed);
  call->deadline = deadline;
  call->method = method;
  call->done = std::move(done);
  call->response_metadata = options.response_metadata;
  call->wait_for_ready = options.wait_for_ready;
  if (deadline <= now) {
    Finish(*call, absl::DeadlineExceededError(
                      absl::StrCat("deadline passed before the call to ",
                                   call->name(), " on ", target_, " started")));
    return;
  }
  const uint64_t timeout_us =
      deadline == absl::InfiniteFuture()
          ? 0
          : static_cast<uint64_t>(std::max<int64_t>(
                1, absl::ToInt64Microseconds(deadline - now)));
  call->frame =
      internal::EncodeRequestFrame(call->id, method.service, method.method,
                                   timeout_us, options.metadata, request);
  if (call->frame.frame_size() > options_.max_frame_size) {
    Finish(*call,
           absl::ResourceExhaustedError(absl::StrCat(
               "request to ", call->name(), " is ", call->frame.frame_size(),
               " bytes, over the frame limit of ", options_.max_frame_size,
               " bytes (ChannelOptions.max_frame_size); not sent")));
    return;
  }
  if (options.canceller != nullptr) {
    if (options.canceller->cancelled()) {
      Finish(*call, CancelledStatus(*call));
      return;
    }
    call->canceller = options.canceller;
  }
  PostStart(std::move(call));
}

void Channel::Impl::PostStart(std::unique_ptr<Call> call) {
  Call* pushed = call.release();
  Call* head = started_.load(std::memory_order_relaxed);
  do {
    pushed->next_started = head;
  } while (!started_.compare_exchange_weak(
      head, pushed, std::memory_order_release, std::memory_order_relaxed));
  if (head == nullptr) {
    loop_->Post([self = shared_from_this()] { self->StartPosted(); });
  }
}

void Channel::Impl::StartPosted() {
  Call* newest = started_.exchange(nullptr, std::memory_order_acquire);
  Call* oldest = nullptr;
  while (newest != nullptr) {
    Call* next = newest->next_started;
    newest->next_started = oldest;
    oldest = newest;
    newest = next;
  }
  while (oldest != nullptr) {
    std::unique_ptr<Call> call(oldest);
    oldest = oldest->next_started;
    StartOnLoop(std::move(call));
  }
}

Channel::Impl::~Impl() {
  // Only when the loop dropped a StartPosted() task unrun (it stopped):
  // those calls are freed, as their task would have been.
  Call* call = started_.exchange(nullptr, std::memory_order_acquire);
  while (call != nullptr) {
    std::unique_ptr<Call> owned(call);
    call = call->next_started;
  }
}

void Channel::Impl::Shutdown() {
  loop_->Post([self = shared_from_this()] { self->ShutdownOnLoop(); });
}

void Channel::Impl::StartOnLoop(std::unique_ptr<Call> call) {
  if (shut_down_) {
    Finish(*call, absl::CancelledError(absl::StrCat(
                      "channel to ", target_, " destroyed; call to ",
                      call->name(), " not sent")));
    return;
  }
  const uint64_t id = call->id;
  if (call->deadline != absl::InfiniteFuture()) AddDeadline(call->deadline, id);
  std::shared_ptr<CallCanceller> canceller = call->canceller;
  calls_.emplace(id, std::move(call));
  Route(id);
  if (canceller != nullptr && calls_.contains(id)) {
    // Last: a canceller that has already fired runs this at once, and the
    // call must be in the tables by then.
    const uint64_t token =
        canceller->Register([weak = weak_from_this(), loop = loop_, id] {
          loop->RunInLoop([weak, id] {
            if (auto self = weak.lock()) self->OnCancelled(id);
          });
        });
    auto it = calls_.find(id);
    if (it != calls_.end()) it->second->cancel_token = token;
  }
}

void Channel::Impl::Route(uint64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  const int endpoint = PickEndpoint();
  if (endpoint < 0) {
    if (call.wait_for_ready) {
      call.connection_id = 0;
      parked_.push_back(id);
      ScheduleUnpark();
      return;
    }
    std::unique_ptr<Call> failed = Take(it);
    Finish(*failed, NoEndpointStatus(*failed, SteadyNow()));
    return;
  }
  Connection* picked = PickConnection(static_cast<size_t>(endpoint));
  if (picked == nullptr) {
    // Every connection is at the server's limit: wait for a free slot.
    call.connection_id = 0;
    slot_waiters_.push_back(id);
    return;
  }
  Connection& connection = *picked;
  call.connection_id = connection.id;
  connection.calls.insert(id);
  if (connection.state == Connection::State::kConnected) {
    Send(connection, call);
  } else {
    connection.waiting.push_back(id);
  }
}

int Channel::Impl::PickEndpoint() {
  const size_t n = endpoints_.size();
  // Read only when an ejected endpoint needs it: no clock read per call.
  absl::Time now = absl::InfinitePast();
  for (size_t k = 0; k < n; ++k) {
    const size_t index = (next_endpoint_ + k) % n;
    Endpoint& endpoint = endpoints_[index];
    if (endpoint.ejected && now == absl::InfinitePast()) now = SteadyNow();
    if (!endpoint.ejected || endpoint.retry_at <= now) {
      next_endpoint_ = index + 1;
      return static_cast<int>(index);
    }
  }
  return -1;
}

Channel::Impl::Connection* Channel::Impl::PickConnection(size_t endpoint) {
  // The least loaded connection that is open or opening and below the
  // server's limit; on a tie, one that is already connected.
  Connection* best = nullptr;
  int open = 0;
  for (uint64_t id : endpoints_[endpoint].connections) {
    Connection& candidate = *connections_.at(id);
    if (candidate.draining || candidate.state == Connection::State::kClosed) {
      continue;
    }
    ++open;
    if (candidate.calls.size() >= candidate.max_calls) continue;  // full
    if (best == nullptr || candidate.calls.size() < best->calls.size() ||
        (candidate.calls.size() == best->calls.size() &&
         candidate.state == Connection::State::kConnected)) {
      best = &candidate;
    }
  }
  const bool may_open = open < options_.max_connections;
  // Every connection is busy (or full, or there is none): open another and
  // send this call there, so that a burst spreads over the pool.
  if ((best == nullptr ||
       best->calls.size() >=
           static_cast<size_t>(options_.max_calls_per_connection)) &&
      may_open) {
    return &OpenConnection(endpoint);
  }
  return best;
}

void Channel::Impl::RouteSlotWaiters() {
  slot_waiters_scheduled_ = false;
  while (!slot_waiters_.empty()) {
    const uint64_t id = slot_waiters_.front();
    auto it = calls_.find(id);
    if (it == calls_.end() || it->second->connection_id != 0) {
      slot_waiters_.pop_front();  // completed (deadline, cancel) meanwhile
      continue;
    }
    slot_waiters_.pop_front();
    Route(id);
    if (!slot_waiters_.empty() && slot_waiters_.back() == id) {
      // Still no slot; it went back in line, so stop here.
      slot_waiters_.pop_back();
      slot_waiters_.push_front(id);
      return;
    }
  }
}

Channel::Impl::Connection& Channel::Impl::OpenConnection(size_t endpoint) {
  auto owned = std::make_unique<Connection>();
  Connection& connection = *owned;
  connection.id = next_connection_id_++;
  connection.endpoint = endpoint;
  connection.keepalive = keepalive_;
  connection.idle_since = SteadyNow();
  connections_.emplace(connection.id, std::move(owned));
  endpoints_[endpoint].connections.push_back(connection.id);
  StartSweep(keepalive_.tick());
  const uint64_t connection_id = connection.id;
  if (dialer_ != nullptr) {
    // Asynchronous, as a TCP connect is: the calls routed here meanwhile
    // wait in `waiting`.
    loop_->Post([self = shared_from_this(), connection_id] {
      self->DialInProcess(connection_id);
    });
    return connection;
  }
  connection.connector = transport::Connector::Start(
      loop_, endpoints_[endpoint].address, options_.connect_timeout,
      [self = shared_from_this(),
       connection_id](absl::StatusOr<transport::Socket> socket) mutable {
        self->OnConnected(connection_id, std::move(socket));
      });
  return connection;
}

void Channel::Impl::OnConnected(uint64_t connection_id,
                                absl::StatusOr<transport::Socket> socket) {
  auto found = connections_.find(connection_id);
  if (found == connections_.end()) return;
  Connection& connection = *found->second;
  connection.connector.reset();
  if (!socket.ok()) {
    OnClosed(connection_id, absl::UnavailableError(socket.status().message()));
    return;
  }
  transport::ConnectionOptions options;
  options.max_frame_size = options_.max_frame_size;
  Attach(connection, transport::Connection::Create(
                         loop_, std::move(*socket),
                         endpoints_[connection.endpoint].address, options));
}

void Channel::Impl::DialInProcess(uint64_t connection_id) {
  auto found = connections_.find(connection_id);
  // Shut down before the dial ran: open nothing (a TCP connect is cancelled
  // instead), or the server would keep a connection nobody closes.
  if (found == connections_.end() || shut_down_) return;
  transport::ConnectionOptions options;
  options.max_frame_size = options_.max_frame_size;
  absl::StatusOr<std::shared_ptr<transport::Connection>> transport =
      dialer_(loop_, options);
  if (!transport.ok()) {
    OnClosed(connection_id, transport.status());
    return;
  }
  Attach(*found->second, *std::move(transport));
}

void Channel::Impl::Attach(Connection& connection,
                           std::shared_ptr<transport::Connection> transport) {
  const uint64_t connection_id = connection.id;
  connection.connection = std::move(transport);
  std::weak_ptr<Impl> weak = weak_from_this();
  connection.connection->SetFrameCallback(
      [weak, connection_id](transport::Connection&,
                            const transport::FrameView& frame) {
        if (auto self = weak.lock()) self->OnFrame(connection_id, frame);
      });
  connection.connection->SetProtocolErrorCallback(
      [](transport::Connection& conn, const absl::Status& error) {
        internal::SendGoAway(conn, wire::GoAway::PROTOCOL_ERROR, 0,
                             error.message());
        conn.CloseGracefully(error);
      });
  connection.connection->SetCloseCallback(
      [weak, connection_id](transport::Connection&,
                            const absl::Status& reason) {
        if (auto self = weak.lock()) self->OnClosed(connection_id, reason);
      });
  connection.state = Connection::State::kConnected;
  connection.connection->Start();
  wire::Settings settings;
  settings.set_keepalive_interval_us(
      absl::ToInt64Microseconds(keepalive_.interval));
  settings.set_keepalive_timeout_us(
      absl::ToInt64Microseconds(keepalive_.timeout));
  settings.set_max_frame_size(options_.max_frame_size);
  internal::SendMessageFrame(*connection.connection, FrameType::kSettings,
                             settings, nullptr);
  std::vector<uint64_t> waiting = std::move(connection.waiting);
  for (uint64_t id : waiting) {
    auto call = calls_.find(id);
    if (call != calls_.end() && call->second->connection_id == connection_id) {
      Send(connection, *call->second);
    }
  }
}

void Channel::Impl::Send(Connection& connection, Call& call) {
  internal::SendEncodedFrame(*connection.connection, call.frame);
  call.sent = true;
}

void Channel::Impl::OnFrame(uint64_t connection_id,
                            const transport::FrameView& frame) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  Connection& connection = *it->second;
  if (!connection.heard_from_server) MarkHealthy(connection);
  switch (frame.header.type) {
    case FrameType::kResponse:
      OnResponse(connection, frame);
      return;
    case FrameType::kPing:
      connection.connection->SendFrame(FrameType::kPong, {}, frame.payload);
      return;
    case FrameType::kSettings:
      OnSettings(connection, frame);
      return;
    case FrameType::kGoAway:
      OnGoAway(connection, frame);
      return;
    case FrameType::kPong:
      return;
    case FrameType::kRequest:
    case FrameType::kCancel:
      FailProtocol(connection, absl::InvalidArgumentError(absl::StrCat(
                                   transport::FrameTypeName(frame.header.type),
                                   " frame sent to a client")));
      return;
  }
}

void Channel::Impl::MarkHealthy(Connection& connection) {
  connection.heard_from_server = true;
  Endpoint& endpoint = endpoints_[connection.endpoint];
  endpoint.backoff.Reset();
  if (endpoint.ejected) {
    endpoint.ejected = false;
    FRAMERPC_LOG(INFO) << "endpoint " << endpoint.name << " of " << target_
                       << " is up again";
  }
  if (!parked_.empty()) Unpark();
}

void Channel::Impl::Eject(size_t index, const absl::Status& error) {
  Endpoint& endpoint = endpoints_[index];
  const absl::Duration delay = endpoint.backoff.Next();
  if (!endpoint.ejected) {
    FRAMERPC_LOG(WARNING) << "endpoint " << endpoint.name << " of " << target_
                          << " is down (" << error.message()
                          << "); retrying with backoff";
  }
  endpoint.ejected = true;
  endpoint.last_error = error;
  endpoint.retry_at = SteadyNow() + delay;
}

void Channel::Impl::OnResponse(Connection& connection,
                               const transport::FrameView& frame) {
  internal::ResponseHeaderView header;
  if (absl::Status status = internal::ParseResponseHeader(frame, &header);
      !status.ok()) {
    FailProtocol(connection, status);
    return;
  }
  auto it = calls_.find(header.call_id);
  // Unknown ids are normal: the call timed out or was cancelled first.
  if (it == calls_.end() || it->second->connection_id != connection.id) {
    return;
  }
  std::unique_ptr<Call> call = Take(it);
  if (call->response_metadata != nullptr && header.has_metadata()) {
    call->response_metadata->insert(header.full->metadata().begin(),
                                    header.full->metadata().end());
  }
  const uint32_t code = header.status_code;
  if (code == 0) {
    Finish(*call, absl::OkStatus(), frame.payload);
    return;
  }
  const auto status_code = code <= 16 ? static_cast<absl::StatusCode>(code)
                                      : absl::StatusCode::kUnknown;
  if (SteadyNow() >= call->deadline) {
    // The deadline passed before the answer was handled (a handler that saw
    // IsCancelled() at its deadline answers CANCELLED, say): the caller is
    // owed DEADLINE_EXCEEDED, as if the deadline timer had run first.
    Finish(*call,
           absl::DeadlineExceededError(absl::StrCat(
               "deadline exceeded: call to ", call->name(), " on ", target_,
               " (the server answered ", absl::StatusCodeToString(status_code),
               ": ", header.status_message, " too late)")));
    return;
  }
  Finish(*call, absl::Status(status_code, header.status_message));
}

void Channel::Impl::OnSettings(Connection& connection,
                               const transport::FrameView& frame) {
  wire::Settings settings;
  if (absl::Status status = internal::ParseMeta(frame, &settings);
      !status.ok()) {
    FailProtocol(connection, status);
    return;
  }
  if (settings.max_concurrent_calls() > 0) {
    connection.max_calls = settings.max_concurrent_calls();
    if (!slot_waiters_.empty() && !slot_waiters_scheduled_) {
      slot_waiters_scheduled_ = true;
      loop_->Post([self = shared_from_this()] { self->RouteSlotWaiters(); });
    }
  }
  connection.keepalive = internal::KeepalivePolicy::Merge(
      keepalive_, FromMicros(settings.keepalive_interval_us()),
      FromMicros(settings.keepalive_timeout_us()));
  // The detection bound is the adopted timeout plus the adopted tick.
  StartSweep(connection.keepalive.tick());
}

void Channel::Impl::OnGoAway(Connection& connection,
                             const transport::FrameView& frame) {
  wire::GoAway goaway;
  if (absl::Status status = internal::ParseMeta(frame, &goaway); !status.ok()) {
    FailProtocol(connection, status);
    return;
  }
  connection.draining = true;
  connection.goaway_reason = goaway.reason();
  const Endpoint& endpoint = endpoints_[connection.endpoint];
  if (goaway.code() != wire::GoAway::IDLE && !shut_down_) {
    // Shutting down, refusing, or broken: send new calls elsewhere.
    Eject(connection.endpoint,
          absl::UnavailableError(absl::StrCat(
              "server ", endpoint.name, " sent GOAWAY: ", goaway.reason())));
  }
  // Calls the server never saw are safe to send again, elsewhere.
  std::vector<uint64_t> unseen;
  for (uint64_t id : connection.calls) {
    if (id > goaway.last_call_id()) unseen.push_back(id);
  }
  for (uint64_t id : unseen) {
    auto it = calls_.find(id);
    if (it == calls_.end()) continue;
    Unassign(*it->second);
    Route(id);
  }
  if (connection.calls.empty() && connection.connection != nullptr) {
    connection.connection->CloseGracefully(absl::OkStatus());
  }
}

void Channel::Impl::FailProtocol(Connection& connection,
                                 const absl::Status& error) {
  FRAMERPC_LOG(WARNING) << "closing connection to "
                        << endpoints_[connection.endpoint].name << ": "
                        << error.message();
  internal::SendGoAway(*connection.connection, wire::GoAway::PROTOCOL_ERROR, 0,
                       error.message());
  connection.connection->CloseGracefully(error);
}

void Channel::Impl::OnClosed(uint64_t connection_id,
                             const absl::Status& reason) {
  auto found = connections_.find(connection_id);
  if (found == connections_.end()) return;
  Connection& connection = *found->second;
  if (connection.state == Connection::State::kClosed) return;
  const bool was_connected = connection.state == Connection::State::kConnected;
  connection.state = Connection::State::kClosed;
  const std::string& name = endpoints_[connection.endpoint].name;
  // A failure the channel did not ask for takes the endpoint out for a
  // while (a closing we asked for reports OK).
  if (!reason.ok() && !shut_down_ && !connection.draining) {
    Eject(connection.endpoint,
          absl::UnavailableError(was_connected
                                     ? absl::StrCat("connection to ", name,
                                                    " lost: ", reason.message())
                                     : std::string(reason.message())));
  }
  const absl::Status lost = absl::UnavailableError(
      absl::StrCat("connection to ", name, " lost: ",
                   connection.goaway_reason.empty()
                       ? std::string(reason.ok() ? "closed" : reason.message())
                       : absl::StrCat("server sent GOAWAY (",
                                      connection.goaway_reason, ")")));
  std::vector<uint64_t> ids(connection.calls.begin(), connection.calls.end());
  for (uint64_t id : ids) {
    auto it = calls_.find(id);
    if (it == calls_.end()) continue;
    if (!it->second->sent) {
      // Never left this process: try another connection or endpoint.
      Unassign(*it->second);
      Route(id);
      continue;
    }
    std::unique_ptr<Call> call = Take(it);
    Finish(*call, lost);
  }
  // Erase later: we may be inside one of this connection's callbacks.
  loop_->Post([self = shared_from_this(), connection_id] {
    auto it = self->connections_.find(connection_id);
    if (it == self->connections_.end()) return;
    std::vector<uint64_t>& pool =
        self->endpoints_[it->second->endpoint].connections;
    pool.erase(std::remove(pool.begin(), pool.end(), connection_id),
               pool.end());
    self->connections_.erase(it);
  });
}

void Channel::Impl::Unassign(Call& call) {
  auto connection = connections_.find(call.connection_id);
  if (connection != connections_.end()) {
    connection->second->calls.erase(call.id);
  }
  call.connection_id = 0;
  call.sent = false;
}

std::unique_ptr<internal::ClientCall> Channel::Impl::Take(
    CallMap::iterator it) {
  std::unique_ptr<Call> call = std::move(it->second);
  calls_.erase(it);
  if (deadlines_.size() > 2 * calls_.size() + 64) {
    // Mostly stale: keep the live calls' deadlines only.
    deadlines_.clear();
    for (const auto& [id, live] : calls_) {
      if (live->deadline != absl::InfiniteFuture()) {
        deadlines_.emplace_back(live->deadline, id);
      }
    }
    std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
  }
  auto found = connections_.find(call->connection_id);
  if (found != connections_.end()) {
    Connection& connection = *found->second;
    connection.calls.erase(call->id);
    if (!slot_waiters_.empty() && !slot_waiters_scheduled_) {
      // A slot is free: hand it out after the current event is done.
      slot_waiters_scheduled_ = true;
      loop_->Post([self = shared_from_this()] { self->RouteSlotWaiters(); });
    }
    if (connection.calls.empty()) {
      // Stamped by the next sweep: no clock read per call.
      connection.idle_since = absl::InfiniteFuture();
      if (connection.draining && connection.connection != nullptr &&
          connection.state == Connection::State::kConnected) {
        connection.connection->CloseGracefully(absl::OkStatus());
      }
    }
  }
  return call;
}

void Channel::Impl::Abandon(uint64_t id, const absl::Status& status) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  auto connection = connections_.find(it->second->connection_id);
  const bool sent = it->second->sent;
  std::unique_ptr<Call> call = Take(it);
  if (sent && connection != connections_.end() &&
      connection->second->state == Connection::State::kConnected) {
    wire::Cancel cancel;
    cancel.set_call_id(id);
    internal::SendMessageFrame(*connection->second->connection,
                               FrameType::kCancel, cancel, nullptr);
  }
  Finish(*call, status);
}

void Channel::Impl::OnDeadline(uint64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  std::string where;
  if (call.sent) {
    where = " got no answer in time";
  } else if (call.connection_id != 0) {
    where = " was still waiting for its connection";
  } else {
    where = absl::StrCat(" found no endpoint up (",
                         NoEndpointStatus(call, SteadyNow()).message(), ")");
  }
  Abandon(id, absl::DeadlineExceededError(
                  absl::StrCat("deadline exceeded: call to ", call.name(),
                               " on ", target_, where)));
}

void Channel::Impl::AddDeadline(absl::Time deadline, uint64_t id) {
  deadlines_.emplace_back(deadline, id);
  std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
  if (deadline < deadline_timer_at_) ArmDeadlineTimer();
}

void Channel::Impl::ArmDeadlineTimer() {
  if (deadline_timer_ != 0) loop_->CancelTimer(deadline_timer_);
  deadline_timer_ = 0;
  deadline_timer_at_ = absl::InfiniteFuture();
  if (deadlines_.empty() || shut_down_) return;
  deadline_timer_at_ = deadlines_.front().first;
  deadline_timer_ = loop_->RunAfter(deadline_timer_at_ - SteadyNow(),
                                    [weak = weak_from_this()] {
                                      if (auto self = weak.lock())
                                        self->OnDeadlineTimer();
                                    });
}

void Channel::Impl::OnDeadlineTimer() {
  deadline_timer_ = 0;
  deadline_timer_at_ = absl::InfiniteFuture();
  const absl::Time now = SteadyNow();
  while (!deadlines_.empty() && deadlines_.front().first <= now) {
    const uint64_t id = deadlines_.front().second;
    std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
    deadlines_.pop_back();
    OnDeadline(id);  // a no-op for a call that has completed
  }
  ArmDeadlineTimer();
}

void Channel::Impl::OnCancelled(uint64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  Abandon(id, CancelledStatus(*it->second));
}

absl::Status Channel::Impl::NoEndpointStatus(const Call& call,
                                             absl::Time now) const {
  std::vector<std::string> reasons;
  for (const Endpoint& endpoint : endpoints_) {
    reasons.push_back(absl::StrCat(
        endpoint.name, ": ", endpoint.last_error.message(),
        " (next attempt in ",
        absl::FormatDuration(
            absl::Trunc(std::max(endpoint.retry_at - now, absl::ZeroDuration()),
                        absl::Milliseconds(1))),
        ")"));
  }
  return absl::UnavailableError(absl::StrCat(
      endpoints_.size() == 1 ? "endpoint is down: "
                             : "every endpoint is down: ",
      absl::StrJoin(reasons, "; "), "; call to ", call.name(), " not sent"));
}

void Channel::Impl::ScheduleUnpark() {
  if (unpark_timer_ != 0) return;
  absl::Time next = absl::InfiniteFuture();
  for (const Endpoint& endpoint : endpoints_) {
    next = std::min(next, endpoint.retry_at);
  }
  const absl::Duration delay =
      std::max(next - SteadyNow(), absl::Milliseconds(1));
  unpark_timer_ = loop_->RunAfter(delay, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->unpark_timer_ = 0;
      self->Unpark();
    }
  });
}

void Channel::Impl::Unpark() {
  std::deque<uint64_t> parked;
  parked.swap(parked_);
  for (uint64_t id : parked) Route(id);
}

void Channel::Impl::StartSweep(absl::Duration tick) {
  if (sweep_timer_ != 0 && tick >= sweep_tick_) return;
  if (sweep_timer_ != 0) loop_->CancelTimer(sweep_timer_);
  sweep_tick_ = tick;
  sweep_timer_ = loop_->RunEvery(tick, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->Sweep();
  });
}

void Channel::Impl::Sweep() {
  const absl::Time now = SteadyNow();
  for (auto& [id, owned] : connections_) {
    Connection& connection = *owned;
    if (connection.state != Connection::State::kConnected) continue;
    const absl::Time last = connection.connection->last_receive_time();
    switch (connection.keepalive.Check(now, last, connection.last_ping)) {
      case internal::KeepalivePolicy::Action::kDead:
        // The close callback fails the calls with this reason.
        connection.connection->ForceClose(absl::UnavailableError(absl::StrCat(
            "no frame for ",
            absl::FormatDuration(
                absl::Trunc(now - last, absl::Milliseconds(1))),
            " (heartbeat timeout ",
            absl::FormatDuration(connection.keepalive.timeout), ")")));
        continue;
      case internal::KeepalivePolicy::Action::kPing: {
        connection.last_ping = now;
        const uint64_t sequence = ++connection.pings_sent;
        char payload[transport::kPingPayloadSize];
        for (size_t i = 0; i < sizeof(payload); ++i) {
          payload[i] = static_cast<char>(sequence >> (8 * (7 - i)));
        }
        connection.connection->SendFrame(
            FrameType::kPing, {}, absl::string_view(payload, sizeof(payload)));
        break;
      }
      case internal::KeepalivePolicy::Action::kNone:
        break;
    }
    if (connection.calls.empty() &&
        connection.idle_since == absl::InfiniteFuture()) {
      connection.idle_since = now;
    }
    if (connection.calls.empty() && !connection.draining &&
        options_.idle_timeout != absl::InfiniteDuration() &&
        now - connection.idle_since >= options_.idle_timeout) {
      connection.draining = true;
      connection.connection->CloseGracefully(absl::OkStatus());
    }
  }
}

void Channel::Impl::ShutdownOnLoop() {
  shut_down_ = true;
  if (sweep_timer_ != 0) loop_->CancelTimer(sweep_timer_);
  if (unpark_timer_ != 0) loop_->CancelTimer(unpark_timer_);
  if (deadline_timer_ != 0) loop_->CancelTimer(deadline_timer_);
  sweep_timer_ = unpark_timer_ = deadline_timer_ = 0;
  deadlines_.clear();
  parked_.clear();
  slot_waiters_.clear();
  while (!calls_.empty()) {
    std::unique_ptr<Call> call = Take(calls_.begin());
    Finish(*call, absl::CancelledError(absl::StrCat(
                      "channel to ", target_, " destroyed before call to ",
                      call->name(), " completed")));
  }
  for (auto& [id, connection] : connections_) {
    if (connection->connector != nullptr) connection->connector->Cancel();
    if (connection->connection != nullptr) {
      connection->connection->CloseGracefully(absl::OkStatus());
    }
  }
}

}  // namespace framerpc
