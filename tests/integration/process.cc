// Copyright 2026 The framerpc Authors.

#include "tests/integration/process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/logging.h"

extern char** environ;

namespace framerpc::testing {
namespace {

absl::Status ErrnoStatus(int error, absl::string_view what) {
  return absl::ErrnoToStatus(error, what);
}

// Milliseconds from now to `deadline` for poll(): at least 0, rounded up so
// that poll() does not return just before the deadline, capped at an int.
int PollTimeoutMs(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
}

void CloseIfOpen(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited()) return absl::StrCat("exit code ", exit_code);
  return absl::StrCat("killed by signal ", signal, " (", ::strsignal(signal),
                      ")");
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, SpawnOptions options) {
  FRAMERPC_CHECK(!argv.empty()) << "Spawn needs a program";
  // Our ends get O_CLOEXEC so that a child spawned later does not inherit
  // them (and keep a pipe open); dup2() in the child clears it on 0, 1, 2.
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  absl::Cleanup close_all = [&] {
    for (int* pipe : {in_pipe, out_pipe, err_pipe}) {
      CloseIfOpen(pipe[0]);
      CloseIfOpen(pipe[1]);
    }
  };
  if (options.pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0) {
    return ErrnoStatus(errno, "pipe2");
  }
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return ErrnoStatus(errno, "pipe2");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  absl::Cleanup destroy_actions = [&] {
    posix_spawn_file_actions_destroy(&actions);
  };
  if (options.pipe_stdin) {
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                     O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);

  // The test process may block or ignore signals (a test runner, a thread);
  // the child starts with a clean slate so that it handles signals as it
  // would when started from a shell.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  absl::Cleanup destroy_attr = [&] { posix_spawnattr_destroy(&attr); };
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  pid_t pid = -1;
  const int error =
      ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  if (error != 0) return ErrnoStatus(error, absl::StrCat("spawn ", argv[0]));

  // The pid cannot be reused before we reap it, so this pidfd is the child's.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));

  auto child = std::unique_ptr<ChildProcess>(
      new ChildProcess(pid, pidfd, in_pipe[1], out_pipe[0], err_pipe[0]));
  in_pipe[1] = out_pipe[0] = err_pipe[0] = -1;  // now the child's owner's
  return child;
}

ChildProcess::ChildProcess(pid_t pid, int pidfd, int stdin_fd, int stdout_fd,
                           int stderr_fd)
    : pid_(pid),
      pidfd_(pidfd),
      stdin_fd_(stdin_fd),
      out_fds_{stdout_fd, stderr_fd} {}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  CloseIfOpen(pidfd_);
  CloseIfOpen(stdin_fd_);
  CloseIfOpen(out_fds_[kStdout]);
  CloseIfOpen(out_fds_[kStderr]);
}

absl::Status ChildProcess::WriteStdin(absl::string_view data) {
  FRAMERPC_CHECK(stdin_fd_ >= 0) << "stdin is not a pipe, or closed";
  while (!data.empty()) {
    const ssize_t n = ::write(stdin_fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write to the child's stdin");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

void ChildProcess::CloseStdin() { CloseIfOpen(stdin_fd_); }

bool ChildProcess::PumpOnce(absl::Time deadline) {
  pollfd fds[2];
  int count = 0;
  for (int fd : out_fds_) {
    if (fd >= 0) fds[count++] = pollfd{fd, POLLIN, 0};
  }
  if (count == 0) return true;  // nothing left to read: both at end of file
  const int ready =
      ::poll(fds, static_cast<nfds_t>(count), PollTimeoutMs(deadline));
  if (ready < 0) {
    FRAMERPC_CHECK(errno == EINTR) << "poll: " << ::strerror(errno);
    return true;
  }
  if (ready == 0) return false;
  for (int i = 0; i < count; ++i) {
    if (fds[i].revents == 0) continue;
    const int stream = fds[i].fd == out_fds_[kStdout] ? kStdout : kStderr;
    char chunk[4096];
    const ssize_t n = ::read(fds[i].fd, chunk, sizeof(chunk));
    if (n > 0) {
      buffers_[stream].append(chunk, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      CloseIfOpen(out_fds_[stream]);  // end of file (or a broken pipe)
    }
  }
  return true;
}

absl::StatusOr<std::string> ChildProcess::ReadLineWithDeadline(
    Stream stream, absl::Time deadline) {
  std::string& buffer = buffers_[stream];
  while (true) {
    const size_t newline = buffer.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      return line;
    }
    if (out_fds_[stream] < 0) {
      return absl::OutOfRangeError(
          absl::StrCat("end of file; unterminated rest: '", buffer, "'"));
    }
    if (!PumpOnce(deadline)) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no full line by the deadline; read so far: '", buffer, "'"));
    }
  }
}

absl::StatusOr<std::string> ChildProcess::ReadToEndWithDeadline(
    Stream stream, absl::Time deadline) {
  while (out_fds_[stream] >= 0) {
    if (!PumpOnce(deadline)) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no end of file by the deadline; read: '", buffers_[stream], "'"));
    }
  }
  return std::exchange(buffers_[stream], std::string());
}

absl::Status ChildProcess::Signal(int signal) {
  if (reaped_) {
    return absl::FailedPreconditionError(
        absl::StrCat("process ", pid_, " has already been reaped"));
  }
  if (::kill(pid_, signal) != 0) {
    return ErrnoStatus(errno, absl::StrCat("kill ", pid_));
  }
  return absl::OkStatus();
}

absl::StatusOr<ExitStatus> ChildProcess::Wait(absl::Duration timeout) {
  if (reaped_) return exit_status_;
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (done < 0 && errno != EINTR) {
      return ErrnoStatus(errno, absl::StrCat("waitpid ", pid_));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " still running after ",
                       absl::FormatDuration(timeout)));
    }
    if (pidfd_ >= 0) {
      // Readable once the child has exited.
      pollfd fd{pidfd_, POLLIN, 0};
      ::poll(&fd, 1, PollTimeoutMs(deadline));
    } else {
      // Kernels before 5.3 have no pidfd: check again every few milliseconds.
      ::poll(nullptr, 0, 5);
    }
  }
  reaped_ = true;
  if (WIFEXITED(status)) {
    exit_status_.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_status_.signal = WTERMSIG(status);
  }
  return exit_status_;
}

}  // namespace framerpc::testing
