// Copyright 2026 The framerpc Authors.
//
// Service: the base of every generated service class. A user never derives
// from it directly: protoc-gen-framerpc generates `Foo::Service`, whose
// constructor registers one handler per RPC with AddUnaryMethod(), and whose
// virtual methods the user overrides.
//
// Thread safety: the method table is built in the constructor and immutable
// afterwards; FindMethod() may be called from any thread.
// Lifetime: a Service registered on a Server must outlive the server (until
// Server::Wait() has returned or the Server is destroyed).

#ifndef FRAMERPC_RPC_SERVICE_H_
#define FRAMERPC_RPC_SERVICE_H_

#include <memory>
#include <new>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rpc/responder.h"
#include "rpc/server_context.h"

namespace framerpc {
namespace internal {

// Runs one method: parses the request, calls the user's handler.
class MethodHandler {
 public:
  explicit MethodHandler(std::string name) : name_(std::move(name)) {}
  virtual ~MethodHandler() = default;
  MethodHandler(const MethodHandler&) = delete;
  MethodHandler& operator=(const MethodHandler&) = delete;

  // The method's name within its service, e.g. "Echo".
  const std::string& name() const { return name_; }

  // Parses `payload` into a fresh request and calls the handler, which
  // finishes `call` (now or later). A payload that does not parse finishes
  // the call with INVALID_ARGUMENT. Exceptions from the handler propagate to
  // the caller (the server runtime), which turns them into INTERNAL.
  // `payload` is only valid during this call.
  virtual void Run(std::shared_ptr<ServerCallHandle> call,
                   absl::string_view payload) const = 0;

 private:
  const std::string name_;
};

template <class Request, class Response>
class UnaryMethodHandler final : public MethodHandler {
 public:
  using Function = absl::AnyInvocable<void(ServerContext&, const Request&,
                                           Response*, Responder) const>;

  UnaryMethodHandler(std::string name, Function function)
      : MethodHandler(std::move(name)), function_(std::move(function)) {}

  void Run(std::shared_ptr<ServerCallHandle> call,
           absl::string_view payload) const override {
    // In the call object when they fit (one allocation per call), else in
    // a block of their own that the Responder keeps.
    std::shared_ptr<Messages> owned;
    Messages* messages = nullptr;
    if (void* room = call->InlineStorage(sizeof(Messages), alignof(Messages),
                                         &DestroyMessages)) {
      messages = new (room) Messages();
    } else {
      owned = std::make_shared<Messages>();
      messages = owned.get();
    }
    if (!messages->request.ParseFromArray(payload.data(),
                                          static_cast<int>(payload.size()))) {
      ServerContext& context = call->context();
      call->Finish(
          absl::InvalidArgumentError(absl::StrCat(
              "could not parse the request of ", context.service(), "/",
              context.method(), " as ", messages->request.GetTypeName(), " (",
              payload.size(), " bytes)")),
          nullptr);
      return;
    }
    ServerContext& context = call->context();
    Response* response = &messages->response;
    const Request& request = messages->request;
    Responder responder(std::move(call), std::move(owned), response);
    function_(context, request, response, std::move(responder));
  }

 private:
  struct Messages {
    Request request;
    Response response;
  };
  static void DestroyMessages(void* messages) {
    static_cast<Messages*>(messages)->~Messages();
  }
  Function function_;
};

}  // namespace internal

class Service {
 public:
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Fully qualified name, e.g. "framerpc.echo.v1.Echo".
  const std::string& name() const { return name_; }

  // The handler of `method`, or nullptr when this service has no such method.
  const internal::MethodHandler* FindMethod(absl::string_view method) const {
    auto it = methods_.find(method);
    return it == methods_.end() ? nullptr : it->second.get();
  }

 protected:
  explicit Service(std::string name) : name_(std::move(name)) {}

  // Registers `method`; called by generated constructors. `function` is
  // called for every request, on a server thread, and must finish the call
  // through its Responder exactly once.
  template <class Request, class Response>
  void AddUnaryMethod(
      std::string method,
      typename internal::UnaryMethodHandler<Request, Response>::Function
          function) {
    auto handler =
        std::make_unique<internal::UnaryMethodHandler<Request, Response>>(
            method, std::move(function));
    methods_.insert_or_assign(std::move(method), std::move(handler));
  }

 private:
  const std::string name_;
  absl::flat_hash_map<std::string, std::unique_ptr<internal::MethodHandler>>
      methods_;
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_SERVICE_H_
