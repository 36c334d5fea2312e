// Copyright 2026 The framerpc Authors.
//
// conn_test_client: a framerpc client for the process-level connection tests
// (connection_process_test.cc). It opens a Channel to --target, makes one
// TestService call, prints "connected" and then idles, keeping the connection
// open (its heartbeats answer the server's) until SIGTERM or SIGINT, when it
// prints "bye" and exits 0. A test freezes it with SIGSTOP to play a client
// that hangs with a connection open.
//
//   conn_test_client --target 127.0.0.1:7001
//
// Exit codes: 0 after a signal, 1 when the first call fails (the status is on
// stderr).

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "framerpc/testing.framerpc.h"
#include "rpc/channel.h"

ABSL_FLAG(std::string, target, "", "Where the server is (host:port,...).");
ABSL_FLAG(absl::Duration, keepalive_interval, absl::Seconds(1),
          "ChannelOptions.keepalive_interval.");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(3),
          "ChannelOptions.keepalive_timeout.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Connects to a TestService server, makes one call, then idles until "
      "SIGTERM.");
  absl::ParseCommandLine(argc, argv);

  // Block the signals we wait for before the channel starts its threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  framerpc::ChannelOptions options;
  options.keepalive_interval = absl::GetFlag(FLAGS_keepalive_interval);
  options.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  absl::StatusOr<std::shared_ptr<framerpc::Channel>> channel =
      framerpc::Channel::Create(absl::GetFlag(FLAGS_target), options);
  if (!channel.ok()) {
    std::fprintf(stderr, "conn_test_client: %s\n",
                 channel.status().ToString().c_str());
    return 1;
  }
  framerpc::testing::TestService::Stub stub(*channel);
  framerpc::testing::TestRequest request;
  request.set_payload("hello");
  absl::StatusOr<framerpc::testing::TestResponse> response = stub.Echo(
      request, framerpc::CallOptions().set_timeout(absl::Seconds(10)));
  if (!response.ok()) {
    std::fprintf(stderr, "conn_test_client: first call failed: %s\n",
                 response.status().ToString().c_str());
    return 1;
  }
  std::printf("connected\n");
  std::fflush(stdout);

  int signal = 0;
  while (sigwait(&stop_signals, &signal) != 0) {
  }
  std::printf("bye\n");
  std::fflush(stdout);
  return 0;
}
