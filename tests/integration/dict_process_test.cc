// Copyright 2026 The framerpc Authors.
//
// The dictionary example as real processes: dict_server and dict_client are
// spawned from their built binaries (paths passed in by CMake) and talk over
// 127.0.0.1. Covers dict_client's output and exit codes in each mode, and
// dict_server's first line, its SIGHUP reload under load (no call lost) and
// its graceful stop on SIGTERM and SIGINT.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <regex.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dict/v1/translate.framerpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/call_options.h"
#include "rpc/channel.h"
#include "services/translate/dictionary.h"
#include "tests/integration/process.h"
#include "tests/services/temp_dir.h"

namespace framerpc::testing {
namespace {

using ::framerpc::translate::Dictionary;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace dict = ::framerpc::dict::v1;

// How long a process may take to start, answer or exit. Generous: an ASan
// build on a loaded 2-core CI machine starts slowly; a healthy run takes a
// small fraction of it, and only a hang ever waits it out.
constexpr absl::Duration kProcessTimeout = absl::Seconds(30);
// Deadline of each RPC the test makes itself.
constexpr absl::Duration kCallTimeout = absl::Seconds(10);

absl::Time ProcessDeadline() { return absl::Now() + kProcessTimeout; }

// Matches all of `text` against the POSIX extended regular expression
// `pattern`; returns the text of each group (group 0 is the whole match), or
// nothing when it does not match. (POSIX <regex.h> rather than std::regex,
// whose GCC 12 headers trip -Werror=maybe-uninitialized under ASan.)
std::optional<std::vector<std::string>> MatchWhole(const char* pattern,
                                                   const std::string& text) {
  regex_t regex;
  if (::regcomp(&regex, pattern, REG_EXTENDED) != 0) {
    ADD_FAILURE() << "bad pattern " << pattern;
    return std::nullopt;
  }
  std::vector<regmatch_t> groups(regex.re_nsub + 1);
  const bool matched =
      ::regexec(&regex, text.c_str(), groups.size(), groups.data(), 0) == 0 &&
      groups[0].rm_so == 0 &&
      static_cast<size_t>(groups[0].rm_eo) == text.size();
  ::regfree(&regex);
  if (!matched) return std::nullopt;
  std::vector<std::string> result;
  for (const regmatch_t& group : groups) {
    result.push_back(group.rm_so < 0
                         ? std::string()
                         : text.substr(group.rm_so, group.rm_eo - group.rm_so));
  }
  return result;
}

// A dict_server process and what its first line said.
struct ServerProcess {
  std::unique_ptr<ChildProcess> process;
  size_t entries = 0;
  std::string source;
  int port = 0;

