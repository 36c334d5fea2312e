// Copyright 2026 The framerpc Authors.

#include "rpc/codegen/framerpc_generator.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rpc/codegen/file_model.h"
#include "rpc/codegen/header_writer.h"
#include "rpc/codegen/source_writer.h"

namespace framerpc::codegen {
namespace {

void WriteFile(google::protobuf::compiler::GeneratorContext& context,
               const std::string& name, const std::string& text) {
  std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> stream(
      context.Open(name));
  google::protobuf::io::CodedOutputStream output(stream.get());
  output.WriteString(text);
}

}  // namespace

bool FramerpcGenerator::Generate(
    const google::protobuf::FileDescriptor* file, const std::string& parameter,
    google::protobuf::compiler::GeneratorContext* context,
    std::string* error) const {
  if (!parameter.empty()) {
    *error = absl::StrCat("protoc-gen-framerpc takes no parameters; got \"",
                          parameter, "\"");
    return false;
  }
  absl::StatusOr<FileModel> model = BuildFileModel(*file);
  if (!model.ok()) {
    *error = std::string(model.status().message());
    return false;
  }
  WriteFile(*context, absl::StrCat(model->stem, ".framerpc.h"),
            HeaderWriter(*model).Write());
  WriteFile(*context, absl::StrCat(model->stem, ".framerpc.cc"),
            SourceWriter(*model).Write());
  return true;
}

}  // namespace framerpc::codegen
