// Copyright 2026 The framerpc Authors.
//
// Runs protoc with protoc-gen-framerpc on .proto files that framerpc cannot
// serve and checks that generation fails with a message that says why.
// FRAMERPC_TEST_PROTOC, FRAMERPC_TEST_PLUGIN and FRAMERPC_TEST_BAD_PROTOS
// are set by tests/codegen/CMakeLists.txt.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace {

struct ProtocResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs protoc with the plugin on `proto` (relative to the bad_protos dir).
ProtocResult RunProtoc(const std::string& proto) {
  const std::string command = absl::StrCat(
      "'", FRAMERPC_TEST_PROTOC, "' --plugin=protoc-gen-framerpc='",
      FRAMERPC_TEST_PLUGIN, "' --framerpc_out='", testing::TempDir(), "' -I'",
      FRAMERPC_TEST_BAD_PROTOS, "' '", FRAMERPC_TEST_BAD_PROTOS, "/", proto,
      "' 2>&1");
  ProtocResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 512> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

TEST(ProtocGenFramerpcTest, RejectsStreamingMethod) {
  ProtocResult result = RunProtoc("streaming.proto");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("streaming.proto: framerpc supports unary "
                               "methods only; Streamer.Watch is streaming"),
            std::string::npos)
      << result.output;
}

TEST(ProtocGenFramerpcTest, RejectsMethodNamedLikeGeneratedClass) {
  ProtocResult result = RunProtoc("reserved_name.proto");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("reserved_name.proto: method Registry.Stub is "
                               "named like a class that framerpc generates"),
            std::string::npos)
      << result.output;
}

}  // namespace
