// Copyright 2026 The framerpc Authors.
//
// RobustnessTest: the fixture of the malformed-input suite. Per test suite it
// starts one robustness_test_server process (robustness_server_main.cc) and
// one well-behaved client (a Channel and generated stubs) that calls it
// without pause from a background thread for the whole suite.
//
// Around every case it checks what "nothing else disturbed" means:
//  - the server process is still alive (a crash, or an ASan report, fails
//    the case; the next case gets a fresh server);
//  - the well-behaved client completed calls after the case, every one of
//    its calls during the case succeeded, and none took longer than
//    kSlowCall;
//  - the server is back to the connections and file descriptors it had
//    before the case (no leaked socket);
//  - the server logged exactly the lines the case declared with
//    ExpectLogged() (e.g. one line per connection closed for a protocol
//    error, not one per byte), and nothing else.
//
// Thread safety: the test body runs on one thread; the well-behaved client
// has its own thread and shares only a mutex-guarded record.

#ifndef FRAMERPC_TESTS_ROBUSTNESS_ROBUSTNESS_FIXTURE_H_
#define FRAMERPC_TESTS_ROBUSTNESS_ROBUSTNESS_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framerpc/wire.pb.h"
#include "gtest/gtest.h"
#include "tests/rpc/raw_client.h"

namespace framerpc::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAsan = true;
#else
inline constexpr bool kUnderAsan = false;
#endif
#if defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderTsan = true;
#else
inline constexpr bool kUnderTsan = false;
#endif
// Sanitizers slow every call down several times.
inline constexpr bool kUnderSanitizer = kUnderAsan || kUnderTsan;

// The server's limits, as its command line sets them (kept small so that
// the cases run fast).
inline constexpr size_t kMaxFrameSize = size_t{4} << 20;
inline constexpr size_t kMaxPendingOutput = size_t{4} << 20;
inline constexpr size_t kMaxMetadataSize = 64 * 1024;
inline constexpr absl::Duration kFrameReadTimeout = absl::Milliseconds(500);
// The server's sweep tick with its 3 s keepalive timeout: a tenth of it.
inline constexpr absl::Duration kSweepTick = absl::Milliseconds(300);
// Added to timing bounds: a loaded, shared 2-core machine, ASan's slowdown.
inline constexpr absl::Duration kSlack = absl::Milliseconds(1500);
// A connection the server refuses is closed at once; this only allows for
// scheduling delays.
inline constexpr absl::Duration kCloseBound = absl::Seconds(2);
// A well-behaved call slower than this disturbed the client. Generous: the
// cases load the same two cores the server and the client run on.
inline constexpr absl::Duration kSlowCall =
    kUnderSanitizer ? absl::Seconds(4) : absl::Seconds(2);

inline constexpr char kEchoService[] = "framerpc.echo.v1.Echo";
inline constexpr char kTestService[] = "framerpc.testing.TestService";

struct ServerStats {
  int connections = -1;
  int fds = -1;
};

class RobustnessTest : public ::testing::Test {
 protected:
  // One server per suite, started with the flags above plus `extra_flags`.
  static void StartSuite(std::vector<std::string> extra_flags);
  static void SetUpTestSuite() { StartSuite({}); }
  static void TearDownTestSuite();

  void SetUp() override;
  void TearDown() override;

  static int port();
  static int server_pid();

  // The case expects exactly `times` server log lines containing every one
  // of `parts` (checked, with all other lines forbidden, after the case).
  void ExpectLogged(std::vector<std::string> parts, int times = 1);
  // The log lines the server wrote since the case started.
  std::vector<std::string> LogLinesSinceStart() const;

  // Asks the server process for its counts.
  static ServerStats Stats();
  // The server's resident memory and its peak, in KiB (/proc/PID/status);
  // ResetPeakRss() restarts the peak from the current value.
  static int64_t RssKiB();
  static int64_t PeakRssKiB();
  static void ResetPeakRss();
  // Waits until the server has `connections` open; false after `timeout`.
  static bool AwaitConnections(int connections, absl::Duration timeout);

  // A fresh call through the well-behaved client must succeed.
  void ExpectServing();

  // Connects a RawClient (which has read the server's SETTINGS).
  std::unique_ptr<RawClient> Connect(RawClient::Options options = {});

  // Sends `bytes` on `client`; the server must answer with one GOAWAY of
  // `code` whose reason contains `reason` and whose last_call_id is
  // `last_call_id`, close the connection within kCloseBound, and log the
  // reason once ("closing connection from <client>: <reason>").
  void ExpectGoAwayAndClose(RawClient& client, absl::string_view bytes,
                            wire::GoAway::Code code, const std::string& reason,
                            uint64_t last_call_id = 0);
  // Same on a fresh connection.
  void ExpectGoAwayAndClose(absl::string_view bytes, wire::GoAway::Code code,
                            const std::string& reason,
                            uint64_t last_call_id = 0);

 private:
  struct LogExpectation {
    std::vector<std::string> parts;
    int times;
  };
  size_t log_offset_ = 0;
  int64_t good_calls_at_start_ = 0;
  std::vector<LogExpectation> expected_logs_;
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_ROBUSTNESS_ROBUSTNESS_FIXTURE_H_
