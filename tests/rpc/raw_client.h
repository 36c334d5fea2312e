// Copyright 2026 The framerpc Authors.
//
// RawClient: a blocking TCP client that speaks framerpc at the byte level,
// for tests that send what a real client never would (garbage, bad headers,
// truncated or oversized frames, floods) and check exactly what the server
// answers and when it closes the connection. The tests in tests/rpc and the
// malformed-input suite in tests/robustness both use it.
//
//   absl::StatusOr<std::unique_ptr<RawClient>> client =
//       RawClient::Connect(port);          // reads the server's SETTINGS
//   (*client)->Send("GET / HTTP/1.1\r\n\r\n");
//   absl::StatusOr<wire::GoAway> goaway =
//       (*client)->ReadGoAwayAndClose(absl::Seconds(5));
//
// Thread safety: one thread at a time.
// Ownership: owns its socket; the destructor closes it (with a FIN).

#ifndef FRAMERPC_TESTS_RPC_RAW_CLIENT_H_
#define FRAMERPC_TESTS_RPC_RAW_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framerpc/wire.pb.h"
#include "transport/frame.h"

namespace framerpc::testing {

// One frame as received.
struct RawFrame {
  transport::FrameType type;
  std::string meta;
  std::string payload;
};

// The 16-byte fixed header with every field chosen by the caller, so that a
// test can write any header, valid or not.
std::string FrameHeaderBytes(uint8_t type, uint32_t meta_length,
                             uint32_t payload_length, uint8_t version = 1,
                             uint32_t magic = 0x46525043 /* "FRPC" */,
                             uint16_t flags = 0);

// A whole, valid frame.
std::string FrameBytes(transport::FrameType type, absl::string_view meta,
                       absl::string_view payload);

// A REQUEST frame whose header is `header` and payload `payload`.
std::string RequestBytes(const wire::RequestHeader& header,
                         absl::string_view payload);
// A REQUEST frame for `service`/`method` with call id `id`; `payload` need
// not be a valid message.
std::string RequestBytes(uint64_t id, absl::string_view service,
                         absl::string_view method, absl::string_view payload);

class RawClient {
 public:
  struct Options {
    // SO_RCVBUF before connecting, when nonzero: a small one makes the
    // kernel absorb little of what the server sends.
    int receive_buffer = 0;
    // Read the SETTINGS frame a framerpc server sends first (and fail with
    // FAILED_PRECONDITION if something else comes).
    bool read_settings = true;
  };

  // Connects to 127.0.0.1:`port` with TCP_NODELAY, so that each Send()
  // leaves at once however small. UNAVAILABLE when nothing listens there.
  static absl::StatusOr<std::unique_ptr<RawClient>> Connect(int port,
                                                            Options options);
  static absl::StatusOr<std::unique_ptr<RawClient>> Connect(int port) {
    return Connect(port, Options());
  }
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // "127.0.0.1:PORT" with the client's own port: the server names the
  // connection by it in its log.
  std::string local_address() const;

  // Writes all of `bytes` (blocking). UNAVAILABLE when the server closed.
  absl::Status Send(absl::string_view bytes);
  // Writes all of `bytes` one byte per send(), waiting `gap` after each.
  absl::Status SendByteByByte(absl::string_view bytes, absl::Duration gap);

  // The next frame; DEADLINE_EXCEEDED after `timeout`, UNAVAILABLE when the
  // server closed the connection first.
  absl::StatusOr<RawFrame> ReadFrame(absl::Duration timeout);
  // Reads frames until a RESPONSE (skipping PING, PONG and SETTINGS) and
  // returns its header; its payload goes to *payload when given.
  // FAILED_PRECONDITION when another frame (e.g. GOAWAY) comes instead.
  absl::StatusOr<wire::ResponseHeader> ReadResponse(
      absl::Duration timeout, std::string* payload = nullptr);
  // Reads frames until a GOAWAY (skipping PING, PONG and SETTINGS; any
  // other frame is FAILED_PRECONDITION), then waits for the server to close
  // the connection. Both within `timeout`.
  absl::StatusOr<wire::GoAway> ReadGoAwayAndClose(absl::Duration timeout);
  // True when the server closes the connection within `timeout`; frames
  // that arrive first are stored in *skipped when given.
  bool WaitForClose(absl::Duration timeout,
                    std::vector<RawFrame>* skipped = nullptr);

  // shutdown(SHUT_WR): the server reads end of file, we can still read.
  void ShutdownWrite();
  // Closes with SO_LINGER 0, so that the server gets a RST.
  // REQUIRES: nothing is sent or read afterwards.
  void Reset();

 private:
  RawClient(int fd, int local_port) : fd_(fd), local_port_(local_port) {}
  // Reads more into buffer_; false on EOF (sets *closed) or timeout.
  bool Fill(absl::Time deadline, bool* closed);
  // Reads frames until one other than PING, PONG and SETTINGS, by
  // `deadline`; FAILED_PRECONDITION when it is not of type `want`.
  absl::StatusOr<RawFrame> ReadExpected(transport::FrameType want,
                                        absl::Time deadline);

  int fd_;
  int local_port_;
  std::string buffer_;
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_RPC_RAW_CLIENT_H_
