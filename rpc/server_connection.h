// Copyright 2026 The framerpc Authors.
//
// The server's side of one connection: turns REQUEST frames into calls of the
// registered services, answers them, and follows CANCEL, PING and GOAWAY.
//
// Thread safety: everything here runs on the connection's loop thread, except
// ServerCall::Finish(), which may be called from any thread and posts the
// answer to the loop.
// Ownership: the Server owns each ServerConnection (through its per-loop
// registry) until the connection closes; a ServerCall holds only a weak
// reference to its connection, so a handler that answers late never keeps a
// closed connection alive.

#ifndef FRAMERPC_RPC_SERVER_CONNECTION_H_
#define FRAMERPC_RPC_SERVER_CONNECTION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rpc/frame_io.h"
#include "rpc/keepalive.h"
#include "rpc/loop_handle.h"
#include "rpc/server.h"
#include "rpc/server_context.h"
#include "rpc/service.h"
#include "rpc/worker_pool.h"
#include "transport/connection.h"
#include "transport/event_loop.h"

namespace framerpc::internal {

// State shared by the Server and all of its connections and calls.
// Thread safety: `options`, `services` and `workers` are immutable once the
// server has started; the call count is atomic.
struct ServerState {
  ServerOptions options;
  absl::flat_hash_map<std::string, Service*> services;
  // Null when handlers run inline on the I/O threads.
  std::unique_ptr<WorkerPool> workers;

  // Takes one of the max_concurrent_calls slots; false when none is free.
  // Lock-free.
  bool TryAcquireCall();
  void ReleaseCall() ABSL_LOCKS_EXCLUDED(mu);
  // Waits until no call is being served or `deadline` (steady clock)
  // passes; true if none.
  bool AwaitNoCalls(absl::Time deadline) ABSL_LOCKS_EXCLUDED(mu);

  std::atomic<int> active_calls{0};
  // Set by AwaitNoCalls: ReleaseCall then signals `no_calls` at zero.
  std::atomic<bool> awaiting_no_calls{false};
  absl::Mutex mu;
  absl::CondVar no_calls;

  // Connections accepted and not yet closed (counted from accept on).
  std::atomic<int> connections{0};
};

class ServerConnection;

// One call being served. Implements the handle that Responder finishes.
class ServerCall final : public ServerCallHandle {
 public:
  ServerCall(std::weak_ptr<ServerConnection> connection,
             std::shared_ptr<LoopHandle> loop, uint64_t id,
             size_t max_frame_size, const std::string* service,
             const std::string* method, std::string peer, absl::Time deadline,
             Metadata metadata);

  ~ServerCall() override;

  ServerContext& context() override { return context_; }
  void Finish(const absl::Status& status,
              const google::protobuf::MessageLite* response) override;
  void* InlineStorage(size_t size, size_t align,
                      void (*destroy)(void*)) override;

  uint64_t id() const { return id_; }

 private:
  const std::weak_ptr<ServerConnection> connection_;
  const std::shared_ptr<LoopHandle> loop_;
  const uint64_t id_;
  const size_t max_frame_size_;
  ServerContext context_;
  std::atomic<bool> finished_{false};
  // InlineStorage(): room for the request and response of most methods.
  void (*destroy_storage_)(void*) = nullptr;
  alignas(std::max_align_t) unsigned char storage_[256];
};

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(std::shared_ptr<ServerState> state,
                   std::shared_ptr<LoopHandle> loop,
                   std::shared_ptr<transport::Connection> connection);

  // Installs the frame and close callbacks and starts reading. `on_closed`
  // runs once, on the loop thread, when the connection has closed.
  void Start(absl::AnyInvocable<void()> on_closed);

  // Sends GOAWAY; requests with a higher call id than any seen so far are
  // answered UNAVAILABLE from now on.
  void Drain();

  // Answers every call still being served with `status`, marks their
  // contexts cancelled, and closes the connection gracefully.
  void Close(const absl::Status& status);

  // Closes the connection at once (its calls are cancelled), e.g. when the
  // server stops its loops while a graceful close still lingers.
  void ForceClose(const absl::Status& reason) {
    connection_->ForceClose(reason);
  }