  std::string address() const { return absl::StrCat("127.0.0.1:", port); }
};

// Starts dict_server on 127.0.0.1:0 with `extra_args`, and reads its first
// line, "serving N entries from SOURCE on 127.0.0.1:PORT" ("1 entry"), to
// learn the port.
absl::StatusOr<ServerProcess> StartServer(
    const std::vector<std::string>& extra_args = {}) {
  std::vector<std::string> argv = {DICT_SERVER_PATH, "--address",
                                   "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Spawn(argv);
  if (!process.ok()) return process.status();
  absl::StatusOr<std::string> line = (*process)->ReadLineWithDeadline(
      ChildProcess::kStdout, ProcessDeadline());
  if (!line.ok()) {
    absl::StatusOr<std::string> err = (*process)->ReadToEndWithDeadline(
        ChildProcess::kStderr, absl::Now() + absl::Seconds(1));
    return absl::InternalError(absl::StrCat(
        "no first line from dict_server: ", line.status().ToString(),
        "; stderr: ", err.ok() ? *err : err.status().ToString()));
  }
  const std::optional<std::vector<std::string>> match = MatchWhole(
      "serving ([1-9][0-9]*) (entry|entries) from (.+) on "
      "127\\.0\\.0\\.1:([1-9][0-9]*)",
      *line);
  if (!match.has_value()) {
    return absl::InternalError(
        absl::StrCat("unexpected first line from dict_server: '", *line, "'"));
  }
  ServerProcess server;
  server.process = *std::move(process);
  server.source = (*match)[3];
  if (!absl::SimpleAtoi((*match)[1], &server.entries) ||
      ((*match)[2] == "entry") != (server.entries == 1) ||
      !absl::SimpleAtoi((*match)[4], &server.port) || server.port > 65535) {
    return absl::InternalError(absl::StrCat("bad numbers in '", *line, "'"));
  }
  return server;
}

// What a finished dict_client printed, and how it ended.
struct ClientRun {
  ExitStatus exit;
  std::string out;
  std::string err;
};

// Runs dict_client with `args` to the end. With `stdin_data` its stdin is a
// pipe holding that text (then closed); otherwise /dev/null.
absl::StatusOr<ClientRun> RunClient(
    const std::vector<std::string>& args,
    std::optional<std::string> stdin_data = std::nullopt) {
  std::vector<std::string> argv = {DICT_CLIENT_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions options;
  options.pipe_stdin = stdin_data.has_value();
  absl::StatusOr<std::unique_ptr<ChildProcess>> client =
      ChildProcess::Spawn(argv, options);
  if (!client.ok()) return client.status();
  if (stdin_data.has_value()) {
    // Small enough for the pipe's buffer, so this never waits for the child.
    if (absl::Status status = (*client)->WriteStdin(*stdin_data);
        !status.ok()) {
      return status;
    }
    (*client)->CloseStdin();
  }
  const absl::Time deadline = ProcessDeadline();
  ClientRun run;
  absl::StatusOr<std::string> out =
      (*client)->ReadToEndWithDeadline(ChildProcess::kStdout, deadline);
  if (!out.ok()) return out.status();
  absl::StatusOr<std::string> err =
      (*client)->ReadToEndWithDeadline(ChildProcess::kStderr, deadline);
  if (!err.ok()) return err.status();
  absl::StatusOr<ExitStatus> exit = (*client)->Wait(deadline - absl::Now());
  if (!exit.ok()) return exit.status();
  run.exit = *exit;
  run.out = *std::move(out);
  run.err = *std::move(err);
  return run;
}

// "word<TAB>translation\n" as dict_client prints a built-in entry.
std::string BuiltInLine(absl::string_view word) {
  absl::StatusOr<Dictionary::Entry> entry = Dictionary::BuiltIn()->Lookup(word);
  EXPECT_TRUE(entry.ok()) << entry.status();
  return absl::StrCat(word, "\t", entry.ok() ? entry->translation : "", "\n");
}

// A port on 127.0.0.1 where connections are refused: a socket is bound to it
// (so no other process can take it) but does not listen.
class RefusingPort {
 public:
  RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(
        ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address);
    EXPECT_EQ(
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() { ::close(fd_); }

  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// dict_client against a dict_server serving the built-in dictionary.
class DictClientProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<ServerProcess> server = StartServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // dict_client --server <the server> args...
  ClientRun Run(std::vector<std::string> args,
                std::optional<std::string> stdin_data = std::nullopt) {
    args.insert(args.begin(), {"--server", server_.address()});
    absl::StatusOr<ClientRun> run = RunClient(args, std::move(stdin_data));
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? *std::move(run) : ClientRun{};
  }

  ServerProcess server_;
};

TEST_F(DictClientProcessTest, PrintsEachTranslationAndExitsZeroWhenAllFound) {
  const ClientRun run = Run({"hello", "world", "love"});
  EXPECT_EQ(run.out,
            BuiltInLine("hello") + BuiltInLine("world") + BuiltInLine("love"));
  EXPECT_THAT(run.out, HasSubstr("hello\tint. 你好"));
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, PrintsNotFoundAndExitsOneWhenAWordIsMissing) {
  const ClientRun run = Run({"hello", "xyzzy"});
  EXPECT_EQ(run.out, BuiltInLine("hello") + "xyzzy\tNOT_FOUND\n");
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.exit.exit_code, 1) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, PrintsInvalidArgumentAndExitsOneForABadWord) {
  const ClientRun run = Run({"he\x01llo", "love"});
  EXPECT_EQ(run.out, "he\x01llo\tINVALID_ARGUMENT\n" + BuiltInLine("love"));
  EXPECT_EQ(run.exit.exit_code, 1) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, ReadsWordsFromStdinWithoutAPrompt) {
  const ClientRun run = Run({}, "hello\nworld\n");
  // Exactly the two answers: stdin is a pipe, so no "> " prompt.
  EXPECT_EQ(run.out, BuiltInLine("hello") + BuiltInLine("world"));
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, StdinModeSkipsBlankLinesAndTrimsWords) {
  const ClientRun run = Run({}, "\n  love \r\n\t\nxyzzy");
  EXPECT_EQ(run.out, BuiltInLine("love") + "xyzzy\tNOT_FOUND\n");
  EXPECT_EQ(run.exit.exit_code, 1) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, BatchModeAnswersEveryWordInOrder) {
  ClientRun run = Run({"--batch", "world", "xyzzy", "hello"});
  EXPECT_EQ(run.out,
            BuiltInLine("world") + "xyzzy\tNOT_FOUND\n" + BuiltInLine("hello"));
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_EQ(run.exit.exit_code, 1) << run.exit.ToString();

  run = Run({"--batch", "love", "hello"});
  EXPECT_EQ(run.out, BuiltInLine("love") + BuiltInLine("hello"));
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, SuggestModeListsMatchesInDictionaryOrder) {
  ClientRun run = Run({"--suggest", "good"});
  EXPECT_EQ(run.out, BuiltInLine("good") + BuiltInLine("good morning") +
                         BuiltInLine("good night") + BuiltInLine("goodbye"));
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString();

  run = Run({"--suggest", "th", "--limit", "2"});
  EXPECT_EQ(run.out, BuiltInLine("thank") + BuiltInLine("thank you"));
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString();

  run = Run({"--suggest", "xyzzy"});
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_EQ(run.exit.exit_code, 1) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, InfoModeSaysWhatTheServerServes) {
  const ClientRun run = Run({"--info"});
  const std::optional<std::vector<std::string>> match = MatchWhole(
      "([0-9]+) entries from built-in, loaded in [0-9]+\\.[0-9] ms\n", run.out);
  ASSERT_TRUE(match.has_value()) << run.out;
  EXPECT_EQ((*match)[1], absl::StrCat(Dictionary::BuiltIn()->size()));
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString();
}

TEST_F(DictClientProcessTest, UsageErrorsExitTwoWithAMessage) {
  ClientRun run = Run({"--limit", "0", "--suggest", "a"});
  EXPECT_THAT(run.out, IsEmpty());
  EXPECT_THAT(run.err, HasSubstr("--limit must be in 1..100"));
  EXPECT_EQ(run.exit.exit_code, 2) << run.exit.ToString();

  run = Run({"--batch"});
  EXPECT_THAT(run.err, HasSubstr("--batch needs words"));
  EXPECT_EQ(run.exit.exit_code, 2) << run.exit.ToString();
}

TEST(DictClientProcessErrorTest, ExitsTwoWithAMessageWhenNothingListens) {
  RefusingPort refusing;
  const std::string address = absl::StrCat("127.0.0.1:", refusing.port());
  absl::StatusOr<ClientRun> run = RunClient({"--server", address, "hello"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_THAT(run->out, IsEmpty());
  EXPECT_THAT(run->err, HasSubstr("dict_client: UNAVAILABLE"));
  EXPECT_THAT(run->err, HasSubstr(address));
  EXPECT_EQ(run->exit.exit_code, 2) << run->exit.ToString();
}

TEST(DictClientProcessErrorTest, ExitsTwoOnAMalformedServerAddress) {
  absl::StatusOr<ClientRun> run =
      RunClient({"--server", "no-port-here", "hello"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_THAT(run->out, IsEmpty());
  EXPECT_THAT(run->err, HasSubstr("dict_client: INVALID_ARGUMENT"));
  EXPECT_EQ(run->exit.exit_code, 2) << run->exit.ToString();
}

// One Translate call from this process.
absl::StatusOr<dict::TranslateResponse> TranslateOnce(
    const std::string& address, const std::string& word) {
  absl::StatusOr<std::shared_ptr<Channel>> channel = Channel::Create(address);
  if (!channel.ok()) return channel.status();
  dict::Translator::Stub stub(*channel);
  dict::TranslateRequest request;
  request.set_word(word);
  return stub.Translate(request, CallOptions().set_timeout(kCallTimeout));
}

TEST(DictServerProcessTest, SaysWhereItServesAndStopsGracefullyOnSigterm) {
  absl::StatusOr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server.ok()) << server.status();
  // StartServer() checked the line's shape; the numbers must be the truth.
  EXPECT_EQ(server->entries, Dictionary::BuiltIn()->size());
  EXPECT_EQ(server->source, "built-in");
  absl::StatusOr<dict::TranslateResponse> reply =
      TranslateOnce(server->address(), "hello");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_THAT(reply->translation(), HasSubstr("你好"));

  ASSERT_TRUE(server->process->Signal(SIGTERM).ok());
  absl::StatusOr<ExitStatus> exit = server->process->Wait(kProcessTimeout);
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->exit_code, 0) << exit->ToString();
  absl::StatusOr<std::string> rest = server->process->ReadToEndWithDeadline(
      ChildProcess::kStdout, ProcessDeadline());
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, "dict_server: shutting down\n");

  // It no longer listens.
  reply = TranslateOnce(server->address(), "hello");
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable)
      << reply.status();
}

TEST(DictServerProcessTest, StopsGracefullyOnSigint) {
  absl::StatusOr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(server->process->Signal(SIGINT).ok());
  absl::StatusOr<ExitStatus> exit = server->process->Wait(kProcessTimeout);
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->exit_code, 0) << exit->ToString();
}

TEST(DictServerProcessTest, ExitsTwoNamingTheFileWhenTheDictionaryIsMissing) {
  TempDir dir;
  const std::string missing = dir.path() + "/missing.tsv";
  absl::StatusOr<std::unique_ptr<ChildProcess>> server = ChildProcess::Spawn(
      {DICT_SERVER_PATH, "--address", "127.0.0.1:0", "--dict", missing});
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<std::string> err = (*server)->ReadToEndWithDeadline(
      ChildProcess::kStderr, ProcessDeadline());
  ASSERT_TRUE(err.ok()) << err.status();
  EXPECT_THAT(*err, HasSubstr(missing));
  absl::StatusOr<ExitStatus> exit = (*server)->Wait(kProcessTimeout);
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->exit_code, 2) << exit->ToString();
}

// Calls Translate(word) continuously from a few threads, each with its own
// connection, and keeps score. Once some call has returned `new_translation`
// (the dictionary was switched), every call started afterwards must return
// it too; one that returns anything else is counted as stale.
//
// Thread safety: all methods may be called from the test's thread while the
// load runs.
class TranslateLoad {
 public:
  struct Totals {
    std::map<std::string, int64_t> by_translation;
    int64_t failed = 0;
    int64_t stale = 0;
    std::string first_problem;
  };

