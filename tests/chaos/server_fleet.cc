// Copyright 2026 The framerpc Authors.

#include "tests/chaos/server_fleet.h"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"

namespace framerpc::testing {
namespace {

constexpr size_t kKeptStderrLines = 20;
constexpr absl::Duration kStartTimeout = absl::Seconds(30);

// The first port of the kernel's ephemeral range (32768 unless configured).
int FirstEphemeralPort() {
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  if (!(file >> low)) low = 32768;
  return low;
}

const char* StateName(ServerFleet::State state) {
  switch (state) {
    case ServerFleet::State::kRunning:
      return "running";
    case ServerFleet::State::kStopped:
      return "stopped";
    case ServerFleet::State::kDraining:
      return "draining";
    case ServerFleet::State::kDown:
      return "down";
  }
  return "?";
}

}  // namespace

void DrainOutput(ChildProcess& process, std::deque<std::string>* stderr_lines) {
  const absl::Time now = absl::Now();
  while (process.ReadLineWithDeadline(ChildProcess::kStdout, now).ok()) {
  }
  while (true) {
    absl::StatusOr<std::string> line =
        process.ReadLineWithDeadline(ChildProcess::kStderr, now);
    if (!line.ok()) break;
    if (stderr_lines == nullptr) continue;
    stderr_lines->push_back(*std::move(line));
    if (stderr_lines->size() > kKeptStderrLines) stderr_lines->pop_front();
  }
}

absl::StatusOr<int64_t> ResidentBytes(int pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/status");
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmRSS:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    int64_t kib = 0;
    if (absl::ConsumeSuffix(&rest, " kB") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kib)) {
      return kib * 1024;
    }
    return absl::InternalError(
        absl::StrCat("bad VmRSS line in ", path, ": ", line));
  }
  return absl::NotFoundError(absl::StrCat("no VmRSS in ", path));
}

ServerFleet::ServerFleet(std::string server_path, std::vector<std::string> args)
    : server_path_(std::move(server_path)), args_(std::move(args)) {}

ServerFleet::~ServerFleet() {
  // ChildProcess's destructor SIGKILLs and reaps, also a stopped process.
}

absl::Status ServerFleet::StartAll(int count) {
  absl::BitGen port_gen;  // ports are not part of a replay
  const int high = std::min(FirstEphemeralPort(), 32768);
  const int low = std::max(1024, high - 20000);
  servers_.resize(count);
  for (int i = 0; i < count; ++i) {
    absl::Status last;
    for (int attempt = 0; attempt < 50; ++attempt) {
      const int port = absl::Uniform(port_gen, low, high);
      absl::StatusOr<ServerProcess> started =
          StartServerProcess(server_path_, port, args_, kStartTimeout);
      if (started.ok()) {
        servers_[i].process = *std::move(started);
        servers_[i].port = port;
        servers_[i].state = State::kRunning;
        break;
      }
      last = started.status();
    }
    if (servers_[i].state != State::kRunning) {
      return absl::UnavailableError(
          absl::StrCat("no free port for server ", i, ": ", last.ToString()));
    }
  }
  return absl::OkStatus();
}

std::string ServerFleet::Target() const {
  std::vector<std::string> endpoints;
  for (const Server& server : servers_) {
    endpoints.push_back(absl::StrCat("127.0.0.1:", server.port));
  }
  return absl::StrJoin(endpoints, ",");
}

absl::Status ServerFleet::Check(int i, State expected, const char* what) const {
  if (servers_[i].state == expected) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      what, " server ", i, ": it is ", StateName(servers_[i].state)));
}

absl::Status ServerFleet::Kill(int i) {
  Server& server = servers_[i];
  if (server.state == State::kDown) {
    return absl::FailedPreconditionError("kill: server is down");
  }
  FRAMERPC_RETURN_IF_ERROR(server.process.process->Signal(SIGKILL));
  absl::StatusOr<ExitStatus> exit =
      server.process.process->Wait(absl::Seconds(30));
  if (!exit.ok()) return exit.status();
  DrainOutput(*server.process.process, &server.stderr_lines);
  server.process.process.reset();
  server.state = State::kDown;
  return absl::OkStatus();
}

absl::Status ServerFleet::Stop(int i) {
  FRAMERPC_RETURN_IF_ERROR(Check(i, State::kRunning, "stop"));
  FRAMERPC_RETURN_IF_ERROR(servers_[i].process.process->Signal(SIGSTOP));
  servers_[i].state = State::kStopped;
  return absl::OkStatus();
}

