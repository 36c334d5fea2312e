// Copyright 2026 The framerpc Authors.
//
// protoc-gen-framerpc: the protoc plugin that generates framerpc client
// stubs and service base classes. protoc runs it; see framerpc_generator.h
// and cmake/FramerpcGenerate.cmake.

#include <google/protobuf/compiler/plugin.h>

#include "rpc/codegen/framerpc_generator.h"

int main(int argc, char* argv[]) {
  framerpc::codegen::FramerpcGenerator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