  TranslateLoad(std::string address, std::string word,
                std::string new_translation, int threads)
      : address_(std::move(address)),
        word_(std::move(word)),
        new_translation_(std::move(new_translation)) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  TranslateLoad(const TranslateLoad&) = delete;
  TranslateLoad& operator=(const TranslateLoad&) = delete;
  ~TranslateLoad() { Stop(); }

  // Waits until `count` calls have completed (in total since the start).
  // Returns false when that did not happen within `timeout`.
  bool WaitForCalls(int64_t count, absl::Duration timeout)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto done = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return completed_ >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }

  // Waits until `count` more calls than now have completed.
  bool WaitForMoreCalls(int64_t count, absl::Duration timeout)
      ABSL_LOCKS_EXCLUDED(mu_) {
    int64_t now;
    {
      absl::MutexLock lock(&mu_);
      now = completed_;
    }
    return WaitForCalls(now + count, timeout);
  }

  // Waits until some call has returned the new translation.
  bool WaitForSwitch(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&switched_), timeout);
  }

  // Stops the threads (each finishes its call in flight) and joins them.
  void Stop() {
    stop_.store(true);
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  Totals totals() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return totals_;
  }

 private:
  void Run() {
    absl::StatusOr<std::shared_ptr<Channel>> channel =
        Channel::Create(address_);
    dict::TranslateRequest request;
    request.set_word(word_);
    std::optional<dict::Translator::Stub> stub;
    if (channel.ok()) stub.emplace(*channel);
    while (!stop_.load()) {
      bool must_be_new;
      {
        absl::MutexLock lock(&mu_);
        must_be_new = switched_;
      }
      // Every call has a deadline: a call that hangs fails, and is counted.
      absl::StatusOr<dict::TranslateResponse> reply =
          stub.has_value()
              ? stub->Translate(request,
                                CallOptions().set_timeout(kCallTimeout))
              : absl::StatusOr<dict::TranslateResponse>(channel.status());
      absl::MutexLock lock(&mu_);
      ++completed_;
      if (!reply.ok()) {
        ++totals_.failed;
        Note(reply.status().ToString());
        continue;
      }
      ++totals_.by_translation[reply->translation()];
      if (reply->translation() == new_translation_) {
        switched_ = true;
      } else if (must_be_new) {
        ++totals_.stale;
        Note(absl::StrCat("'", reply->translation(), "' after the switch"));
      }
    }
  }

  void Note(std::string problem) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (totals_.first_problem.empty())
      totals_.first_problem = std::move(problem);
  }

  const std::string address_;
  const std::string word_;
  const std::string new_translation_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  int64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  bool switched_ ABSL_GUARDED_BY(mu_) = false;
  Totals totals_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

