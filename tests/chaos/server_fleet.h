// Copyright 2026 The framerpc Authors.
//
// ServerFleet: conn_test_server processes (tests/integration/
// test_server_main.cc) that a chaos test kills, freezes, drains and restarts
// on the same port, while it watches them for crashes.
//
//   ServerFleet fleet(kServerPath, {"--keepalive_timeout=1s"});
//   FRAMERPC_RETURN_IF_ERROR(fleet.StartAll(3));
//   fleet.Kill(0);                 // SIGKILL, reaped at once
//   FRAMERPC_RETURN_IF_ERROR(fleet.Restart(0));   // same port
//   fleet.Stop(1);  ...  fleet.Continue(1);
//   fleet.Terminate(2);            // SIGTERM: a graceful drain
//   fleet.Poll();                  // each tick: reap drains, find crashes
//
// Each server's stdout and stderr are read on every Poll(), so that a server
// that logs a lot never blocks on a full pipe; the last lines of stderr are
// kept for the report of a failure.
//
// Thread safety: not thread-safe; one thread (the chaos driver) drives it.
// Ownership: owns the processes; the destructor kills those still running.

#ifndef FRAMERPC_TESTS_CHAOS_SERVER_FLEET_H_
#define FRAMERPC_TESTS_CHAOS_SERVER_FLEET_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/integration/process.h"
#include "tests/integration/server_process.h"

namespace framerpc::testing {

// Reads everything `process` has written so far without waiting; appends
// stderr lines to `stderr_lines` (when not null), keeping the last 20.
void DrainOutput(ChildProcess& process, std::deque<std::string>* stderr_lines);

// Resident set size of process `pid` in bytes (VmRSS of /proc/PID/status).
absl::StatusOr<int64_t> ResidentBytes(int pid);

class ServerFleet {
 public:
  enum class State {
    kRunning,   // serving
    kStopped,   // frozen by SIGSTOP
    kDraining,  // SIGTERM sent, not exited yet
    kDown,      // killed or drained, reaped; waiting to be restarted
  };

  // REQUIRES: `args` holds no --address (the fleet sets it).
  ServerFleet(std::string server_path, std::vector<std::string> args);
  ServerFleet(const ServerFleet&) = delete;
  ServerFleet& operator=(const ServerFleet&) = delete;
  ~ServerFleet();

  // Starts `count` servers on free ports below the kernel's ephemeral port
  // range (so that no client socket of this machine can hold one while its
  // server is down, and no connect() to it can connect to itself).
  absl::Status StartAll(int count);

  int size() const { return static_cast<int>(servers_.size()); }
  int port(int i) const { return servers_[i].port; }
  State state(int i) const { return servers_[i].state; }
  // "127.0.0.1:p1,127.0.0.1:p2,...".
  std::string Target() const;

  // SIGKILL (also of a stopped server) and reap: kDown.
  // REQUIRES: state != kDown.
  absl::Status Kill(int i);
  // SIGSTOP. REQUIRES: kRunning.
  absl::Status Stop(int i);
  // SIGCONT. REQUIRES: kStopped.
  absl::Status Continue(int i);
  // SIGTERM: kDraining until Poll() sees it exit. REQUIRES: kRunning.
  absl::Status Terminate(int i);
  // Starts server `i` again on its port. REQUIRES: kDown.
  absl::Status Restart(int i);

  // Reads the servers' output; reaps drained servers (kDown) and checks
  // that they exited 0 within `drain_limit` of their SIGTERM; fails when a
  // running or stopped server exited on its own (a crash) or a drain broke
  // the limit.
  absl::Status Poll(absl::Duration drain_limit);

  // SIGTERMs every server left (continuing the stopped ones) and checks that
  // each exits 0 within `timeout` (under ASan, this is where LeakSanitizer
  // runs).
  absl::Status ShutdownAll(absl::Duration timeout);

  // The last lines server `i` (any of its incarnations) wrote to stderr.
  std::string StderrTail(int i) const;

 private:
  struct Server {
    ServerProcess process;
    int port = 0;
    State state = State::kDown;
    absl::Time term_sent;
    std::deque<std::string> stderr_lines;
  };

  absl::Status Check(int i, State expected, const char* what) const;

  const std::string server_path_;
  const std::vector<std::string> args_;
  std::vector<Server> servers_;
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_CHAOS_SERVER_FLEET_H_
