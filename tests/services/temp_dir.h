// Copyright 2026 The framerpc Authors.
//
// TempDir: a fresh directory under $TMPDIR (or /tmp) for one test, removed
// with everything in it when the TempDir goes away.
//
// Thread safety: not thread-safe; use from the test's main thread.
// Ownership: owns the directory and the files written into it.

#ifndef FRAMERPC_TESTS_SERVICES_TEMP_DIR_H_
#define FRAMERPC_TESTS_SERVICES_TEMP_DIR_H_

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/string_view.h"
#include "base/logging.h"

namespace framerpc::testing {

class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
        "/framerpc_test_XXXXXX";
    FRAMERPC_CHECK(::mkdtemp(pattern.data()) != nullptr) << pattern;
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }

  // Writes `contents` to the file `name` in this directory, replacing it;
  // returns its path.
  std::string WriteFile(absl::string_view name, absl::string_view contents) {
    std::string file = path_ + "/" + std::string(name);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    FRAMERPC_CHECK(out.good()) << "cannot write " << file;
    return file;
  }

 private:
  std::string path_;
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_SERVICES_TEMP_DIR_H_
