// Copyright 2026 The framerpc Authors.

#include "rpc/codegen/file_model.h"

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "rpc/codegen/cpp_names.h"

namespace framerpc::codegen {
namespace {

// Names of the classes nested in every generated service class. A service
// or method with one of these names would collide with them (a nested
// class cannot be named like its enclosing class, nor a method like its
// class).
constexpr absl::string_view kReservedNames[] = {"Stub", "StubInterface",
                                                "Service"};

bool IsReserved(absl::string_view name) {
  for (absl::string_view reserved : kReservedNames) {
    if (name == reserved) return true;
  }
  return false;
}

// Appends the lines of one comment block from the .proto to `lines`,
// dropping the trailing empty line that every block ends with.
void AppendCommentBlock(absl::string_view block,
                        std::vector<std::string>* lines) {
  if (block.empty()) return;
  if (!lines->empty()) lines->push_back("");
  std::vector<std::string> block_lines = absl::StrSplit(block, '\n');
  while (!block_lines.empty() &&
         absl::StripAsciiWhitespace(block_lines.back()).empty()) {
    block_lines.pop_back();
  }
  lines->insert(lines->end(), block_lines.begin(), block_lines.end());
}

// The leading and trailing comments of a service or method.
template <class DescriptorT>
std::vector<std::string> CommentLines(const DescriptorT& descriptor) {
  google::protobuf::SourceLocation location;
  std::vector<std::string> lines;
  if (!descriptor.GetSourceLocation(&location)) return lines;
  AppendCommentBlock(location.leading_comments, &lines);
  AppendCommentBlock(location.trailing_comments, &lines);
  return lines;
}

// Names the RpcMethod constants of the generated .cc: "kEchoMethod" when
// the file has one service, "kEcho_EchoMethod" otherwise, made unique with
// a counter in the (contrived) case where two spellings meet.
class ConstantNamer {
 public:
  explicit ConstantNamer(bool single_service)
      : single_service_(single_service) {}

  std::string Name(absl::string_view service, absl::string_view method) {
    const std::string base =
        single_service_ ? absl::StrCat("k", method, "Method")
                        : absl::StrCat("k", service, "_", method, "Method");
    std::string name = base;
    for (int i = 2; !used_.insert(name).second; ++i) {
      name = absl::StrCat(base, i);
    }
    return name;
  }

 private:
  const bool single_service_;
  absl::flat_hash_set<std::string> used_;
};

absl::StatusOr<MethodModel> BuildMethod(
    const google::protobuf::MethodDescriptor& method, ConstantNamer& namer) {
  const std::string where =
      absl::StrCat(method.service()->name(), ".", method.name());
  if (method.client_streaming() || method.server_streaming()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "framerpc supports unary methods only; ", where, " is streaming"));
  }
  if (IsReserved(method.name())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "method ", where, " is named like a class that ",
        "framerpc generates for every service (Stub, StubInterface, ",
        "Service); rename the method"));
  }
  MethodModel model;
  model.name = method.name();
  model.cpp_name = CppIdentifier(method.name());
  model.request_class = QualifiedMessageClass(*method.input_type());
  model.response_class = QualifiedMessageClass(*method.output_type());
  model.constant_name = namer.Name(method.service()->name(), method.name());
  model.comment_lines = CommentLines(method);
  return model;
}

}  // namespace

absl::StatusOr<FileModel> BuildFileModel(
    const google::protobuf::FileDescriptor& file) {
  FileModel model;
  model.proto_name = file.name();
  model.stem = FileStem(file);
  model.cpp_namespace = CppNamespace(file);
  model.include_guard = IncludeGuard(file);

  ConstantNamer namer(/*single_service=*/file.service_count() == 1);
  for (int i = 0; i < file.service_count(); ++i) {
    const google::protobuf::ServiceDescriptor& service = *file.service(i);
    if (IsReserved(service.name())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "service ", service.name(), " is named like a ",
          "class that framerpc generates inside every service class; ",
          "rename the service"));
    }
    ServiceModel& service_model = model.services.emplace_back();
    service_model.name = service.name();
    service_model.cpp_name = CppIdentifier(service.name());
    service_model.full_name = service.full_name();
    service_model.comment_lines = CommentLines(service);
    for (int j = 0; j < service.method_count(); ++j) {
      absl::StatusOr<MethodModel> method =
          BuildMethod(*service.method(j), namer);
      if (!method.ok()) return method.status();
      service_model.methods.push_back(*std::move(method));
    }
  }
  return model;
}

}  // namespace framerpc::codegen
