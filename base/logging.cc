// Copyright 2026 The framerpc Authors.

#include "base/logging.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace framerpc {
namespace {

LogSeverity LevelFromEnvironment() {
  const char* env = std::getenv("FRAMERPC_LOG_LEVEL");
  if (env == nullptr) return LogSeverity::kInfo;
  if (std::strcmp(env, "WARNING") == 0) return LogSeverity::kWarning;
  if (std::strcmp(env, "ERROR") == 0) return LogSeverity::kError;
  return LogSeverity::kInfo;
}

std::atomic<int>& MinLevel() {
  static std::atomic<int> level{static_cast<int>(LevelFromEnvironment())};
  return level;
}

char SeverityLetter(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kInfo:
      return 'I';
    case LogSeverity::kWarning:
      return 'W';
    case LogSeverity::kError:
      return 'E';
    case LogSeverity::kFatal:
      return 'F';
  }
  return '?';
}

const char* Basename(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash == nullptr ? path : slash + 1;
}

}  // namespace

void SetMinLogLevel(LogSeverity level) {
  MinLevel().store(static_cast<int>(level), std::memory_order_relaxed);
}

LogSeverity MinLogLevel() {
  return static_cast<LogSeverity>(MinLevel().load(std::memory_order_relaxed));
}

namespace base_internal {

LogMessage::LogMessage(const char* file, int line, LogSeverity severity) {
  stream_ << SeverityLetter(severity)
          << absl::FormatTime("%m%d %H:%M:%E6S ", absl::Now(),
                              absl::LocalTimeZone())
          << gettid() << ' ' << Basename(file) << ':' << line << "] ";
}

LogMessage::~LogMessage() { Flush(); }

void LogMessage::Flush() {
  if (flushed_) return;
  flushed_ = true;
  std::string line = stream_.str();
  line.push_back('\n');
  // One write per line so that concurrent lines never interleave. A short
  // write to stderr is not worth retrying.
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
}

LogMessageFatal::LogMessageFatal(const char* file, int line,
                                 const char* failed_condition)
    : message_(file, line, LogSeverity::kFatal) {
  if (failed_condition != nullptr) {
    message_.stream() << "Check failed: " << failed_condition << " ";
  }
}

LogMessageFatal::~LogMessageFatal() {
  message_.Flush();
  std::abort();
}

}  // namespace base_internal
}  // namespace framerpc
