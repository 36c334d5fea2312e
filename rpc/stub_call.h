// Copyright 2026 The framerpc Authors.
//
// Typed call helpers used by generated stubs. Not for direct use.

#ifndef FRAMERPC_RPC_STUB_CALL_H_
#define FRAMERPC_RPC_STUB_CALL_H_

#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rpc/call_options.h"
#include "rpc/channel.h"
#include "rpc/rpc_method.h"

namespace framerpc::internal {

// Runs one call and blocks until it completes.
template <class Response>
absl::StatusOr<Response> BlockingUnaryCall(
    Channel& channel, const RpcMethod& method,
    const google::protobuf::MessageLite& request, const CallOptions& options) {
  Response response;
  absl::Status status =
      channel.CallBlocking(method, request, options, &response);
  if (!status.ok()) return status;
  return response;
}

// Starts one call; `done` gets the parsed response or the failure, exactly
// once, on an I/O thread (it must not block).
template <class Response>
void AsyncUnaryCall(Channel& channel, const RpcMethod& method,
                    const google::protobuf::MessageLite& request,
                    const CallOptions& options,
                    absl::AnyInvocable<void(absl::StatusOr<Response>)> done) {
  channel.StartCall(
      method, request, options,
      [done = std::move(done), method](const absl::Status& status,
                                       absl::string_view payload) mutable {
        if (!status.ok()) {
          done(status);
          return;
        }
        Response response;
        if (!response.ParseFromArray(payload.data(),
                                     static_cast<int>(payload.size()))) {
          done(absl::InternalError(absl::StrCat(
              "could not parse the response of ", method.service, "/",
              method.method, " as ", response.GetTypeName())));
          return;
        }
        done(std::move(response));
      });
}

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_STUB_CALL_H_
