// Copyright 2026 The framerpc Authors.
//
// A minimal logger and CHECK macros: the few things abseil 20220623 lacks.
//
//   FRAMERPC_LOG(INFO) << "serving " << n << " entries";
//   FRAMERPC_CHECK(loop != nullptr) << "no loop for " << name;
//   FRAMERPC_CHECK_EQ(a, b);
//
// Each message becomes one line on stderr, written with a single write() so
// lines from different threads never interleave. A FATAL message, or a failed
// CHECK, prints the line and aborts.
//
// Thread safety: every function and macro here may be called from any thread.
//
// The threshold below which messages are dropped starts at INFO, or at the
// level named by the environment variable FRAMERPC_LOG_LEVEL (INFO, WARNING,
// ERROR); SetMinLogLevel() overrides both.

#ifndef FRAMERPC_BASE_LOGGING_H_
#define FRAMERPC_BASE_LOGGING_H_

#include <sstream>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"

namespace framerpc {

enum class LogSeverity : int {
  kInfo = 0,
  kWarning = 1,
  kError = 2,
  kFatal = 3
};

// Messages below `level` are dropped (FATAL is never dropped).
void SetMinLogLevel(LogSeverity level);
LogSeverity MinLogLevel();

namespace base_internal {

// Collects one log line and emits it from the destructor.
class LogMessage {
 public:
  LogMessage(const char* file, int line, LogSeverity severity);
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage();

  std::ostream& stream() { return stream_; }

  // Writes the line now; the destructor then writes nothing.
  void Flush();

 private:
  bool flushed_ = false;
  std::ostringstream stream_;
};

// A LogMessage that aborts the process after it is written.
class LogMessageFatal {
 public:
  LogMessageFatal(const char* file, int line, const char* failed_condition);
  LogMessageFatal(const LogMessageFatal&) = delete;
  LogMessageFatal& operator=(const LogMessageFatal&) = delete;
  [[noreturn]] ~LogMessageFatal();

  std::ostream& stream() { return message_.stream(); }

 private:
  LogMessage message_;
};

// Turns a stream expression into void, so the macros below can sit in a
// ternary expression.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace base_internal
}  // namespace framerpc

#define FRAMERPC_LOG_INTERNAL_INFO ::framerpc::LogSeverity::kInfo
#define FRAMERPC_LOG_INTERNAL_WARNING ::framerpc::LogSeverity::kWarning
#define FRAMERPC_LOG_INTERNAL_ERROR ::framerpc::LogSeverity::kError

// FRAMERPC_LOG(INFO|WARNING|ERROR) << ...;
#define FRAMERPC_LOG(severity)                                        \
  (FRAMERPC_LOG_INTERNAL_##severity < ::framerpc::MinLogLevel())      \
      ? (void)0                                                       \
      : ::framerpc::base_internal::Voidify() &                        \
            ::framerpc::base_internal::LogMessage(                    \
                __FILE__, __LINE__, FRAMERPC_LOG_INTERNAL_##severity) \
                .stream()

// FRAMERPC_LOG_FATAL() << ...; never returns.
#define FRAMERPC_LOG_FATAL()                                              \
  ::framerpc::base_internal::LogMessageFatal(__FILE__, __LINE__, nullptr) \
      .stream()

// A broken invariant is a bug: print the condition and abort. Always on, also
// in release builds.
#define FRAMERPC_CHECK(condition)                                        \
  ABSL_PREDICT_TRUE(condition)                                           \
  ? (void)0                                                              \
  : ::framerpc::base_internal::Voidify() &                               \
          ::framerpc::base_internal::LogMessageFatal(__FILE__, __LINE__, \
                                                     #condition)         \
              .stream()

#define FRAMERPC_CHECK_OP_INTERNAL(a, op, b) \
  FRAMERPC_CHECK((a)op(b)) << "(" << (a) << " vs " << (b) << ") "
#define FRAMERPC_CHECK_EQ(a, b) FRAMERPC_CHECK_OP_INTERNAL(a, ==, b)
#define FRAMERPC_CHECK_NE(a, b) FRAMERPC_CHECK_OP_INTERNAL(a, !=, b)
#define FRAMERPC_CHECK_LT(a, b) FRAMERPC_CHECK_OP_INTERNAL(a, <, b)
#define FRAMERPC_CHECK_LE(a, b) FRAMERPC_CHECK_OP_INTERNAL(a, <=, b)
#define FRAMERPC_CHECK_GT(a, b) FRAMERPC_CHECK_OP_INTERNAL(a, >, b)
#define FRAMERPC_CHECK_GE(a, b) FRAMERPC_CHECK_OP_INTERNAL(a, >=, b)

#endif  // FRAMERPC_BASE_LOGGING_H_
