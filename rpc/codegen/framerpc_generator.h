// Copyright 2026 The framerpc Authors.
//
// FramerpcGenerator: the protoc plugin's CodeGenerator. For foo.proto it
// writes foo.framerpc.h and foo.framerpc.cc next to protoc's foo.pb.h (same
// relative path), or fails with a message naming the file and the problem.
//
//   protoc --plugin=protoc-gen-framerpc=... --cpp_out=out --framerpc_out=out
//          foo.proto
//
// The plugin takes no parameters. See header_writer.h for the shape of the
// generated code.
//
// Thread safety: Generate() is const and keeps no state; protoc calls it once
// per file.

#ifndef FRAMERPC_RPC_CODEGEN_FRAMERPC_GENERATOR_H_
#define FRAMERPC_RPC_CODEGEN_FRAMERPC_GENERATOR_H_

#include <google/protobuf/compiler/code_generator.h>

#include <cstdint>
#include <string>

namespace framerpc::codegen {

class FramerpcGenerator final
    : public google::protobuf::compiler::CodeGenerator {
 public:
  bool Generate(const google::protobuf::FileDescriptor* file,
                const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context,
                std::string* error) const override;

  // The generated code does not look at fields, so proto3 `optional` fields
  // need nothing from it.
  uint64_t GetSupportedFeatures() const override {
    return FEATURE_PROTO3_OPTIONAL;
  }
};

}  // namespace framerpc::codegen

#endif  // FRAMERPC_RPC_CODEGEN_FRAMERPC_GENERATOR_H_
