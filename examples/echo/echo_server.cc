// Copyright 2026 The framerpc Authors.
//
// echo_server: serves framerpc.echo.v1.Echo until SIGINT or SIGTERM.
//
//   echo_server --address 127.0.0.1:7001

#include <csignal>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "examples/common/signals.h"
#include "rpc/server.h"
#include "services/echo/echo_service.h"

ABSL_FLAG(std::string, address, "127.0.0.1:7001",
          "where to listen, host:port (port 0 picks a free one)");
ABSL_FLAG(int, threads, 0, "I/O threads (0 = one per core)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves the Echo service.\nUsage: echo_server "
      "[--address 127.0.0.1:7001]");
  absl::ParseCommandLine(argc, argv);

  // 1. Block SIGINT/SIGTERM before any thread starts, so that only the
  //    waiting thread below receives them.
  framerpc::examples::ShutdownSignals signals;

  // 2. The service and the server that serves it.
  framerpc::echo::EchoService echo;
  framerpc::ServerOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.io_threads = absl::GetFlag(FLAGS_threads);
  framerpc::Server server(options);
  if (absl::Status status = server.AddService(&echo); !status.ok()) {
    std::fprintf(stderr, "echo_server: %s\n", status.ToString().c_str());
    return 2;
  }

  // 3. Listen. Start() reports a busy port or a bad address.
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "echo_server: %s\n", port.status().ToString().c_str());
    return 2;
  }
  std::printf("echo_server listening on port %d\n", *port);
  std::fflush(stdout);

  // 4. Serve until a signal, then finish the calls in flight (up to 5 s).
  const int signal = signals.Wait();
  std::printf("echo_server: got signal %d, shutting down\n", signal);
  server.Shutdown(absl::Seconds(5));
  server.Wait();
  return 0;
}
