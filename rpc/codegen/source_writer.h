// Copyright 2026 The framerpc Authors.
//
// SourceWriter: writes foo.framerpc.cc: the method names as sent on the
// wire, the stub methods (which hand each call to the channel) and the
// service base class (which registers every method and answers
// UNIMPLEMENTED for those the user does not override).
//
// Thread safety: none; one writer per generated file.

#ifndef FRAMERPC_RPC_CODEGEN_SOURCE_WRITER_H_
#define FRAMERPC_RPC_CODEGEN_SOURCE_WRITER_H_

#include <string>

#include "rpc/codegen/code_writer.h"
#include "rpc/codegen/file_model.h"

namespace framerpc::codegen {

class SourceWriter {
 public:
  // `file` must outlive the writer.
  explicit SourceWriter(const FileModel& file) : file_(file) {}

  // Returns the text of the source file.
  std::string Write();

 private:
  void WriteMethodConstants();
  void WriteStub(const ServiceModel& service);
  void WriteServiceBase(const ServiceModel& service);

  const FileModel& file_;
  CodeWriter out_;
};

}  // namespace framerpc::codegen

#endif  // FRAMERPC_RPC_CODEGEN_SOURCE_WRITER_H_
