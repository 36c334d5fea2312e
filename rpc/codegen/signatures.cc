// Copyright 2026 The framerpc Authors.

#include "rpc/codegen/signatures.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace framerpc::codegen {
namespace {

std::string Param(absl::string_view type, absl::string_view name,
                  ParamNames names) {
  return names == ParamNames::kNamed ? absl::StrCat(type, " ", name)
                                     : absl::StrCat(type, " /*", name, "*/");
}

}  // namespace

std::string StubResultType(const MethodModel& method) {
  return absl::StrCat("::absl::StatusOr<", method.response_class, ">");
}

std::vector<std::string> StubParams(const MethodModel& method,
                                    bool with_default) {
  return {absl::StrCat("const ", method.request_class, "& request"),
          absl::StrCat("const ::framerpc::CallOptions& options",
                       with_default ? " = {}" : "")};
}

std::vector<std::string> StubAsyncParams(const MethodModel& method) {
  return {absl::StrCat("const ", method.request_class, "& request"),
          "::framerpc::CallOptions options",
          absl::StrCat("::absl::AnyInvocable<void(", StubResultType(method),
                       ")> done")};
}

std::vector<std::string> ServiceParams(const MethodModel& method,
                                       ParamNames names) {
  return {Param("::framerpc::ServerContext&", "context", names),
          Param(absl::StrCat("const ", method.request_class, "&"), "request",
                names),
          Param(absl::StrCat(method.response_class, "*"), "response", names)};
}

std::vector<std::string> ServiceAsyncParams(const MethodModel& method) {
  std::vector<std::string> params = ServiceParams(method, ParamNames::kNamed);
  params.push_back("::framerpc::Responder responder");
  return params;
}

}  // namespace framerpc::codegen
