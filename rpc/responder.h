// Copyright 2026 The framerpc Authors.
//
// Responder: how an asynchronous handler finishes its call, later, from any
// thread.
//
//   void EchoAsync(framerpc::ServerContext& context, const EchoRequest&
//   request,
//                  EchoResponse* response, framerpc::Responder responder)
//                  override {
//     pool.Schedule([&request, response, responder = std::move(responder)]()
//     mutable {
//       response->set_message(request.message());
//       responder.Finish(absl::OkStatus());
//     });
//   }
//
// The call is answered exactly once. Finish() answers it; a Responder that is
// destroyed without Finish() answers INTERNAL ("handler returned without
// answering"), so a forgotten call never hangs the client. The context,
// request and response passed to the handler stay valid until Finish().
//
// Thread safety: a Responder is move-only; Finish() may be called from any
// thread, once.

#ifndef FRAMERPC_RPC_RESPONDER_H_
#define FRAMERPC_RPC_RESPONDER_H_

#include <cstddef>
#include <memory>

#include "absl/status/status.h"

namespace google::protobuf {
class MessageLite;
}  // namespace google::protobuf

namespace framerpc {

class ServerContext;

namespace internal {

// Implemented by the server runtime: one call being served.
class ServerCallHandle {
 public:
  virtual ~ServerCallHandle() = default;
  virtual ServerContext& context() = 0;
  // Sends the answer: `response` (serialized on the calling thread) when
  // `status` is OK, otherwise just the status. Any thread; only the first
  // call has an effect.
  virtual void Finish(const absl::Status& status,
                      const google::protobuf::MessageLite* response) = 0;
  // Room inside the call object for the handler's request and response, so
  // that serving a call costs one allocation, not two: `size` bytes aligned
  // to `align`, or null when they do not fit (or the room is taken). The
  // call runs `destroy` on the room when it is destroyed, which is after
  // Finish(). Once per call, from the thread that runs the handler.
  virtual void* InlineStorage(size_t /*size*/, size_t /*align*/,
                              void (* /*destroy*/)(void*)) {
    return nullptr;
  }
};

}  // namespace internal

class Responder {
 public:
  // For the runtime: `keep_alive` owns the request and `response`, unless
  // they live in the call itself (ServerCallHandle::InlineStorage).
  Responder(std::shared_ptr<internal::ServerCallHandle> call,
            std::shared_ptr<void> keep_alive,
            const google::protobuf::MessageLite* response);
  Responder(Responder&& other) noexcept;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  // Answers the call: with the response message when `status` is OK,
  // otherwise with `status` alone. REQUIRES: not finished yet (later calls
  // are ignored).
  void Finish(absl::Status status);

  bool finished() const { return call_ == nullptr; }

 private:
  std::shared_ptr<internal::ServerCallHandle> call_;
  std::shared_ptr<void> keep_alive_;
  const google::protobuf::MessageLite* response_ = nullptr;
  // std::uncaught_exceptions() at construction: a Responder destroyed while
  // an exception from the handler unwinds leaves the answer to the server,
  // which reports the exception as INTERNAL.
  int uncaught_at_construction_ = 0;
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_RESPONDER_H_
