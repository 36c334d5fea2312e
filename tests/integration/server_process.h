// Copyright 2026 The framerpc Authors.
//
// StartServerProcess: starts a framerpc test server binary (conn_test_server,
// tests/integration/test_server_main.cc) as a child process on 127.0.0.1
// and waits until it says where it listens. StartIdleClient: the same for
// conn_test_client, until it is connected.
//
//   absl::StatusOr<ServerProcess> server = StartServerProcess(
//       TEST_SERVER_PATH, 0, {"--keepalive_timeout=1s"}, absl::Seconds(30));
//   ... Channel::Create(server->address()) ...
//
// Thread safety: as ChildProcess (one thread).

#ifndef FRAMERPC_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define FRAMERPC_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/integration/process.h"

namespace framerpc::testing {

// A running server process and the port it listens on.
struct ServerProcess {
  std::unique_ptr<ChildProcess> process;
  int port = 0;

  // "127.0.0.1:PORT".
  std::string address() const { return absl::StrCat("127.0.0.1:", port); }
};

// Starts `server_path` listening on 127.0.0.1:`port` (0: any) with `args`,
// and waits (up to `timeout`) for it to say "listening on PORT". Returns
// UNAVAILABLE with the server's stderr when it did not (e.g. the port is
// taken).
absl::StatusOr<ServerProcess> StartServerProcess(
    const std::string& server_path, int port,
    const std::vector<std::string>& args, absl::Duration timeout);

// Starts the conn_test_client at `client_path` (tests/integration/
// test_client_main.cc) against 127.0.0.1:`port` and waits (up to `timeout`)
// until it says "connected": it has made one call and now idles with its
// connection open, answering heartbeats until it is frozen or killed.
absl::StatusOr<std::unique_ptr<ChildProcess>> StartIdleClient(
    const std::string& client_path, int port, absl::Duration timeout);

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_INTEGRATION_SERVER_PROCESS_H_
