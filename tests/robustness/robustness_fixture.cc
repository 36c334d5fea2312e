// Copyright 2026 The framerpc Authors.

#include "tests/robustness/robustness_fixture.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/logging.h"
#include "echo.framerpc.h"
#include "framerpc/testing.framerpc.h"
#include "gmock/gmock.h"
#include "rpc/channel.h"
#include "tests/integration/process.h"

namespace framerpc::testing {
namespace {

constexpr absl::Duration kProcessTimeout = absl::Seconds(30);

// Calls the server without pause (a few ms between calls) from a thread of
// its own, alternating Echo (services/echo) and TestService, and records
// every outcome.
// Thread safety: the accessors may be called from any thread.
class WellBehavedClient {
 public:
  explicit WellBehavedClient(int port) {
    ChannelOptions options;
    options.max_connections = 1;
    absl::StatusOr<std::shared_ptr<Channel>> channel =
        Channel::Create(absl::StrCat("127.0.0.1:", port), options);
    FRAMERPC_CHECK(channel.ok()) << channel.status();
    echo_ = std::make_unique<echo::v1::Echo::Stub>(*channel);
    test_ = std::make_unique<TestService::Stub>(*channel);
    thread_ = std::thread([this] { Run(); });
  }
  ~WellBehavedClient() {
    stop_.store(true);
    thread_.join();
  }

  struct Record {
    int64_t ok = 0;
    std::vector<std::string> failures;
    absl::Duration slowest;
  };
  // Returns what happened since the last call (and starts a new record).
  Record TakeRecord() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    Record record = std::move(record_);
    record_ = Record();
    return record;
  }
  int64_t total_ok() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return total_ok_;
  }
  // One call, on the caller's thread.
  absl::Status CallOnce(int64_t n) {
    CallOptions options;
    options.set_timeout(absl::Seconds(10));
    const std::string text = absl::StrCat("well-behaved call ", n);
    if (n % 2 == 0) {
      echo::v1::EchoRequest request;
      request.set_message(text);
      absl::StatusOr<echo::v1::EchoResponse> reply =
          echo_->Echo(request, options);
      if (!reply.ok()) return reply.status();
      if (reply->message() != text) {
        return absl::DataLossError(
            absl::StrCat("Echo answered '", reply->message(), "'"));
      }
    } else {
      TestRequest request;
      request.set_payload(text);
      absl::StatusOr<TestResponse> reply = test_->Echo(request, options);
      if (!reply.ok()) return reply.status();
      if (reply->payload() != text) {
        return absl::DataLossError(
            absl::StrCat("TestService answered '", reply->payload(), "'"));
      }
    }
    return absl::OkStatus();
  }

