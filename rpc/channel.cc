// Copyright 2026 The framerpc Authors.

#include "rpc/channel.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/logging.h"
#include "framerpc/wire.pb.h"
#include "google/protobuf/message_lite.h"
#include "rpc/client_call.h"
#include "rpc/client_loops.h"
#include "rpc/frame_io.h"
#include "transport/connection.h"
#include "transport/connector.h"
#include "transport/endpoint.h"

namespace framerpc {

using internal::ClientCall;
using internal::EncodedFrame;
using transport::FrameType;

namespace {

// One TCP connection of a channel and the calls sent (or waiting) on it.
// Loop thread only.
struct ClientConnection {
  enum class State { kConnecting, kConnected, kClosed };
  uint64_t id = 0;
  State state = State::kConnecting;
  std::shared_ptr<transport::Connector> connector;
  std::shared_ptr<transport::Connection> connection;
  // Calls sent on this connection or waiting for it to connect.
  std::vector<uint64_t> waiting;
  absl::flat_hash_map<uint64_t, bool> calls;  // id -> sent
  // Set by a GOAWAY: no new calls go here.
  bool draining = false;
  std::string goaway_reason;
};

absl::Status ValidateOptions(const ChannelOptions& options) {
  if (options.max_frame_size < 1024 ||
      options.max_frame_size > (size_t{2} << 30)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ChannelOptions.max_frame_size must be in 1 KiB..2 GiB, not ",
        options.max_frame_size));
  }
  if (options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ChannelOptions.connect_timeout must be positive");
  }
  if (options.default_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ChannelOptions.default_timeout must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

// Thread safety: StartCall() and the destructor's Shutdown() run on any
// thread and only post to `loop_`; everything else runs on `loop_`.
class Channel::Impl : public std::enable_shared_from_this<Channel::Impl> {
 public:
  Impl(std::string target, std::vector<transport::Endpoint> endpoints,
       ChannelOptions options)
      : target_(std::move(target)),
        endpoints_(std::move(endpoints)),
        options_(options),
        loop_(internal::SharedClientLoops().Next()) {}

  const std::string& target() const { return target_; }

  void StartCall(const RpcMethod& method,
                 const google::protobuf::MessageLite& request,
                 const CallOptions& options, RawCompletion done) {
    const absl::Time now = absl::Now();
    absl::Time deadline = options.deadline;
    if (deadline == absl::InfiniteFuture()) {
      const absl::Duration timeout = options.timeout == absl::ZeroDuration()
                                         ? options_.default_timeout
                                         : options.timeout;
      deadline = now + timeout;
    }
    auto call = std::make_unique<ClientCall>();
    call->id = next_call_id_.fetch_add(1, std::memory_order_relaxed);
    call->deadline = deadline;
    call->name = absl::StrCat(method.service, "/", method.method);
    call->done = std::move(done);
    call->response_metadata = options.response_metadata;
    if (deadline <= now) {
      Finish(*call, absl::DeadlineExceededError(
                        absl::StrCat("deadline passed before the call to ",
                                     call->name, " on ", target_, " started")));
      return;
    }
    wire::RequestHeader header;
    header.set_call_id(call->id);
    header.set_service(std::string(method.service));
    header.set_method(std::string(method.method));
    if (deadline != absl::InfiniteFuture()) {
      header.set_timeout_us(
          std::max<int64_t>(1, absl::ToInt64Microseconds(deadline - now)));
    }
    for (const auto& [key, value] : options.metadata) {
      (*header.mutable_metadata())[key] = value;
    }
    call->frame = internal::EncodeFrame(FrameType::kRequest, header, &request);
    if (call->frame.frame_size() > options_.max_frame_size) {
      Finish(*call,
             absl::ResourceExhaustedError(absl::StrCat(
                 "request to ", call->name, " is ", call->frame.frame_size(),
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
    loop_->Post([self = shared_from_this(), call = std::move(call)]() mutable {
      self->StartOnLoop(std::move(call));
    });
  }

  // Any thread: fails every call with CANCELLED and closes the connections.
  void Shutdown() {
    loop_->Post([self = shared_from_this()] { self->ShutdownOnLoop(); });
  }

 private:
  static absl::Status CancelledStatus(const ClientCall& call) {
    return absl::CancelledError(
        absl::StrCat("call to ", call.name, " cancelled by the caller"));
  }

  // Runs the completion. Any thread for a call never posted; loop thread
  // otherwise.
  static void Finish(ClientCall& call, const absl::Status& status,
                     absl::string_view payload = {}) {
    if (call.canceller != nullptr)
      call.canceller->Unregister(call.cancel_token);
    RawCompletion done = std::move(call.done);
    done(status, payload);
  }

  void StartOnLoop(std::unique_ptr<ClientCall> call) {
    if (shut_down_) {
      Finish(*call, absl::CancelledError(absl::StrCat(
                        "channel to ", target_, " destroyed; call to ",
                        call->name, " not sent")));
      return;
    }
    const uint64_t id = call->id;
    const absl::Duration left = call->deadline - absl::Now();
    if (call->deadline != absl::InfiniteFuture()) {
      call->timer = loop_->RunAfter(
          left, [self = shared_from_this(), id] { self->OnDeadline(id); });
    }
    ClientConnection& connection = PickConnection();
    call->connection_id = connection.id;
    ClientCall* raw = call.get();
    std::shared_ptr<CallCanceller> canceller = call->canceller;
    calls_.emplace(id, std::move(call));
    connection.calls.emplace(id, false);
    if (connection.state == ClientConnection::State::kConnected) {
      Send(connection, *raw);
    } else {
      connection.waiting.push_back(id);
    }
    if (canceller != nullptr) {
      // Last: a canceller that has already fired runs this at once, and
      // the call must be in the tables by then.
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

  // The connection new calls go to: the current one unless it is closed or
  // draining, in which case a new one is opened.
  ClientConnection& PickConnection() {
    if (current_ != nullptr && !current_->draining &&
        current_->state != ClientConnection::State::kClosed) {
      return *current_;
    }
    auto connection = std::make_shared<ClientConnection>();
    connection->id = next_connection_id_++;
    connections_.emplace(connection->id, connection);
    current_ = connection;
    const uint64_t connection_id = connection->id;
    connection->connector = transport::Connector::Start(
        loop_, endpoints_.front(), options_.connect_timeout,
        [self = shared_from_this(),
         connection_id](absl::StatusOr<transport::Socket> socket) mutable {
          self->OnConnected(connection_id, std::move(socket));
        });
    return *connection;
  }

  void OnConnected(uint64_t connection_id,
                   absl::StatusOr<transport::Socket> socket) {
    auto it = connections_.find(connection_id);
    if (it == connections_.end()) return;
    std::shared_ptr<ClientConnection> connection = it->second;
    connection->connector.reset();
    if (!socket.ok()) {
      CloseConnection(*connection,
                      absl::UnavailableError(socket.status().message()));
      return;
    }
    transport::ConnectionOptions options;
    options.max_frame_size = options_.max_frame_size;
    connection->connection = transport::Connection::Create(
        loop_, std::move(*socket), endpoints_.front(), options);
    std::weak_ptr<Impl> weak = weak_from_this();
    connection->connection->SetFrameCallback(
        [weak, connection_id](transport::Connection&,
                              const transport::FrameView& frame) {
          if (auto self = weak.lock()) self->OnFrame(connection_id, frame);
        });
    connection->connection->SetProtocolErrorCallback(
        [weak, connection_id](transport::Connection& conn,
                              const absl::Status& error) {
          internal::SendGoAway(conn, wire::GoAway::PROTOCOL_ERROR, 0,
                               error.message());
          conn.CloseGracefully(error);
        });
    connection->connection->SetCloseCallback([weak, connection_id](
                                                 transport::Connection&,
                                                 const absl::Status& reason) {
      auto self = weak.lock();
      if (self == nullptr) return;
      auto found = self->connections_.find(connection_id);
      if (found == self->connections_.end()) return;
      std::shared_ptr<ClientConnection> closed = found->second;
      self->CloseConnection(
          *closed,
          absl::UnavailableError(absl::StrCat(
              "connection to ", self->endpoints_.front().ToString(), " lost: ",
              closed->goaway_reason.empty()
                  ? std::string(reason.message())
                  : absl::StrCat("server sent GOAWAY (", closed->goaway_reason,
                                 ")"))));
    });
    connection->state = ClientConnection::State::kConnected;
    connection->connection->Start();
    std::vector<uint64_t> waiting = std::move(connection->waiting);
    for (uint64_t id : waiting) {
      auto call = calls_.find(id);
      if (call != calls_.end()) Send(*connection, *call->second);
    }
  }

  void Send(ClientConnection& connection, ClientCall& call) {
    internal::SendEncodedFrame(*connection.connection, call.frame);
    call.sent = true;
    connection.calls[call.id] = true;
    // The bytes are in the connection's buffer now.
    call.frame.body = std::string();
  }

  void OnFrame(uint64_t connection_id, const transport::FrameView& frame) {
    auto it = connections_.find(connection_id);
    if (it == connections_.end()) return;
    ClientConnection& connection = *it->second;
    switch (frame.header.type) {
      case FrameType::kResponse:
        OnResponse(connection, frame);
        return;
      case FrameType::kPing:
        connection.connection->SendFrame(FrameType::kPong, {}, frame.payload);
        return;
      case FrameType::kGoAway:
        OnGoAway(connection, frame);
        return;
      case FrameType::kPong:
      case FrameType::kSettings:
        return;
      case FrameType::kRequest:
      case FrameType::kCancel:
        FailProtocol(connection,
                     absl::InvalidArgumentError(absl::StrCat(
                         transport::FrameTypeName(frame.header.type),
                         " frame sent to a client")));
        return;
    }
  }

  void FailProtocol(ClientConnection& connection, const absl::Status& error) {
    FRAMERPC_LOG(WARNING) << "closing connection to " << target_ << ": "
                          << error.message();
    internal::SendGoAway(*connection.connection, wire::GoAway::PROTOCOL_ERROR,
                         0, error.message());
    connection.connection->CloseGracefully(error);
  }

  void OnResponse(ClientConnection& connection,
                  const transport::FrameView& frame) {
    wire::ResponseHeader header;
    if (absl::Status status = internal::ParseMeta(frame, &header);
        !status.ok()) {
      FailProtocol(connection, status);
      return;
    }
    auto it = calls_.find(header.call_id());
    // Unknown ids are normal: the call timed out or was cancelled first.
    if (it == calls_.end() || it->second->connection_id != connection.id) {
      return;
    }
    std::unique_ptr<ClientCall> call = Take(it);
    if (call->response_metadata != nullptr) {
      call->response_metadata->insert(header.metadata().begin(),
                                      header.metadata().end());
    }
    const uint32_t code = header.status_code();
    if (code == 0) {
      Finish(*call, absl::OkStatus(), frame.payload);
      return;
    }
    const auto status_code = code <= 16 ? static_cast<absl::StatusCode>(code)
                                        : absl::StatusCode::kUnknown;
    Finish(*call, absl::Status(status_code, header.status_message()));
  }

  void OnGoAway(ClientConnection& connection,
                const transport::FrameView& frame) {
    wire::GoAway goaway;
    if (absl::Status status = internal::ParseMeta(frame, &goaway);
        !status.ok()) {
      FailProtocol(connection, status);
      return;
    }
    connection.draining = true;
    connection.goaway_reason = goaway.reason();
    if (goaway.code() != wire::GoAway::NO_ERROR) {
      FRAMERPC_LOG(WARNING) << "server " << target_
                            << " closes the connection: " << goaway.reason();
    }
    // Calls the server never saw fail now; the rest are still answered.
    std::vector<uint64_t> unseen;
    for (const auto& [id, sent] : connection.calls) {
      if (id > goaway.last_call_id()) unseen.push_back(id);
    }
    for (uint64_t id : unseen) {
      auto it = calls_.find(id);
      if (it == calls_.end()) continue;
      std::unique_ptr<ClientCall> call = Take(it);
      Finish(*call, absl::UnavailableError(absl::StrCat(
                        "server ", target_, " is going away (", goaway.reason(),
                        "); call to ", call->name, " was not processed")));
    }
    if (connection.calls.empty() && connection.connection != nullptr) {
      connection.connection->CloseGracefully(absl::OkStatus());
    }
  }

  // Removes a call from every table; the caller completes it.
  std::unique_ptr<ClientCall> Take(
      absl::flat_hash_map<uint64_t, std::unique_ptr<ClientCall>>::iterator it) {
    std::unique_ptr<ClientCall> call = std::move(it->second);
    calls_.erase(it);
    if (call->timer != 0) loop_->CancelTimer(call->timer);
    auto connection = connections_.find(call->connection_id);
    if (connection != connections_.end()) {
      connection->second->calls.erase(call->id);
      if (connection->second->draining && connection->second->calls.empty() &&
          connection->second->connection != nullptr) {
        connection->second->connection->CloseGracefully(absl::OkStatus());
      }
    }
    return call;
  }

  // Fails the call `id` with `status` and tells the server to stop working
  // on it when it was already sent.
  void Abandon(uint64_t id, const absl::Status& status) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    auto connection = connections_.find(it->second->connection_id);
    const bool sent = it->second->sent;
    std::unique_ptr<ClientCall> call = Take(it);
    if (sent && connection != connections_.end() &&
        connection->second->connection != nullptr &&
        connection->second->state == ClientConnection::State::kConnected) {
      wire::Cancel cancel;
      cancel.set_call_id(id);
      internal::SendMessageFrame(*connection->second->connection,
                                 FrameType::kCancel, cancel, nullptr);
    }
    Finish(*call, status);
  }

  void OnDeadline(uint64_t id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    it->second->timer = 0;
    Abandon(id, absl::DeadlineExceededError(absl::StrCat(
                    "deadline exceeded: call to ", it->second->name, " on ",
                    target_,
                    it->second->sent ? " got no answer in time"
                                     : " was still waiting to be sent")));
  }

  void OnCancelled(uint64_t id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    Abandon(id, CancelledStatus(*it->second));
  }

  // Fails every call on `connection` with `status` and forgets it.
  void CloseConnection(ClientConnection& connection,
                       const absl::Status& status) {
    connection.state = ClientConnection::State::kClosed;
    if (current_.get() == &connection) current_ = nullptr;
    std::vector<uint64_t> ids;
    for (const auto& [id, sent] : connection.calls) ids.push_back(id);
    for (uint64_t id : ids) {
      auto it = calls_.find(id);
      if (it == calls_.end()) continue;
      std::unique_ptr<ClientCall> call = Take(it);
      Finish(*call, status);
    }
    // Erase later: we may be inside one of this connection's callbacks.
    const uint64_t connection_id = connection.id;
    loop_->Post([self = shared_from_this(), connection_id] {
      self->connections_.erase(connection_id);
    });
  }

  void ShutdownOnLoop() {
    shut_down_ = true;
    while (!calls_.empty()) {
      std::unique_ptr<ClientCall> call = Take(calls_.begin());
      Finish(*call, absl::CancelledError(absl::StrCat(
                        "channel to ", target_, " destroyed before call to ",
                        call->name, " completed")));
    }
    for (auto& [id, connection] : connections_) {
      if (connection->connector != nullptr) connection->connector->Cancel();
      if (connection->connection != nullptr) {
        connection->connection->CloseGracefully(absl::OkStatus());
      }
    }
    current_ = nullptr;
  }

  const std::string target_;
  const std::vector<transport::Endpoint> endpoints_;
  const ChannelOptions options_;
  transport::EventLoop* const loop_;
  std::atomic<uint64_t> next_call_id_{1};

  // Loop thread only.
  absl::flat_hash_map<uint64_t, std::unique_ptr<ClientCall>> calls_;
  absl::flat_hash_map<uint64_t, std::shared_ptr<ClientConnection>> connections_;
  std::shared_ptr<ClientConnection> current_;
  uint64_t next_connection_id_ = 1;
  bool shut_down_ = false;
};

absl::StatusOr<std::shared_ptr<Channel>> Channel::Create(
    absl::string_view target, ChannelOptions options) {
  if (absl::Status status = ValidateOptions(options); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::vector<transport::Endpoint>> endpoints =
      transport::Endpoint::Resolve(target);
  if (!endpoints.ok()) return endpoints.status();
  if (endpoints->empty()) {
    return absl::UnavailableError(
        absl::StrCat("'", target, "' resolved to no address"));
  }
  auto impl = std::make_shared<Impl>(std::string(target), std::move(*endpoints),
                                     options);
  return std::shared_ptr<Channel>(new Channel(std::move(impl)));
}

Channel::Channel(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Channel::~Channel() { impl_->Shutdown(); }

const std::string& Channel::target() const { return impl_->target(); }

void Channel::StartCall(const RpcMethod& method,
                        const google::protobuf::MessageLite& request,
                        const CallOptions& options, RawCompletion done) {
  impl_->StartCall(method, request, options, std::move(done));
}

absl::Status Channel::CallBlocking(const RpcMethod& method,
                                   const google::protobuf::MessageLite& request,
                                   const CallOptions& options,
                                   google::protobuf::MessageLite* response) {
  absl::Notification done;
  absl::Status result;
  impl_->StartCall(
      method, request, options,
      [&](const absl::Status& status, absl::string_view payload) {
        result = status;
        if (status.ok() &&
            !response->ParseFromArray(payload.data(),
                                      static_cast<int>(payload.size()))) {
          result = absl::InternalError(absl::StrCat(
              "could not parse the response of ", method.service, "/",
              method.method, " as ", response->GetTypeName()));
        }
        done.Notify();
      });
  done.WaitForNotification();
  return result;
}

}  // namespace framerpc
