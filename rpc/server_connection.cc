// Copyright 2026 The framerpc Authors.

#include "rpc/server_connection.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "base/steady_clock.h"
#include "framerpc/wire.pb.h"

namespace framerpc::internal {
namespace {

using transport::FrameType;

// Status messages longer than this are cut, so that a handler's error text
// can never make a response exceed the frame limit.
constexpr size_t kMaxStatusMessageBytes = 64 * 1024;

absl::Time DeadlineFromTimeout(absl::Time now, uint64_t timeout_us) {
  if (timeout_us == 0) return absl::InfiniteFuture();
  const uint64_t max =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return now +
         absl::Microseconds(static_cast<int64_t>(std::min(timeout_us, max)));
}

}  // namespace

bool ServerState::TryAcquireCall() {
  if (active_calls.fetch_add(1, std::memory_order_relaxed) >=
      options.max_concurrent_calls) {
    ReleaseCall();
    return false;
  }
  return true;
}

void ServerState::ReleaseCall() {
  // Only a shutdown waiting for the last call pays for the lock.
  if (active_calls.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
      awaiting_no_calls.load(std::memory_order_seq_cst)) {
    absl::MutexLock lock(&mu);
    no_calls.SignalAll();
  }
}

bool ServerState::AwaitNoCalls(absl::Time deadline) {
  awaiting_no_calls.store(true, std::memory_order_seq_cst);
  absl::MutexLock lock(&mu);
  while (active_calls.load(std::memory_order_seq_cst) > 0) {
    if (no_calls.WaitWithTimeout(&mu, deadline - SteadyNow())) {
      return active_calls.load(std::memory_order_seq_cst) == 0;
    }
  }
  return true;
}

ServerCall::ServerCall(std::weak_ptr<ServerConnection> connection,
                       std::shared_ptr<LoopHandle> loop, uint64_t id,
                       size_t max_frame_size, const std::string* service,
                       const std::string* method, std::string peer,
                       absl::Time deadline, Metadata metadata)
    : connection_(std::move(connection)),
      loop_(std::move(loop)),
      id_(id),
      max_frame_size_(max_frame_size),
      context_(service, method, std::move(peer), deadline,
               std::move(metadata)) {}

ServerCall::~ServerCall() {
  if (destroy_storage_ != nullptr) destroy_storage_(storage_);
}

void* ServerCall::InlineStorage(size_t size, size_t align,
                                void (*destroy)(void*)) {
  if (destroy_storage_ != nullptr || size > sizeof(storage_) ||
      align > alignof(std::max_align_t)) {
    return nullptr;
  }
  destroy_storage_ = destroy;
  return storage_;
}

void ServerCall::Finish(const absl::Status& status,
                        const google::protobuf::MessageLite* response) {
  if (finished_.exchange(true, std::memory_order_acq_rel)) return;
  std::string message_storage;
  const google::protobuf::MessageLite* payload =
      status.ok() ? response : nullptr;
  size_t payload_size = payload == nullptr ? 0 : payload->ByteSizeLong();
  ResponseMeta meta(id_, static_cast<uint32_t>(status.code()),
                    WireStatusMessage(status.message(), kMaxStatusMessageBytes,
                                      &message_storage),
                    context_.response_metadata());
  if (const size_t size =
          transport::kFrameHeaderSize + meta.size() + payload_size;
      size > max_frame_size_) {
    message_storage = absl::StrCat(
        "response of ", size, " bytes exceeds the server's frame limit of ",
        max_frame_size_, " bytes (ServerOptions.max_frame_size)");
    meta = ResponseMeta(
        id_, static_cast<uint32_t>(absl::StatusCode::kResourceExhausted),
        message_storage, Metadata());
    payload = nullptr;
    payload_size = 0;
  }
  if (loop_->IsInLoopThread()) {
    // Serialized straight into the connection's output: no copy.
    if (auto connection = connection_.lock()) {
      connection->Complete(id_, meta, payload, payload_size);
    }
    return;
  }
  EncodedFrame frame = EncodeResponseFrame(meta, payload, payload_size);
  loop_->Post([connection = connection_, id = id_, frame = std::move(frame)] {
    if (auto locked = connection.lock()) locked->Complete(id, frame);
  });
}

void RunHandler(const std::shared_ptr<ServerCall>& call,
                const MethodHandler* handler, absl::string_view payload) {
  try {
    handler->Run(call, payload);
  } catch (const std::exception& e) {
    const ServerContext& context = call->context();
    call->Finish(absl::InternalError(absl::StrCat(
                     "handler of ", context.service(), "/", context.method(),
                     " threw an exception: ", e.what())),
                 nullptr);
  } catch (...) {
    const ServerContext& context = call->context();
    call->Finish(absl::InternalError(absl::StrCat(
                     "handler of ", context.service(), "/", context.method(),
                     " threw a non-standard exception")),
                 nullptr);
  }
}

ServerConnection::ServerConnection(
    std::shared_ptr<ServerState> state, std::shared_ptr<LoopHandle> loop,
    std::shared_ptr<transport::Connection> connection)
    : state_(std::move(state)),
      loop_handle_(std::move(loop)),
      connection_(std::move(connection)),
      peer_(connection_->peer_name()),
      keepalive_{state_->options.keepalive_interval,
                 state_->options.keepalive_timeout},
      idle_since_(SteadyNow()) {}

void ServerConnection::Start(absl::AnyInvocable<void()> on_closed) {
  on_closed_ = std::move(on_closed);
  // `this` outlives the callbacks: the server's registry drops this object
  // only after the close callback has run.
  connection_->SetFrameCallback(
      [this](transport::Connection&, const transport::FrameView& frame) {
        OnFrame(frame);
      });
  connection_->SetProtocolErrorCallback(
      [this](transport::Connection&, const absl::Status& error) {
        FailConnection(error);
      });
  // Backpressure: while the client lets answers pile up, read no more
  // requests from it.
  connection_->SetHighWatermarkCallback(
      [](transport::Connection& connection) { connection.PauseReading(); });
  connection_->SetWritableCallback(
      [](transport::Connection& connection) { connection.ResumeReading(); });
  connection_->SetCloseCallback(
      [this](transport::Connection&, const absl::Status& reason) {
        OnClosed(reason);
      });
  connection_->Start();
  // The first frame on every connection states the server's policy.
  wire::Settings settings;
  settings.set_keepalive_interval_us(
      absl::ToInt64Microseconds(keepalive_.interval));
  settings.set_keepalive_timeout_us(
      absl::ToInt64Microseconds(keepalive_.timeout));
  settings.set_max_frame_size(state_->options.max_frame_size);
  // Per connection: the smaller of the two limits.
  settings.set_max_concurrent_calls(
      std::min(state_->options.max_calls_per_connection,
               state_->options.max_concurrent_calls));
  SendMessageFrame(*connection_, FrameType::kSettings, settings, nullptr);
}

void ServerConnection::Sweep(absl::Time now) {
  if (closed_) return;
  switch (keepalive_.Check(now, connection_->last_receive_time(), last_ping_)) {
    case KeepalivePolicy::Action::kDead:
      connection_->ForceClose(absl::UnavailableError(absl::StrCat(
          "no frame from ", peer_, " for ",
          absl::FormatDuration(absl::Trunc(
              now - connection_->last_receive_time(), absl::Milliseconds(1))),
          " (heartbeat timeout ", absl::FormatDuration(keepalive_.timeout),
          ")")));
      return;
    case KeepalivePolicy::Action::kPing: {
      last_ping_ = now;
      char payload[transport::kPingPayloadSize] = {};
      const uint64_t sequence = ++pings_sent_;
      for (size_t i = 0; i < sizeof(payload); ++i) {
        payload[i] = static_cast<char>(sequence >> (8 * (7 - i)));
      }
      connection_->SendFrame(FrameType::kPing, {},
                             absl::string_view(payload, sizeof(payload)));
      break;
    }
    case KeepalivePolicy::Action::kNone:
      break;
  }
  // Calls past their deadline: the client has given up. Free their slots
  // and tell the handlers (IsCancelled() also checks the deadline itself,
  // so a handler sees it at once; this only frees the slot, within a tick).
  std::vector<uint64_t> expired;
  for (const auto& [id, call] : calls_) {
    if (call->context().steady_deadline() <= now) expired.push_back(id);
  }
  for (uint64_t id : expired) Forget(id)->context().MarkCancelled();
  // Checked here, between loop turns, so that output is what the kernel
  // would not take: a burst of answers flushed in one turn never counts.
  // (Complete() checks it too, as answers arrive.)
  const size_t queued = connection_->pending_output_bytes();
  if (queued > state_->options.max_pending_output) {
    CloseForUnreadOutput(queued);
    return;
  }
  const absl::Time partial = connection_->incomplete_frame_since();
  if (partial != absl::InfiniteFuture() &&
      now - partial >= state_->options.frame_read_timeout) {
    FailConnection(absl::DeadlineExceededError(
        absl::StrCat("frame not completed within ",
                     absl::FormatDuration(state_->options.frame_read_timeout),
                     " (ServerOptions.frame_read_timeout)")));
    return;
  }
  const absl::Duration idle_timeout = state_->options.idle_timeout;
  if (calls_.empty() && idle_since_ == absl::InfiniteFuture()) {
    idle_since_ = now;
  }
  if (calls_.empty() && !draining_ &&
      idle_timeout != absl::InfiniteDuration() &&
      now - idle_since_ >= idle_timeout) {
    draining_ = true;
    goaway_last_call_id_ = last_call_id_;
    SendGoAway(*connection_, wire::GoAway::IDLE, last_call_id_,
               absl::StrCat("connection idle for ",
                            absl::FormatDuration(idle_timeout)));
    connection_->CloseGracefully(absl::OkStatus());
  }
}

void ServerConnection::OnFrame(const transport::FrameView& frame) {
  switch (frame.header.type) {
    case FrameType::kRequest:
      OnRequest(frame);
      return;
    case FrameType::kCancel:
      OnCancel(frame);
      return;
    case FrameType::kPing:
      connection_->SendFrame(FrameType::kPong, {}, frame.payload);
      return;
    case FrameType::kSettings: {
      wire::Settings settings;
      if (absl::Status status = ParseMeta(frame, &settings); !status.ok()) {
        FailConnection(status);
        return;
      }
      keepalive_ = KeepalivePolicy::Merge(
          keepalive_,
          absl::Microseconds(static_cast<int64_t>(
              std::min<uint64_t>(settings.keepalive_interval_us(), INT64_MAX))),
          absl::Microseconds(static_cast<int64_t>(
              std::min<uint64_t>(settings.keepalive_timeout_us(), INT64_MAX))));
      if (request_tick_) request_tick_(keepalive_.tick());
      return;
    }
    case FrameType::kPong:
    case FrameType::kGoAway:
      // The client says it sends no more calls; the ones in flight finish.
      return;
    case FrameType::kResponse:
      FailConnection(absl::InvalidArgumentError(
          "RESPONSE frame sent to a server (only clients receive responses)"));
      return;
  }
}

void ServerConnection::OnRequest(const transport::FrameView& frame) {
  RequestHeaderView header;
  if (absl::Status status = ParseRequestHeader(frame, &header); !status.ok()) {
    FailConnection(status);
    return;
  }
  const uint64_t id = header.call_id;
  if (id == 0) {
    FailConnection(absl::InvalidArgumentError("REQUEST with call id 0"));
    return;
  }
  if (calls_.contains(id)) {
    FailConnection(absl::InvalidArgumentError(
        absl::StrCat("call id ", id, " reused while that call is in flight")));
    return;
  }
  last_call_id_ = std::max(last_call_id_, id);
  if (draining_ && id > goaway_last_call_id_) {
    Reject(id, absl::UnavailableError(
                   "server is shutting down; the call was not started"));
    return;
  }
  const Service* service = last_service_;
  const MethodHandler* handler = last_handler_;
  if (handler == nullptr || header.method != handler->name() ||
      header.service != service->name()) {
    auto found = state_->services.find(header.service);
    if (found == state_->services.end()) {
      Reject(id, absl::UnimplementedError(
                     absl::StrCat("unknown service '", header.service, "'")));
      return;
    }
    service = found->second;
    handler = service->FindMethod(header.method);
    if (handler == nullptr) {
      Reject(id, absl::UnimplementedError(
                     absl::StrCat("service '", header.service,
                                  "' has no method '", header.method, "'")));
      return;
    }
    last_service_ = service;
    last_handler_ = handler;
  }
  size_t metadata_size = 0;
  if (header.has_metadata()) {
    for (const auto& [key, value] : header.full->metadata()) {
      metadata_size += key.size() + value.size();
    }
  }
  if (metadata_size > state_->options.max_metadata_size) {
    Reject(id, absl::ResourceExhaustedError(
                   absl::StrCat("request metadata of ", metadata_size,
                                " bytes exceeds the limit of ",
                                state_->options.max_metadata_size,
                                " bytes (ServerOptions.max_metadata_size)")));
    return;
  }
  if (calls_.size() >=
      static_cast<size_t>(state_->options.max_calls_per_connection)) {
    Reject(id,
           absl::ResourceExhaustedError(absl::StrCat(
               "connection is at its limit of ",
               state_->options.max_calls_per_connection,
               " calls in flight (ServerOptions.max_calls_per_connection)")));
    return;
  }
  if (!state_->TryAcquireCall()) {
    Reject(id, absl::ResourceExhaustedError(absl::StrCat(
                   "server is serving its limit of ",
                   state_->options.max_concurrent_calls,
                   " calls at once (ServerOptions.max_concurrent_calls)")));
    return;
  }
  // The timeout counts from when the request arrived: the read that
  // brought its last bytes (no clock read per call). Steady clock.
  const absl::Time deadline =
      DeadlineFromTimeout(connection_->last_receive_time(), header.timeout_us);
  Metadata metadata;
  if (header.has_metadata()) {
    metadata = Metadata(header.full->metadata().begin(),
                        header.full->metadata().end());
  }
  auto call = std::make_shared<ServerCall>(
      weak_from_this(), loop_handle_, id, state_->options.max_frame_size,
      &service->name(), &handler->name(), peer_, deadline, std::move(metadata));
  calls_.emplace(id, call);
  Dispatch(std::move(call), handler, frame.payload);
}

void ServerConnection::Dispatch(std::shared_ptr<ServerCall> call,
                                const MethodHandler* handler,
                                absl::string_view payload) {
  if (state_->workers == nullptr) {
    RunHandler(call, handler, payload);
    return;
  }
  state_->workers->Schedule(
      [call = std::move(call), handler, payload = std::string(payload)] {
        // A call whose deadline passed (or that was cancelled) while it
        // waited for a worker is not worth running.
        if (call->context().IsCancelled()) {
          call->Finish(absl::DeadlineExceededError(
                           "deadline passed or call cancelled before the "
                           "handler started"),
                       nullptr);
          return;
        }
        RunHandler(call, handler, payload);
      });
}

void ServerConnection::OnCancel(const transport::FrameView& frame) {
  wire::Cancel cancel;
  if (absl::Status status = ParseMeta(frame, &cancel); !status.ok()) {
    FailConnection(status);
    return;
  }
  // A CANCEL for a call that already finished (or never existed) is normal:
  // it crossed the response on the wire.
  if (std::shared_ptr<ServerCall> call = Forget(cancel.call_id())) {
    call->context().MarkCancelled();
  }
}

std::shared_ptr<ServerCall> ServerConnection::Forget(uint64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return nullptr;
  std::shared_ptr<ServerCall> call = std::move(it->second);
  calls_.erase(it);
  state_->ReleaseCall();
  // Stamped by the next sweep: no clock read per call.
  if (calls_.empty()) idle_since_ = absl::InfiniteFuture();
  return call;
}

void ServerConnection::Complete(uint64_t id, const EncodedFrame& frame) {
  if (!TakeAnswer(id, frame.frame_size())) return;
  SendEncodedFrame(*connection_, frame);
}

void ServerConnection::Complete(uint64_t id, const ResponseMeta& meta,
                                const google::protobuf::MessageLite* response,
                                size_t response_size) {
  if (!TakeAnswer(id,
                  transport::kFrameHeaderSize + meta.size() + response_size)) {
    return;
  }
  SendResponseFrame(*connection_, meta, response, response_size);
}

bool ServerConnection::TakeAnswer(uint64_t id, size_t frame_size) {
  if (Forget(id) == nullptr || closed_) return false;
  // The calls already read keep finishing after reading paused: without
  // this check, the answers of every one of them (up to
  // max_calls_per_connection of up to max_frame_size each) would pile up
  // between two sweeps for a client that does not read. Answers of this
  // turn have not been offered to the kernel yet; they may add up to
  // another max_pending_output before they count against the client.
  // A burst past the cap within one turn is offered to the kernel at once:
  // a client that reads takes it (an in-process one takes all of it), one
  // that does not leaves it queued and is closed.
  const size_t cap = state_->options.max_pending_output;
  size_t queued = connection_->pending_output_bytes();
  if (OutputCarriedIntoThisTurn() > cap) {
    CloseForUnreadOutput(queued);
    return false;
  }
  if (queued + frame_size > cap) {
    connection_->Flush();
    if (closed_) return false;  // the write failed
    queued = connection_->pending_output_bytes();
  }
  if (queued + frame_size > 2 * cap) {
    CloseForUnreadOutput(queued);
    return false;
  }
  return true;
}

size_t ServerConnection::OutputCarriedIntoThisTurn() {
  if (!turn_marked_) {
    // The first answer of this loop turn: what is queued now was queued in
    // earlier turns, so it has been offered to the kernel already.
    turn_marked_ = true;
    carried_output_ = connection_->pending_output_bytes();
    connection_->loop()->RunAtEndOfTurn([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->turn_marked_ = false;
    });
  }
  return carried_output_;
}

void ServerConnection::CloseForUnreadOutput(size_t queued) {
  const absl::Status error = absl::ResourceExhaustedError(absl::StrCat(
      "client ", peer_, " is not reading its responses: ", queued,
      " bytes queued, over the limit of ", state_->options.max_pending_output,
      " bytes (ServerOptions.max_pending_output)"));
  FRAMERPC_LOG(WARNING) << "closing connection: " << error.message();
  close_logged_ = true;
  // A GOAWAY would only queue behind what the client does not read.
  connection_->ForceClose(error);
}

void ServerConnection::Reject(uint64_t id, const absl::Status& status) {
  const auto code = static_cast<uint32_t>(status.code());
  // The message may quote the request (its service or method name), so it
  // can outgrow the frame limit: it gets what the frame has left beside
  // the header's other fields and its own tag and length (one byte and at
  // most three for a message of at most 64 KiB).
  const size_t fixed = transport::kFrameHeaderSize +
                       ResponseMeta(id, code, "", Metadata()).size() + 4;
  const size_t limit = state_->options.max_frame_size;
  std::string storage;
  const absl::string_view message = WireStatusMessage(
      status.message(),
      std::min(kMaxStatusMessageBytes, limit > fixed ? limit - fixed : 0),
      &storage);
  SendResponseFrame(*connection_, ResponseMeta(id, code, message, Metadata()),
                    nullptr, 0);
}

void ServerConnection::FailConnection(const absl::Status& error) {
  if (closed_) return;
  FRAMERPC_LOG(WARNING) << "closing connection from " << peer_ << ": "
                        << error.message();
  close_logged_ = true;
  const auto code = absl::IsResourceExhausted(error)
                        ? wire::GoAway::RESOURCE_EXHAUSTED
                        : wire::GoAway::PROTOCOL_ERROR;
  SendGoAway(*connection_, code, last_call_id_, error.message());
  connection_->CloseGracefully(error);
}

void ServerConnection::Drain() {
  if (draining_ || closed_) return;
  draining_ = true;
  goaway_last_call_id_ = last_call_id_;
  SendGoAway(*connection_, wire::GoAway::NO_ERROR, last_call_id_,
             "server shutting down");
}

void ServerConnection::Close(const absl::Status& status) {
  if (closed_) return;
  while (!calls_.empty()) {
    const uint64_t id = calls_.begin()->first;
    std::shared_ptr<ServerCall> call = Forget(id);
    call->context().MarkCancelled();
    Reject(id, status);
  }
  connection_->CloseGracefully(absl::OkStatus(), absl::Milliseconds(200));
}

void ServerConnection::OnClosed(const absl::Status& reason) {
  closed_ = true;
  if (!reason.ok() && !absl::IsUnavailable(reason) && !close_logged_) {
    FRAMERPC_LOG(INFO) << "connection from " << peer_
                       << " closed: " << reason.message();
  }
  while (!calls_.empty()) {
    std::shared_ptr<ServerCall> call = Forget(calls_.begin()->first);
    call->context().MarkCancelled();
  }
  state_->connections.fetch_sub(1, std::memory_order_relaxed);
  absl::AnyInvocable<void()> on_closed = std::move(on_closed_);
  if (on_closed) on_closed();
}

}  // namespace framerpc::internal
