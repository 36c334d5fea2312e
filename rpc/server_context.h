// Copyright 2026 The framerpc Authors.
//
// ServerContext: what a handler knows about the call it is serving, and the
// response metadata it may set.
//
//   absl::Status Echo(framerpc::ServerContext& context,
//                     const EchoRequest& request, EchoResponse* response) {
//     if (context.IsCancelled()) return absl::CancelledError("client gave up");
//     context.response_metadata()["served-by"] = "echo-1";
//     ...
//   }
//
// Thread safety: IsCancelled() and the const accessors may be called from any
// thread. response_metadata() may be changed by the handler until it finishes
// the call, from one thread at a time.
// Lifetime: owned by the server; valid until the handler has finished the call
// (returned, for a synchronous handler; Responder::Finish(), for an
// asynchronous one). Never keep a pointer to it past that.

#ifndef FRAMERPC_RPC_SERVER_CONTEXT_H_
#define FRAMERPC_RPC_SERVER_CONTEXT_H_

#include <atomic>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/steady_clock.h"
#include "rpc/metadata.h"

namespace framerpc {
namespace internal {
class ServerCall;
}  // namespace internal

class ServerContext {
 public:
  // A context of its own, e.g. to call a handler directly in a test.
  ServerContext(std::string service, std::string method, std::string peer,
                absl::Time deadline, Metadata request_metadata)
      : owned_service_(std::move(service)),
        owned_method_(std::move(method)),
        service_(&owned_service_),
        method_(&owned_method_),
        peer_(std::move(peer)),
        deadline_(ToSteady(deadline)),
        request_metadata_(std::move(request_metadata)) {}
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  // Fully qualified service name and method name of this call.
  const std::string& service() const { return *service_; }
  const std::string& method() const { return *method_; }

  // The client's address, e.g. "127.0.0.1:53412".
  const std::string& peer() const { return peer_; }

  // When the client stops waiting for the answer, on the wall clock
  // (InfiniteFuture() when it set no deadline). Work past it is wasted: the
  // client has already failed the call with DEADLINE_EXCEEDED. The server
  // keeps the deadline on the steady clock (base/steady_clock.h), so a step
  // of the wall clock moves this value with it instead of expiring the call.
  absl::Time deadline() const { return ToWall(deadline_); }

  // True once the client cancelled the call, its deadline passed, its
  // connection was lost, or the server shut down with the call still
  // running. A long handler should check it now and then and give up.
  bool IsCancelled() const {
    return cancelled_.load(std::memory_order_acquire) ||
           SteadyNow() >= deadline_;
  }

  const Metadata& request_metadata() const { return request_metadata_; }
  Metadata& response_metadata() { return response_metadata_; }

  // For the runtime.
  void MarkCancelled() { cancelled_.store(true, std::memory_order_release); }
  // For the runtime: the deadline on the steady clock.
  absl::Time steady_deadline() const { return deadline_; }

 private:
  friend class internal::ServerCall;
  // The server's: `service` and `method` are the registered names, which
  // outlive every call (a Service outlives its Server), so no call copies
  // them. `deadline` is on the steady clock.
  ServerContext(const std::string* service, const std::string* method,
                std::string peer, absl::Time deadline,
                Metadata request_metadata)
      : service_(service),
        method_(method),
        peer_(std::move(peer)),
        deadline_(deadline),
        request_metadata_(std::move(request_metadata)) {}

  const std::string owned_service_;
  const std::string owned_method_;
  const std::string* const service_;
  const std::string* const method_;
  const std::string peer_;
  const absl::Time deadline_;  // steady clock
  const Metadata request_metadata_;
  Metadata response_metadata_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_SERVER_CONTEXT_H_
