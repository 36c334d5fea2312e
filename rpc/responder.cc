// Copyright 2026 The framerpc Authors.

#include "rpc/responder.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rpc/server_context.h"

namespace framerpc {

Responder::Responder(std::shared_ptr<internal::ServerCallHandle> call,
                     std::shared_ptr<void> keep_alive,
                     const google::protobuf::MessageLite* response)
    : call_(std::move(call)),
      keep_alive_(std::move(keep_alive)),
      response_(response),
      uncaught_at_construction_(std::uncaught_exceptions()) {}

Responder::Responder(Responder&& other) noexcept
    : call_(std::move(other.call_)),
      keep_alive_(std::move(other.keep_alive_)),
      response_(other.response_),
      uncaught_at_construction_(std::uncaught_exceptions()) {
  other.call_ = nullptr;
}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    if (call_ != nullptr) Finish(absl::InternalError("responder overwritten"));
    call_ = std::move(other.call_);
    other.call_ = nullptr;
    keep_alive_ = std::move(other.keep_alive_);
    response_ = other.response_;
  }
  return *this;
}

Responder::~Responder() {
  if (call_ == nullptr) return;
  if (std::uncaught_exceptions() > uncaught_at_construction_) {
    // The handler is throwing; the server catches the exception and answers
    // INTERNAL with its message, which says more than we could here.
    return;
  }
  ServerContext& context = call_->context();
  Finish(absl::InternalError(absl::StrCat("handler of ", context.service(), "/",
                                          context.method(),
                                          " returned without answering")));
}

void Responder::Finish(absl::Status status) {
  if (call_ == nullptr) return;
  std::shared_ptr<internal::ServerCallHandle> call = std::move(call_);
  call_ = nullptr;
  call->Finish(status, status.ok() ? response_ : nullptr);
  keep_alive_.reset();
}

}  // namespace framerpc
