// Copyright 2026 The framerpc Authors.
//
// FileModel: what protoc-gen-framerpc generates for one .proto file, with
// every C++ name and comment already worked out, so that the header and
// source writers only lay out text. BuildFileModel() is also where a file
// that framerpc cannot serve (a streaming method, a name that would not
// compile) is rejected.
//
// Thread safety: plain values.

#ifndef FRAMERPC_RPC_CODEGEN_FILE_MODEL_H_
#define FRAMERPC_RPC_CODEGEN_FILE_MODEL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace google::protobuf {
class FileDescriptor;
}  // namespace google::protobuf

namespace framerpc::codegen {

struct MethodModel {
  // Name on the wire ("Echo") and of the generated C++ members ("Echo",
  // "EchoAsync"); they differ only for a method named like a C++ keyword.
  std::string name;
  std::string cpp_name;
  // Fully qualified C++ classes, e.g. "::framerpc::echo::v1::EchoRequest".
  std::string request_class;
  std::string response_class;
  // Name of the file-local RpcMethod constant in the generated .cc.
  std::string constant_name;
  // The method's comments from the .proto (leading, then trailing), one
  // element per line, without the "//". Empty when it has none.
  std::vector<std::string> comment_lines;
};

struct ServiceModel {
  // Simple name ("Echo"), C++ class name, and fully qualified name as sent
  // on the wire ("framerpc.echo.v1.Echo").
  std::string name;
  std::string cpp_name;
  std::string full_name;
  std::vector<std::string> comment_lines;
  std::vector<MethodModel> methods;
};

struct FileModel {
  // The .proto's name as protoc knows it, e.g. "framerpc/echo.proto".
  std::string proto_name;
  // "framerpc/echo": the generated files are <stem>.framerpc.h and .cc.
  std::string stem;
  // The C++ namespace ("framerpc::echo::v1"); empty for no package.
  std::string cpp_namespace;
  std::string include_guard;
  std::vector<ServiceModel> services;
};

// Builds the model of `file`. Returns INVALID_ARGUMENT, with a message that
// names the offending service or method, when `file` has a streaming method
// or a name that the generated C++ cannot use. (protoc puts the file's name
// in front of the message: "foo.proto: framerpc supports unary methods
// only; Foo.Bar is streaming".)
absl::StatusOr<FileModel> BuildFileModel(
    const google::protobuf::FileDescriptor& file);

}  // namespace framerpc::codegen

#endif  // FRAMERPC_RPC_CODEGEN_FILE_MODEL_H_