  // Called with the sweep tick this connection needs, when the client's
  // SETTINGS made its keepalive policy stricter than the server's.
  void SetTickRequest(absl::AnyInvocable<void(absl::Duration)> request) {
    request_tick_ = std::move(request);
  }

  // Called by the server's sweep once per keepalive tick: sends a PING when
  // the client has been silent for the keepalive interval, closes the
  // connection when it has been silent for the timeout, and closes it with a
  // GOAWAY (IDLE) when no call has been in flight for the idle timeout.
  // `now` is on the steady clock (SteadyNow()), as are all times here.
  void Sweep(absl::Time now);

  // Sends the answer to call `id` unless that call is no longer served here
  // (cancelled, timed out, or the connection closed).
  void Complete(uint64_t id, const EncodedFrame& frame);
  // Same, serializing `meta` and `response` (may be null; `response_size`
  // bytes) straight into the output.
  void Complete(uint64_t id, const ResponseMeta& meta,
                const google::protobuf::MessageLite* response,
                size_t response_size);

  transport::Connection& connection() { return *connection_; }

 private:
  void OnFrame(const transport::FrameView& frame);
  void OnRequest(const transport::FrameView& frame);
  void OnCancel(const transport::FrameView& frame);
  void OnClosed(const absl::Status& reason);
  // Sends GOAWAY(PROTOCOL_ERROR, reason) and closes the connection.
  void FailConnection(const absl::Status& error);
  // Answers call `id` with `status` without running any handler.
  void Reject(uint64_t id, const absl::Status& status);
  void Dispatch(std::shared_ptr<ServerCall> call, const MethodHandler* handler,
                absl::string_view payload);
  // Forgets call `id`: cancels its timer and frees its slot. Returns the
  // call, or null when it was not being served.
  std::shared_ptr<ServerCall> Forget(uint64_t id);
  // Forgets call `id` and says whether its answer of `frame_size` bytes is
  // to be sent: not when the call is no longer served here, nor when the
  // client is not reading (the connection is then closed).
  bool TakeAnswer(uint64_t id, size_t frame_size);
  // Output bytes that were queued before the current loop turn (answers the
  // kernel would not take), as first measured in this turn.
  size_t OutputCarriedIntoThisTurn();
  // Logs and force-closes a connection with `queued` unread output bytes
  // over ServerOptions.max_pending_output.
  void CloseForUnreadOutput(size_t queued);

  const std::shared_ptr<ServerState> state_;
  const std::shared_ptr<LoopHandle> loop_handle_;
  const std::shared_ptr<transport::Connection> connection_;
  const std::string peer_;
  absl::flat_hash_map<uint64_t, std::shared_ptr<ServerCall>> calls_;
  // The method of the last call: a connection mostly calls one method, or a
  // few, so comparing names spares the two hash lookups of most calls.
  const Service* last_service_ = nullptr;
  const MethodHandler* last_handler_ = nullptr;
  // The server's policy, made stricter by the client's SETTINGS.
  KeepalivePolicy keepalive_;
  absl::Time last_ping_ = absl::InfinitePast();
  // When calls_ last became empty, as seen by the first sweep after:
  // InfiniteFuture() until that sweep stamps it. An idle connection is so
  // closed between idle_timeout and idle_timeout + 2 ticks after its last
  // call, never before.
  absl::Time idle_since_;
  uint64_t pings_sent_ = 0;
  uint64_t last_call_id_ = 0;
  // The last_call_id of the GOAWAY we sent: calls up to it are still served
  // (a lower id may arrive after a higher one), later ones are refused.
  uint64_t goaway_last_call_id_ = 0;
  bool draining_ = false;
  // Set by the first answer of a loop turn, cleared at the end of the turn;
  // carried_output_ is what was queued at that first answer.
  bool turn_marked_ = false;
  size_t carried_output_ = 0;
  bool closed_ = false;
  // The reason for closing was already logged (by whoever decided to close).
  bool close_logged_ = false;
  absl::AnyInvocable<void()> on_closed_;
  absl::AnyInvocable<void(absl::Duration)> request_tick_;
};

// Runs `handler` for `call`, turning an exception into INTERNAL.
void RunHandler(const std::shared_ptr<ServerCall>& call,
                const MethodHandler* handler, absl::string_view payload);

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_SERVER_CONNECTION_H_
