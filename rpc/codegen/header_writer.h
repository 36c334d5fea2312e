// Copyright 2026 The framerpc Authors.
//
// HeaderWriter: writes foo.framerpc.h, the part of the generated code that
// users read: per service a class with the client interface, the client
// stub and the server base class, each documented.
//
// Thread safety: none; one writer per generated file.

#ifndef FRAMERPC_RPC_CODEGEN_HEADER_WRITER_H_
#define FRAMERPC_RPC_CODEGEN_HEADER_WRITER_H_

#include <string>

#include "rpc/codegen/code_writer.h"
#include "rpc/codegen/file_model.h"

namespace framerpc::codegen {

class HeaderWriter {
 public:
  // `file` must outlive the writer.
  explicit HeaderWriter(const FileModel& file) : file_(file) {}

  // Returns the text of the header.
  std::string Write();

 private:
  void WriteService(const ServiceModel& service);
  void WriteStubInterface(const ServiceModel& service);
  void WriteStub(const ServiceModel& service);
  void WriteServiceBase(const ServiceModel& service);

  const FileModel& file_;
  CodeWriter out_;
};

}  // namespace framerpc::codegen

#endif  // FRAMERPC_RPC_CODEGEN_HEADER_WRITER_H_
