// Copyright 2026 The framerpc Authors.
//
// How protoc-gen-framerpc names things in C++: namespaces from proto
// packages, message classes, generated file names and include guards. The
// rules match protoc's own C++ generator wherever the two meet, so that the
// generated stubs refer to exactly the classes in foo.pb.h.
//
// Thread safety: pure functions.

#ifndef FRAMERPC_RPC_CODEGEN_CPP_NAMES_H_
#define FRAMERPC_RPC_CODEGEN_CPP_NAMES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace google::protobuf {
class Descriptor;
class FileDescriptor;
}  // namespace google::protobuf

namespace framerpc::codegen {

// Returns `name`, with "_" appended when it is a C++ keyword ("delete" →
// "delete_"), as protoc's C++ generator does for package components.
std::string CppIdentifier(absl::string_view name);

// The C++ namespace of `file`'s package, without leading "::":
// "framerpc.echo.v1" → "framerpc::echo::v1". Empty for a file without a
// package.
std::string CppNamespace(const google::protobuf::FileDescriptor& file);

// The fully qualified C++ class of a message, as protoc's C++ generator names
// it: "::pkg::sub::Outer_Inner".
std::string QualifiedMessageClass(const google::protobuf::Descriptor& message);

// `file`'s name without ".proto" ("a/b/foo.proto" → "a/b/foo"): the stem of
// every file generated for it.
std::string FileStem(const google::protobuf::FileDescriptor& file);

// An include guard unique to the generated header of `file`:
// "a/b/foo.proto" → "FRAMERPC_GENERATED_A_B_FOO_FRAMERPC_H_".
std::string IncludeGuard(const google::protobuf::FileDescriptor& file);

}  // namespace framerpc::codegen

#endif  // FRAMERPC_RPC_CODEGEN_CPP_NAMES_H_
