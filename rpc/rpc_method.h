// Copyright 2026 The framerpc Authors.
//
// RpcMethod names one method of one service. Generated stubs keep one static
// RpcMethod per method and pass it with every call.

#ifndef FRAMERPC_RPC_RPC_METHOD_H_
#define FRAMERPC_RPC_RPC_METHOD_H_

#include "absl/strings/string_view.h"

namespace framerpc {

struct RpcMethod {
  // Fully qualified service name, e.g. "framerpc.echo.v1.Echo".
  absl::string_view service;
  // Method name within the service, e.g. "Echo".
  absl::string_view method;
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_RPC_METHOD_H_