absl::Status ServerFleet::Continue(int i) {
  FRAMERPC_RETURN_IF_ERROR(Check(i, State::kStopped, "continue"));
  FRAMERPC_RETURN_IF_ERROR(servers_[i].process.process->Signal(SIGCONT));
  servers_[i].state = State::kRunning;
  return absl::OkStatus();
}

absl::Status ServerFleet::Terminate(int i) {
  FRAMERPC_RETURN_IF_ERROR(Check(i, State::kRunning, "terminate"));
  FRAMERPC_RETURN_IF_ERROR(servers_[i].process.process->Signal(SIGTERM));
  servers_[i].state = State::kDraining;
  servers_[i].term_sent = absl::Now();
  return absl::OkStatus();
}

absl::Status ServerFleet::Restart(int i) {
  FRAMERPC_RETURN_IF_ERROR(Check(i, State::kDown, "restart"));
  Server& server = servers_[i];
  // SO_REUSEADDR lets the new process bind at once; a few retries cover the
  // unlikely case of a connection still holding the port.
  absl::StatusOr<ServerProcess> started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    started =
        StartServerProcess(server_path_, server.port, args_, kStartTimeout);
    if (started.ok()) break;
  }
  if (!started.ok()) return started.status();
  server.process = *std::move(started);
  server.state = State::kRunning;
  return absl::OkStatus();
}

absl::Status ServerFleet::Poll(absl::Duration drain_limit) {
  for (int i = 0; i < size(); ++i) {
    Server& server = servers_[i];
    if (server.state == State::kDown) continue;
    ChildProcess& process = *server.process.process;
    DrainOutput(process, &server.stderr_lines);
    absl::StatusOr<ExitStatus> exit = process.Wait(absl::ZeroDuration());
    if (!exit.ok()) {  // still running
      if (server.state == State::kDraining &&
          absl::Now() - server.term_sent > drain_limit) {
        return absl::DeadlineExceededError(
            absl::StrCat("server ", i, " (port ", server.port,
                         ") still running ", absl::FormatDuration(drain_limit),
                         " after SIGTERM; stderr:\n", StderrTail(i)));
      }
      continue;
    }
    DrainOutput(process, &server.stderr_lines);
    if (server.state != State::kDraining || !exit->exited() ||
        exit->exit_code != 0) {
      return absl::InternalError(absl::StrCat(
          "server ", i, " (port ", server.port, "), ", StateName(server.state),
          ", ended by itself: ", exit->ToString(), "; stderr:\n",
          StderrTail(i)));
    }
    server.process.process.reset();
    server.state = State::kDown;
  }
  return absl::OkStatus();
}

absl::Status ServerFleet::ShutdownAll(absl::Duration timeout) {
  for (int i = 0; i < size(); ++i) {
    if (servers_[i].state == State::kStopped) {
      FRAMERPC_RETURN_IF_ERROR(Continue(i));
    }
    if (servers_[i].state == State::kRunning) {
      FRAMERPC_RETURN_IF_ERROR(Terminate(i));
    }
  }
  const absl::Time deadline = absl::Now() + timeout;
  for (int i = 0; i < size(); ++i) {
    Server& server = servers_[i];
    if (server.state == State::kDown) continue;
    ChildProcess& process = *server.process.process;
    // Read while waiting: the exit may come with a burst of output (e.g. a
    // LeakSanitizer report) that would not fit in the pipe.
    absl::StatusOr<std::string> rest =
        process.ReadToEndWithDeadline(ChildProcess::kStderr, deadline);
    if (rest.ok()) {
      std::istringstream lines(*rest);
      for (std::string line; std::getline(lines, line);) {
        server.stderr_lines.push_back(line);
        if (server.stderr_lines.size() > kKeptStderrLines) {
          server.stderr_lines.pop_front();
        }
      }
    }
    absl::StatusOr<ExitStatus> exit =
        process.Wait(std::max(deadline - absl::Now(), absl::ZeroDuration()));
    if (!exit.ok()) {
      return absl::DeadlineExceededError(absl::StrCat(
          "server ", i, " did not exit within ", absl::FormatDuration(timeout),
          " of SIGTERM: ", exit.status().ToString(), "; stderr:\n",
          StderrTail(i)));
    }
    if (!exit->exited() || exit->exit_code != 0) {
      return absl::InternalError(
          absl::StrCat("server ", i, " ended with ", exit->ToString(),
                       " after SIGTERM; stderr:\n", StderrTail(i)));
    }
    server.process.process.reset();
    server.state = State::kDown;
  }
  return absl::OkStatus();
}

std::string ServerFleet::StderrTail(int i) const {
  return absl::StrJoin(servers_[i].stderr_lines, "\n");
}

}  // namespace framerpc::testing
