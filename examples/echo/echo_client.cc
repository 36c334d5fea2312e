// Copyright 2026 The framerpc Authors.
//
// echo_client: calls framerpc.echo.v1.Echo and prints each reply or status.
//
//   echo_client --server 127.0.0.1:7001 --message hi --count 3 --deadline 1s
//
// To watch a failover: --count 100000 --interval 10ms, then `kill -STOP` the
// server: calls fail with UNAVAILABLE within --keepalive_timeout.

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "echo.framerpc.h"
#include "rpc/channel.h"

ABSL_FLAG(std::string, server, "127.0.0.1:7001", "server address, host:port");
ABSL_FLAG(std::string, message, "hello", "text to send");
ABSL_FLAG(int, count, 1, "number of calls");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(1),
          "time allowed for each call");
ABSL_FLAG(absl::Duration, interval, absl::ZeroDuration(),
          "pause between calls");
ABSL_FLAG(absl::Duration, keepalive_interval, absl::Seconds(1),
          "send a PING after this long without hearing from the server");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(3),
          "declare the connection dead after this long without a frame");
ABSL_FLAG(int, max_connections, 4, "connections per server endpoint");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Calls the Echo service.\nUsage: echo_client --server 127.0.0.1:7001 "
      "--message hi --count 3");
  absl::ParseCommandLine(argc, argv);

  // 1. A channel to the server (or to several: "host:port,host:port").
  //    Connecting happens on the first call; heartbeats then notice a dead
  //    or frozen server within keepalive_timeout.
  framerpc::ChannelOptions channel_options;
  channel_options.keepalive_interval = absl::GetFlag(FLAGS_keepalive_interval);
  channel_options.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  channel_options.max_connections = absl::GetFlag(FLAGS_max_connections);
  absl::StatusOr<std::shared_ptr<framerpc::Channel>> channel =
      framerpc::Channel::Create(absl::GetFlag(FLAGS_server), channel_options);
  if (!channel.ok()) {
    std::fprintf(stderr, "echo_client: %s\n",
                 channel.status().ToString().c_str());
    return 2;
  }

  // 2. The generated stub turns method calls into RPCs over the channel.
  framerpc::echo::v1::Echo::Stub stub(*channel);

  framerpc::echo::v1::EchoRequest request;
  request.set_message(absl::GetFlag(FLAGS_message));
  int failures = 0;
  const int count = absl::GetFlag(FLAGS_count);
  for (int i = 1; i <= count; ++i) {
    // 3. Each call has a deadline; past it the call fails with
    //    DEADLINE_EXCEEDED instead of hanging.
    framerpc::CallOptions options;
    options.timeout = absl::GetFlag(FLAGS_deadline);
    const absl::Time start = absl::Now();
    absl::StatusOr<framerpc::echo::v1::EchoResponse> reply =
        stub.Echo(request, options);
    const double ms = absl::ToDoubleMilliseconds(absl::Now() - start);

    // 4. Check the status: OK carries the reply; anything else says why.
    if (reply.ok()) {
      std::printf("%d: %s (%.3f ms)\n", i, reply->message().c_str(), ms);
    } else {
      ++failures;
      std::printf("%d: %s (%.3f ms)\n", i, reply.status().ToString().c_str(),
                  ms);
    }
    std::fflush(stdout);
    if (i < count) absl::SleepFor(absl::GetFlag(FLAGS_interval));
  }
  return failures == 0 ? 0 : 1;
}
