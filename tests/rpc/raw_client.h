// Copyright 2026 The framerpc Authors.
//
// RawClient: a blocking TCP client for tests that must send bytes a real
// framerpc client never would (garbage, oversized frames, bad payloads) and
// read back exactly what the server answers.
//
// Thread safety: one thread at a time.

#ifndef FRAMERPC_TESTS_RPC_RAW_CLIENT_H_
#define FRAMERPC_TESTS_RPC_RAW_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framerpc/wire.pb.h"
#include "google/protobuf/message_lite.h"
#include "transport/frame.h"

namespace framerpc::testing {

struct RawFrame {
  transport::FrameType type;
  std::string meta;
  std::string payload;
};

class RawClient {
 public:
  // Connects to 127.0.0.1:`port` and reads the SETTINGS frame that a
  // framerpc server sends first (FAILED_PRECONDITION if something else
  // comes).
  // `receive_buffer`, when nonzero, sets SO_RCVBUF first (a small one makes
  // the kernel absorb little of what the server sends).
  static absl::StatusOr<std::unique_ptr<RawClient>> Connect(
      int port, int receive_buffer = 0);
  ~RawClient();

  absl::Status Send(absl::string_view bytes);
  // Encodes and sends one frame.
  absl::Status SendFrame(transport::FrameType type, absl::string_view meta,
                         absl::string_view payload);
  absl::Status SendFrame(transport::FrameType type,
                         const google::protobuf::MessageLite& meta,
                         absl::string_view payload);

  // Sends a REQUEST frame for `service`/`method` with `payload` (which need
  // not be a valid message).
  absl::Status SendRequest(uint64_t call_id, absl::string_view service,
                           absl::string_view method, absl::string_view payload);

  // Reads frames until a RESPONSE (skipping PING, PONG and SETTINGS) and
  // returns its parsed header; the payload goes to *payload when given.
  absl::StatusOr<wire::ResponseHeader> ReadResponse(
      absl::Duration timeout, std::string* payload = nullptr);

  // Reads the next frame; DEADLINE_EXCEEDED after `timeout`, UNAVAILABLE
  // when the server closed the connection first.
  absl::StatusOr<RawFrame> ReadFrame(absl::Duration timeout);

  // True when the server closes the connection within `timeout` (frames
  // that arrive first are skipped).
  bool WaitForClose(absl::Duration timeout);

 private:
  explicit RawClient(int fd) : fd_(fd) {}
  // Reads into buffer_; false on EOF/error/timeout (sets *closed on EOF).
  bool Fill(absl::Time deadline, bool* closed);

  int fd_;
  std::string buffer_;
};

// Encodes one REQUEST frame (for tests that send many in one write).
std::string EncodeRequest(uint64_t call_id, absl::string_view service,
                          absl::string_view method, absl::string_view payload);

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_RPC_RAW_CLIENT_H_
