// Copyright 2026 The framerpc Authors.
//
// framerpc_echo_server: the Echo service (services/echo) on a framerpc
// Server, as a user would run it, for bench/run.sh. Serves until killed.
//
//   framerpc_echo_server --port_file /tmp/p [--handlers inline|pool]
//
// Writes "<port> <stats_port>" to --port_file once listening; the stats
// port answers CPU time, RSS and connection count (bench/load/process_stats.h).

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/synchronization/notification.h"
#include "bench/load/process_stats.h"
#include "rpc/server.h"
#include "services/echo/echo_service.h"

ABSL_FLAG(int, port, 0, "port to listen on (0: any)");
ABSL_FLAG(std::string, port_file, "", "where to write '<port> <stats_port>'");
ABSL_FLAG(std::string, handlers, "inline",
          "'inline' (ServerOptions::HandlerThreads::kInline) or 'pool' (the "
          "default worker pool)");
ABSL_FLAG(int, io_threads, 0,
          "I/O threads; 0: one per CPU this process may run on (taskset)");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Echo server for bench/run.sh");
  absl::ParseCommandLine(argc, argv);
  framerpc::bench::RaiseFileLimit();

  framerpc::echo::EchoService echo;
  framerpc::ServerOptions options;
  options.address = "127.0.0.1:" + std::to_string(absl::GetFlag(FLAGS_port));
  const std::string handlers = absl::GetFlag(FLAGS_handlers);
  if (handlers == "inline") {
    options.handler_threads = framerpc::ServerOptions::HandlerThreads::kInline;
  } else if (handlers != "pool") {
    std::fprintf(stderr, "--handlers must be inline or pool\n");
    return 2;
  }
  // ServerOptions' own default (0) counts every core of the machine, even
  // under taskset; the bench gives it the cores it may actually use.
  options.io_threads = absl::GetFlag(FLAGS_io_threads) > 0
                           ? absl::GetFlag(FLAGS_io_threads)
                           : framerpc::bench::AvailableCpus();
  // The memory test holds 10,000 idle connections.
  options.max_concurrent_calls = 100000;

  framerpc::Server server(options);
  if (absl::Status status = server.AddService(&echo); !status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    return 2;
  }
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "%s\n", port.status().ToString().c_str());
    return 2;
  }
  const int stats_port = framerpc::bench::StartStatsServer(
      0, [&server] { return server.connection_count(); });
  framerpc::bench::WritePortFile(absl::GetFlag(FLAGS_port_file), *port,
                                 stats_port);
  std::printf("framerpc_echo_server: port %d, stats %d, %d I/O threads, %s\n",
              *port, stats_port, options.io_threads, handlers.c_str());
  std::fflush(stdout);
  absl::Notification forever;
  forever.WaitForNotification();
  return 0;
}
