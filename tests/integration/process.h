// Copyright 2026 The framerpc Authors.
//
// ChildProcess: runs a program as a child process for an integration test,
// with its stdout and stderr on pipes the test reads with a deadline.
//
//   absl::StatusOr<std::unique_ptr<ChildProcess>> server =
//       ChildProcess::Spawn({kDictServerPath, "--address", "127.0.0.1:0"});
//   absl::StatusOr<std::string> line = (*server)->ReadLineWithDeadline(
//       ChildProcess::kStdout, absl::Now() + absl::Seconds(30));
//   (*server)->Signal(SIGTERM);
//   absl::StatusOr<ExitStatus> status = (*server)->Wait(absl::Seconds(30));
//
// Nothing here sleeps: reads wait in poll() on the pipes, and Wait() polls a
// pidfd, so each returns as soon as the child has written or exited.
//
// Thread safety: not thread-safe; use one ChildProcess from one thread.
// Ownership: owns the child. The destructor kills it (SIGKILL) if it has not
// been reaped yet, and reaps it, so a failing test leaves no process behind.

#ifndef FRAMERPC_TESTS_INTEGRATION_PROCESS_H_
#define FRAMERPC_TESTS_INTEGRATION_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace framerpc::testing {

// How a child process ended.
struct ExitStatus {
  // The exit code when the child called exit(), else -1.
  int exit_code = -1;
  // The signal that killed the child, else 0.
  int signal = 0;

  bool exited() const { return signal == 0; }
  // "exit code 0", "killed by signal 9 (Killed)".
  std::string ToString() const;
};

struct SpawnOptions {
  // When true the child's stdin is a pipe the test writes with
  // ChildProcess::WriteStdin(); otherwise it is /dev/null. Default: false.
  bool pipe_stdin = false;
};

class ChildProcess {
 public:
  enum Stream { kStdout = 0, kStderr = 1 };

  // Starts argv[0] (a path; PATH is not searched) with arguments argv[1..],
  // the test's environment, default signal dispositions and an empty signal
  // mask. Returns the errno-derived status, naming the program, when it
  // cannot be started (e.g. NOT_FOUND for a missing file).
  // REQUIRES: !argv.empty().
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(
      const std::vector<std::string>& argv, SpawnOptions options = {});

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  // Writes all of `data` to the child's stdin.
  // REQUIRES: spawned with SpawnOptions::pipe_stdin, CloseStdin() not called.
  absl::Status WriteStdin(absl::string_view data);
  // Closes the child's stdin, so it reads end of file. Idempotent.
  void CloseStdin();

  // Returns the next line of `stream`, without its '\n'. Returns
  // DEADLINE_EXCEEDED (with what has been read of the line so far) when no
  // full line came by `deadline`, OUT_OF_RANGE at end of file (with the
  // unterminated rest, if any).
  absl::StatusOr<std::string> ReadLineWithDeadline(Stream stream,
                                                   absl::Time deadline);

  // Returns everything `stream` still holds up to end of file (that is, until
  // the child and every process it passed the pipe to have closed it).
  // Returns DEADLINE_EXCEEDED (with what was read) when the end did not come
  // by `deadline`.
  absl::StatusOr<std::string> ReadToEndWithDeadline(Stream stream,
                                                    absl::Time deadline);

  // Sends `signal` to the child. Returns FAILED_PRECONDITION once the child
  // has been reaped.
  absl::Status Signal(int signal);

  // Waits up to `timeout` for the child to exit and reaps it. Returns
  // DEADLINE_EXCEEDED (leaving the child running) when it has not exited in
  // time. After a successful Wait() every later call returns the same status.
  absl::StatusOr<ExitStatus> Wait(absl::Duration timeout);

 private:
  ChildProcess(pid_t pid, int pidfd, int stdin_fd, int stdout_fd,
               int stderr_fd);

  // Reads whatever the open pipes have into their buffers, waiting in poll()
  // until at least one read happened or `deadline` passed. Returns false on
  // timeout.
  bool PumpOnce(absl::Time deadline);

  pid_t pid_;
  // A pidfd for the child (readable once it has exited), or -1 when the
  // kernel has none; then Wait() falls back to polling waitpid().
  int pidfd_;
  int stdin_fd_;
  // Read ends of the child's stdout and stderr; -1 after end of file.
  int out_fds_[2];
  std::string buffers_[2];
  bool reaped_ = false;
  ExitStatus exit_status_;
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_INTEGRATION_PROCESS_H_