// Replaces `path` atomically, as a careful operator would: writes a new file
// beside it and renames it over the old one.
void ReplaceFile(TempDir& dir, const std::string& path,
                 absl::string_view contents) {
  const std::string fresh = dir.WriteFile("next.tsv", contents);
  std::filesystem::rename(fresh, path);
}

// dict_server serving a one-word file, alpha → A1, reloaded on SIGHUP while
// TranslateLoad keeps calling it.
class DictServerReloadTest : public ::testing::Test {
 protected:
  static constexpr int kLoadThreads = 3;

  void SetUp() override {
    path_ = dir_.WriteFile("dict.tsv", "alpha\tA1\n");
    absl::StatusOr<ServerProcess> server = StartServer({"--dict", path_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_EQ(server_.entries, 1u);
    ASSERT_EQ(server_.source, path_);
    load_ = std::make_unique<TranslateLoad>(server_.address(), "alpha", "A2",
                                            kLoadThreads);
    // The load is running (and answered) before anything changes.
    ASSERT_TRUE(load_->WaitForCalls(20 * kLoadThreads, kProcessTimeout));
  }

  // Switches the file to alpha → A2 with SIGHUP, and waits until a call
  // returns A2 and plenty more calls have completed after that.
  void ReloadToA2() {
    ReplaceFile(dir_, path_, "alpha\tA2\n");
    ASSERT_TRUE(server_.process->Signal(SIGHUP).ok());
    ASSERT_TRUE(load_->WaitForSwitch(kProcessTimeout))
        << "no call returned A2 within " << kProcessTimeout;
    ASSERT_TRUE(load_->WaitForMoreCalls(100, kProcessTimeout));
    absl::StatusOr<std::string> line = server_.process->ReadLineWithDeadline(
        ChildProcess::kStdout, ProcessDeadline());
    ASSERT_TRUE(line.ok()) << line.status();
    EXPECT_EQ(*line, absl::StrCat("reloaded 1 entry from ", path_));
  }

  // Stops the server with SIGTERM and checks it exits with status 0.
  void StopServer() {
    ASSERT_TRUE(server_.process->Signal(SIGTERM).ok());
    absl::StatusOr<ExitStatus> exit = server_.process->Wait(kProcessTimeout);
    ASSERT_TRUE(exit.ok()) << exit.status();
    EXPECT_EQ(exit->exit_code, 0) << exit->ToString();
  }

  TempDir dir_;
  std::string path_;
  ServerProcess server_;
  std::unique_ptr<TranslateLoad> load_;  // after server_: stops first
};

TEST_F(DictServerReloadTest, SighupUnderLoadSwitchesWithoutLosingACall) {
  ASSERT_NO_FATAL_FAILURE(ReloadToA2());
  load_->Stop();

  const TranslateLoad::Totals totals = load_->totals();
  EXPECT_EQ(totals.failed, 0) << totals.first_problem;
  EXPECT_EQ(totals.stale, 0) << totals.first_problem;
  // Only A1, then A2: every call answered from one whole dictionary.
  EXPECT_GE(totals.by_translation.at("A1"), 20 * kLoadThreads);
  EXPECT_GE(totals.by_translation.at("A2"), 1);
  EXPECT_EQ(totals.by_translation.size(), 2u)
      << absl::StrJoin(totals.by_translation, ", ", absl::PairFormatter("="));
  StopServer();
}

TEST_F(DictServerReloadTest, SighupWithABrokenFileKeepsServingTheOldOne) {
  ASSERT_NO_FATAL_FAILURE(ReloadToA2());

  ReplaceFile(dir_, path_, "alpha\tA2\nbeta A3 without a tab\n");
  ASSERT_TRUE(server_.process->Signal(SIGHUP).ok());
  // The server says why, naming the file and the line.
  std::string reason;
  while (!absl::StartsWith(reason, "dict_server: reload failed")) {
    absl::StatusOr<std::string> line = server_.process->ReadLineWithDeadline(
        ChildProcess::kStderr, ProcessDeadline());
    ASSERT_TRUE(line.ok()) << line.status();
    reason = *line;
  }
  EXPECT_THAT(reason, HasSubstr(absl::StrCat(path_, ":2:")));
  EXPECT_THAT(reason, HasSubstr("no TAB"));
  ASSERT_TRUE(load_->WaitForMoreCalls(100, kProcessTimeout));
  load_->Stop();

  const TranslateLoad::Totals totals = load_->totals();
  EXPECT_EQ(totals.failed, 0) << totals.first_problem;
  // Every call after the switch, and so after the failed reload, got A2.
  EXPECT_EQ(totals.stale, 0) << totals.first_problem;
  EXPECT_EQ(totals.by_translation.size(), 2u)
      << absl::StrJoin(totals.by_translation, ", ", absl::PairFormatter("="));
  absl::StatusOr<dict::TranslateResponse> reply =
      TranslateOnce(server_.address(), "alpha");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->translation(), "A2");
  StopServer();
}

}  // namespace
}  // namespace framerpc::testing
