// Copyright 2026 The framerpc Authors.
//
// robustness_test_server: the real server that tests/robustness/ attacks
// with malformed input. It serves framerpc.echo.v1.Echo (services/echo) and
// framerpc.testing.TestService with the ServerOptions given on the command
// line, short timeouts by default so that the cases run fast, and prints
// "listening on PORT" once it accepts connections.
//
// Its log goes to --log_file (appended), so that a test can check what the
// server logged about each case without a pipe that could fill up and block
// the server.
//
// It reads commands on stdin, one per line:
//   stats   prints "connections=N fds=M": the server's open connections and
//           the file descriptors of this process (to catch a leaked socket)
// At end of file on stdin (the test is done, or died) it shuts down
// gracefully, prints "stopped" and exits 0.
//
//   robustness_test_server --frame_read_timeout=500ms --log_file=/tmp/x.log

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rpc/server.h"
#include "services/echo/echo_service.h"
#include "tests/rpc/test_service.h"

ABSL_FLAG(std::string, address, "127.0.0.1:0",
          "Where to listen (host:port); port 0 picks a free one.");
ABSL_FLAG(std::string, log_file, "",
          "Append the server's log (stderr) to this file; empty: stderr.");
ABSL_FLAG(int, io_threads, 2, "ServerOptions.io_threads.");
ABSL_FLAG(int, workers, 8, "ServerOptions.worker_threads.");
ABSL_FLAG(int64_t, max_frame_size, int64_t{4} << 20,
          "ServerOptions.max_frame_size, in bytes.");
ABSL_FLAG(int64_t, max_pending_output, int64_t{4} << 20,
          "ServerOptions.max_pending_output, in bytes.");
ABSL_FLAG(int64_t, max_metadata_size, 64 * 1024,
          "ServerOptions.max_metadata_size, in bytes.");
ABSL_FLAG(int, max_calls_per_connection, 1000,
          "ServerOptions.max_calls_per_connection.");
ABSL_FLAG(int, max_connections, 10000, "ServerOptions.max_connections.");
ABSL_FLAG(absl::Duration, frame_read_timeout, absl::Milliseconds(500),
          "ServerOptions.frame_read_timeout.");
ABSL_FLAG(absl::Duration, keepalive_interval, absl::Seconds(1),
          "ServerOptions.keepalive_interval.");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(3),
          "ServerOptions.keepalive_timeout.");

namespace framerpc::testing {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "robustness_test_server: %s\n",
               status.ToString().c_str());
  return 2;
}

// Open file descriptors of this process (those in /proc/self/fd, less the
// one opendir() holds).
int CountFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;
}

int Main() {
  const std::string log_file = absl::GetFlag(FLAGS_log_file);
  if (!log_file.empty()) {
    const int fd = ::open(log_file.c_str(),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || ::dup2(fd, STDERR_FILENO) < 0) {
      return Fail(absl::ErrnoToStatus(errno, log_file));
    }
    ::close(fd);
  }

  ServerOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.io_threads = absl::GetFlag(FLAGS_io_threads);
  options.worker_threads = absl::GetFlag(FLAGS_workers);
  options.max_frame_size =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_frame_size));
  options.max_pending_output =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_pending_output));
  options.max_metadata_size =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_metadata_size));
  options.max_calls_per_connection =
      absl::GetFlag(FLAGS_max_calls_per_connection);
  options.max_connections = absl::GetFlag(FLAGS_max_connections);
  options.frame_read_timeout = absl::GetFlag(FLAGS_frame_read_timeout);
  options.keepalive_interval = absl::GetFlag(FLAGS_keepalive_interval);
  options.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);

  echo::EchoService echo;
  TestServiceImpl test_service;
  Server server(options);
  if (absl::Status status = server.AddService(&echo); !status.ok()) {
    return Fail(status);
  }
  if (absl::Status status = server.AddService(&test_service); !status.ok()) {
    return Fail(status);
  }
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) return Fail(port.status());
  std::printf("listening on %d\n", *port);
  std::fflush(stdout);

  std::string command;
  while (std::getline(std::cin, command)) {
    if (command == "stats") {
      std::printf("connections=%d fds=%d\n", server.connection_count(),
                  CountFds());
    } else {
      std::printf("unknown command '%s'\n", command.c_str());
    }
    std::fflush(stdout);
  }
  server.Shutdown(absl::Seconds(2));
  server.Wait();
  std::printf("stopped\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace framerpc::testing

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "A framerpc Echo + TestService server for the malformed-input suite.");
  absl::ParseCommandLine(argc, argv);
  return framerpc::testing::Main();
}
