// Copyright 2026 The framerpc Authors.

#include "tests/integration/server_process.h"

#include <signal.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace framerpc::testing {

absl::StatusOr<ServerProcess> StartServerProcess(
    const std::string& server_path, int port,
    const std::vector<std::string>& args, absl::Duration timeout) {
  std::vector<std::string> argv = {server_path,
                                   absl::StrCat("--address=127.0.0.1:", port)};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Spawn(argv);
  if (!process.ok()) return process.status();
  absl::StatusOr<std::string> line = (*process)->ReadLineWithDeadline(
      ChildProcess::kStdout, absl::Now() + timeout);
  ServerProcess server;
  absl::string_view rest = line.ok() ? absl::string_view(*line) : "";
  if (!line.ok() || !absl::ConsumePrefix(&rest, "listening on ") ||
      !absl::SimpleAtoi(rest, &server.port)) {
    (*process)->Signal(SIGKILL).IgnoreError();
    absl::StatusOr<std::string> err = (*process)->ReadToEndWithDeadline(
        ChildProcess::kStderr, absl::Now() + absl::Seconds(1));
    return absl::UnavailableError(absl::StrCat(
        "server on port ", port,
        " did not start: ", line.ok() ? *line : line.status().ToString(),
        "; stderr: ", err.ok() ? *err : err.status().ToString()));
  }
  server.process = *std::move(process);
  return server;
}

absl::StatusOr<std::unique_ptr<ChildProcess>> StartIdleClient(
    const std::string& client_path, int port, absl::Duration timeout) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> client = ChildProcess::Spawn(
      {client_path, absl::StrCat("--target=127.0.0.1:", port)});
  if (!client.ok()) return client.status();
  absl::StatusOr<std::string> line = (*client)->ReadLineWithDeadline(
      ChildProcess::kStdout, absl::Now() + timeout);
  if (!line.ok() || *line != "connected") {
    return absl::UnavailableError(
        absl::StrCat("conn_test_client did not connect to port ", port, ": ",
                     line.ok() ? *line : line.status().ToString()));
  }
  return client;
}

}  // namespace framerpc::testing
