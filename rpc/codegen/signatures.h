// Copyright 2026 The framerpc Authors.
//
// The parameter lists of the generated methods, shared by the header (which
// declares them) and the source (which defines them), so that the two
// cannot drift apart.
//
// Thread safety: pure functions.

#ifndef FRAMERPC_RPC_CODEGEN_SIGNATURES_H_
#define FRAMERPC_RPC_CODEGEN_SIGNATURES_H_

#include <string>
#include <vector>

#include "rpc/codegen/file_model.h"

namespace framerpc::codegen {

// Whether the parameter names are written: a definition that does not use a
// parameter comments its name out, so that -Wunused-parameter stays quiet.
enum class ParamNames { kNamed, kCommentedOut };

// Return type of the blocking stub method: "::absl::StatusOr<Response>".
std::string StubResultType(const MethodModel& method);

// (request, options) of the blocking stub method. `with_default` adds
// " = {}" to `options`, as in the declarations.
std::vector<std::string> StubParams(const MethodModel& method,
                                    bool with_default);

// (request, options, done) of the asynchronous stub method.
std::vector<std::string> StubAsyncParams(const MethodModel& method);

// (context, request, response) of the synchronous service method.
std::vector<std::string> ServiceParams(const MethodModel& method,
                                       ParamNames names);

// (context, request, response, responder) of the asynchronous service
// method.
std::vector<std::string> ServiceAsyncParams(const MethodModel& method);

}  // namespace framerpc::codegen

#endif  // FRAMERPC_RPC_CODEGEN_SIGNATURES_H_