 private:
  void Run() {
    for (int64_t n = 0; !stop_.load(); ++n) {
      const absl::Time start = absl::Now();
      const absl::Status status = CallOnce(n);
      const absl::Duration took = absl::Now() - start;
      {
        absl::MutexLock lock(&mu_);
        if (status.ok()) {
          ++record_.ok;
          ++total_ok_;
        } else {
          record_.failures.push_back(
              absl::StrCat(absl::FormatTime(start), ": ", status.ToString()));
        }
        record_.slowest = std::max(record_.slowest, took);
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
  }

  std::unique_ptr<echo::v1::Echo::Stub> echo_;
  std::unique_ptr<TestService::Stub> test_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  Record record_ ABSL_GUARDED_BY(mu_);
  int64_t total_ok_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

struct Suite {
  std::vector<std::string> flags;
  std::string log_path;
  std::unique_ptr<ChildProcess> server;
  int port = 0;
  ServerStats baseline;
  std::unique_ptr<WellBehavedClient> client;
};

Suite* suite = nullptr;

std::string ReadFileFrom(const std::string& path, size_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Lets this process (and the server, which inherits it) open as many file
// descriptors as the hard limit allows: 5,000 connections need 5,000 on
// each side.
void RaiseFdLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

absl::StatusOr<std::unique_ptr<ChildProcess>> SpawnServer(int* port) {
  std::vector<std::string> argv = {
      ROBUSTNESS_SERVER_PATH,
      absl::StrCat("--log_file=", suite->log_path),
      absl::StrCat("--max_frame_size=", kMaxFrameSize),
      absl::StrCat("--max_pending_output=", kMaxPendingOutput),
      absl::StrCat("--max_metadata_size=", kMaxMetadataSize),
      absl::StrCat("--frame_read_timeout=",
                   absl::FormatDuration(kFrameReadTimeout))};
  argv.insert(argv.end(), suite->flags.begin(), suite->flags.end());
  SpawnOptions options;
  options.pipe_stdin = true;
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Spawn(argv, options);
  if (!process.ok()) return process.status();
  absl::StatusOr<std::string> line = (*process)->ReadLineWithDeadline(
      ChildProcess::kStdout, absl::Now() + kProcessTimeout);
  absl::string_view rest = line.ok() ? absl::string_view(*line) : "";
  if (!line.ok() || !absl::ConsumePrefix(&rest, "listening on ") ||
      !absl::SimpleAtoi(rest, port)) {
    return absl::InternalError(
        absl::StrCat("robustness_test_server did not say where it listens: ",
                     line.ok() ? *line : line.status().ToString(),
                     "; log: ", ReadFileFrom(suite->log_path, 0)));
  }
  return process;
}

// Starts the server and the well-behaved client; records the baseline once
// the client is connected.
void StartServerAndClient() {
  suite->client.reset();
  absl::StatusOr<std::unique_ptr<ChildProcess>> server =
      SpawnServer(&suite->port);
  ASSERT_TRUE(server.ok()) << server.status();
  suite->server = *std::move(server);
  suite->client = std::make_unique<WellBehavedClient>(suite->port);
  const absl::Time deadline = absl::Now() + kProcessTimeout;
  while (suite->client->total_ok() < 2) {
    ASSERT_LT(absl::Now(), deadline)
        << "the well-behaved client gets no answer";
    absl::SleepFor(absl::Milliseconds(5));
  }
}

bool ServerAlive() {
  return suite->server != nullptr &&
         absl::IsDeadlineExceeded(
             suite->server->Wait(absl::ZeroDuration()).status());
}

absl::StatusOr<std::string> ProcStatusField(absl::string_view field) {
  std::ifstream in(absl::StrCat("/proc/", suite->server->pid(), "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, field) && absl::ConsumePrefix(&rest, ":")) {
      return std::string(absl::StripAsciiWhitespace(rest));
    }
  }
  return absl::NotFoundError(absl::StrCat(field, " not in /proc/PID/status"));
}

int64_t KiBField(absl::string_view field) {
  absl::StatusOr<std::string> value = ProcStatusField(field);
  int64_t kib = -1;
  if (value.ok()) {
    absl::string_view number = *value;
    absl::ConsumeSuffix(&number, " kB");
    if (!absl::SimpleAtoi(number, &kib)) kib = -1;
  }
  return kib;
}

}  // namespace

void RobustnessTest::StartSuite(std::vector<std::string> extra_flags) {
  RaiseFdLimit();
  suite = new Suite;
  suite->flags = std::move(extra_flags);
  suite->log_path = absl::StrCat(
      ::testing::TempDir(), "robustness_server_", ::getpid(), "_",
      ::testing::UnitTest::GetInstance()->current_test_suite()->name(), ".log");
  std::remove(suite->log_path.c_str());
  StartServerAndClient();
  suite->baseline = Stats();
}

void RobustnessTest::TearDownTestSuite() {
  if (suite == nullptr) return;
  suite->client.reset();
  if (suite->server != nullptr && ServerAlive()) {
    // End of file on stdin: a graceful shutdown and exit 0 (under ASan,
    // also a leak check of the whole run).
    suite->server->CloseStdin();
    absl::StatusOr<ExitStatus> exit = suite->server->Wait(kProcessTimeout);
    EXPECT_TRUE(exit.ok() && exit->exited() && exit->exit_code == 0)
        << (exit.ok() ? exit->ToString() : exit.status().ToString())
        << "; log: " << ReadFileFrom(suite->log_path, 0);
  }
  std::remove(suite->log_path.c_str());
  delete suite;
  suite = nullptr;
}

int RobustnessTest::port() { return suite->port; }
int RobustnessTest::server_pid() { return suite->server->pid(); }

void RobustnessTest::SetUp() {
  ASSERT_NE(suite, nullptr);
  if (!ServerAlive()) {
    // An earlier case crashed it (and failed): start afresh.
    StartServerAndClient();
    suite->baseline = Stats();
  }
  std::ifstream log(suite->log_path, std::ios::binary | std::ios::ate);
  log_offset_ = log ? static_cast<size_t>(log.tellg()) : 0;
  suite->client->TakeRecord();
  good_calls_at_start_ = suite->client->total_ok();
}

void RobustnessTest::TearDown() {
  if (!ServerAlive()) {
    absl::StatusOr<ExitStatus> exit = suite->server->Wait(absl::ZeroDuration());
    ADD_FAILURE() << "the server process died: "
                  << (exit.ok() ? exit->ToString() : exit.status().ToString())
                  << "; its log: " << ReadFileFrom(suite->log_path, 0);
    return;
  }
  // The well-behaved client is still served: a few calls complete after the
  // case.
  const int64_t after_case = suite->client->total_ok();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (suite->client->total_ok() < after_case + 3 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  WellBehavedClient::Record record = suite->client->TakeRecord();
  EXPECT_GE(record.ok, 3) << "the well-behaved client made no progress";
  EXPECT_TRUE(record.failures.empty())
      << "the well-behaved client saw failures:\n"
      << absl::StrJoin(record.failures, "\n");
  EXPECT_LT(record.slowest, kSlowCall)
      << "a well-behaved call took " << record.slowest;

  // No connection or file descriptor outlives the case.
  ServerStats stats;
  const absl::Time stats_deadline = absl::Now() + absl::Seconds(10);
  do {
    stats = Stats();
    if (stats.connections == suite->baseline.connections &&
        stats.fds == suite->baseline.fds) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < stats_deadline);
  EXPECT_EQ(stats.connections, suite->baseline.connections)
      << "connections left open after the case";
  EXPECT_EQ(stats.fds, suite->baseline.fds)
      << "file descriptors left open after the case";

  // The server logged what the case expects, and nothing else.
  const std::vector<std::string> lines = LogLinesSinceStart();
  std::vector<bool> matched(lines.size(), false);
  for (const LogExpectation& expected : expected_logs_) {
    int count = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      bool all = true;
      for (const std::string& part : expected.parts) {
        all = all && absl::StrContains(lines[i], part);
      }
      if (all) {
        ++count;
        matched[i] = true;
      }
    }
    EXPECT_EQ(count, expected.times)
        << "server log lines with '" << absl::StrJoin(expected.parts, "', '")
        << "'; the case's log:\n"
        << absl::StrJoin(lines, "\n");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(matched[i]) << "unexpected server log line: " << lines[i];
  }
}

void RobustnessTest::ExpectLogged(std::vector<std::string> parts, int times) {
  expected_logs_.push_back(LogExpectation{std::move(parts), times});
}

std::vector<std::string> RobustnessTest::LogLinesSinceStart() const {
  return absl::StrSplit(ReadFileFrom(suite->log_path, log_offset_), '\n',
                        absl::SkipEmpty());
}

ServerStats RobustnessTest::Stats() {
  ServerStats stats;
  if (!suite->server->WriteStdin("stats\n").ok()) return stats;
  absl::StatusOr<std::string> line = suite->server->ReadLineWithDeadline(
      ChildProcess::kStdout, absl::Now() + kProcessTimeout);
  if (!line.ok()) return stats;
  for (absl::string_view field : absl::StrSplit(*line, ' ')) {
    if (absl::ConsumePrefix(&field, "connections=")) {
      (void)absl::SimpleAtoi(field, &stats.connections);
    } else if (absl::ConsumePrefix(&field, "fds=")) {
      (void)absl::SimpleAtoi(field, &stats.fds);
    }
  }
  return stats;
}

int64_t RobustnessTest::RssKiB() { return KiBField("VmRSS"); }
int64_t RobustnessTest::PeakRssKiB() { return KiBField("VmHWM"); }

void RobustnessTest::ResetPeakRss() {
  // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
  std::ofstream out(
      absl::StrCat("/proc/", suite->server->pid(), "/clear_refs"));
  out << "5";
}

bool RobustnessTest::AwaitConnections(int connections, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (Stats().connections != connections) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

void RobustnessTest::ExpectServing() {
  const absl::Status status = suite->client->CallOnce(1);
  EXPECT_TRUE(status.ok()) << status;
}

std::unique_ptr<RawClient> RobustnessTest::Connect(RawClient::Options options) {
  absl::StatusOr<std::unique_ptr<RawClient>> client =
      RawClient::Connect(port(), options);
  FRAMERPC_CHECK(client.ok()) << client.status();
  return *std::move(client);
}

void RobustnessTest::ExpectGoAwayAndClose(RawClient& client,
                                          absl::string_view bytes,
                                          wire::GoAway::Code code,
                                          const std::string& reason,
                                          uint64_t last_call_id) {
  ExpectLogged(
      {absl::StrCat("closing connection from ", client.local_address(), ": "),
       reason});
  // The server may close before all of `bytes` is written (a send error
  // then): what it answered is what counts.
  client.Send(bytes).IgnoreError();
  const absl::Time start = absl::Now();
  absl::StatusOr<wire::GoAway> goaway = client.ReadGoAwayAndClose(kCloseBound);
  ASSERT_TRUE(goaway.ok()) << goaway.status();
  EXPECT_LT(absl::Now() - start, kCloseBound);
  EXPECT_EQ(goaway->code(), code) << goaway->DebugString();
  EXPECT_THAT(goaway->reason(), ::testing::HasSubstr(reason));
  EXPECT_EQ(goaway->last_call_id(), last_call_id);
}

void RobustnessTest::ExpectGoAwayAndClose(absl::string_view bytes,
                                          wire::GoAway::Code code,
                                          const std::string& reason,
                                          uint64_t last_call_id) {
  std::unique_ptr<RawClient> client = Connect();
  ExpectGoAwayAndClose(*client, bytes, code, reason, last_call_id);
}

}  // namespace framerpc::testing
