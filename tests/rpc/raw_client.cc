// Copyright 2026 The framerpc Authors.

#include "tests/rpc/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "transport/frame_codec.h"

namespace framerpc::testing {
namespace {

void Put32(uint32_t v, char* out) {
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
}

bool IsControl(transport::FrameType type) {
  return type == transport::FrameType::kPing ||
         type == transport::FrameType::kPong ||
         type == transport::FrameType::kSettings;
}

}  // namespace

std::string FrameHeaderBytes(uint8_t type, uint32_t meta_length,
                             uint32_t payload_length, uint8_t version,
                             uint32_t magic, uint16_t flags) {
  std::string header(transport::kFrameHeaderSize, '\0');
  Put32(magic, header.data());
  header[4] = static_cast<char>(version);
  header[5] = static_cast<char>(type);
  header[6] = static_cast<char>(flags >> 8);
  header[7] = static_cast<char>(flags);
  Put32(meta_length, header.data() + 8);
  Put32(payload_length, header.data() + 12);
  return header;
}

std::string FrameBytes(transport::FrameType type, absl::string_view meta,
                       absl::string_view payload) {
  std::string frame;
  transport::FrameCodec::Encode(type, meta, payload, &frame);
  return frame;
}

std::string RequestBytes(const wire::RequestHeader& header,
                         absl::string_view payload) {
  return FrameBytes(transport::FrameType::kRequest, header.SerializeAsString(),
                    payload);
}

std::string RequestBytes(uint64_t id, absl::string_view service,
                         absl::string_view method, absl::string_view payload) {
  wire::RequestHeader header;
  header.set_call_id(id);
  header.set_service(std::string(service));
  header.set_method(std::string(method));
  return RequestBytes(header, payload);
}

absl::StatusOr<std::unique_ptr<RawClient>> RawClient::Connect(int port,
                                                              Options options) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  if (options.receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer,
                 sizeof(options.receive_buffer));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::ErrnoToStatus(error, "connect");
  }
  sockaddr_in local{};
  socklen_t length = sizeof(local);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  std::unique_ptr<RawClient> client(new RawClient(fd, ntohs(local.sin_port)));
  if (options.read_settings) {
    absl::StatusOr<RawFrame> settings = client->ReadFrame(absl::Seconds(10));
    if (!settings.ok()) return settings.status();
    if (settings->type != transport::FrameType::kSettings) {
      return absl::FailedPreconditionError(
          absl::StrCat("expected SETTINGS first, got ",
                       transport::FrameTypeName(settings->type)));
    }
  }
  return client;
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string RawClient::local_address() const {
  return absl::StrCat("127.0.0.1:", local_port_);
}

absl::Status RawClient::Send(absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("send: ", std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status RawClient::SendByteByByte(absl::string_view bytes,
                                       absl::Duration gap) {
  for (char byte : bytes) {
    if (absl::Status status = Send(absl::string_view(&byte, 1)); !status.ok()) {
      return status;
    }
    absl::SleepFor(gap);
  }
  return absl::OkStatus();
}

bool RawClient::Fill(absl::Time deadline, bool* closed) {
  *closed = false;
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return false;
  pollfd pfd{fd_, POLLIN, 0};
  const int ready =
      ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
  if (ready < 0 && errno == EINTR) return true;
  if (ready <= 0) return false;
  char chunk[65536];
  const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) {  // EOF, or a reset: the server closed either way
    *closed = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

absl::StatusOr<RawFrame> RawClient::ReadFrame(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  // The server's frames are checked against a generous limit: a test must
  // see whatever the server sends.
  const transport::FrameCodec codec(size_t{1} << 30);
  while (true) {
    transport::FrameView view;
    absl::StatusOr<size_t> size = codec.Decode(buffer_, &view);
    if (!size.ok()) return size.status();
    if (*size > 0) {
      RawFrame frame{view.header.type, std::string(view.meta),
                     std::string(view.payload)};
      buffer_.erase(0, *size);
      return frame;
    }
    bool closed = false;
    if (!Fill(deadline, &closed)) {
      if (closed) return absl::UnavailableError("server closed the connection");
      return absl::DeadlineExceededError(
          absl::StrCat("no frame within ", absl::FormatDuration(timeout)));
    }
  }
}

absl::StatusOr<RawFrame> RawClient::ReadExpected(transport::FrameType want,
                                                 absl::Time deadline) {
  while (true) {
    absl::StatusOr<RawFrame> frame = ReadFrame(deadline - absl::Now());
    if (!frame.ok() || frame->type == want) return frame;
    if (IsControl(frame->type)) continue;
    std::string detail;
    wire::GoAway goaway;
    if (frame->type == transport::FrameType::kGoAway &&
        goaway.ParseFromString(frame->meta)) {
      detail = absl::StrCat(": ", goaway.reason());
    }
    return absl::FailedPreconditionError(
        absl::StrCat("expected ", transport::FrameTypeName(want), ", got ",
                     transport::FrameTypeName(frame->type), detail));
  }
}

absl::StatusOr<wire::ResponseHeader> RawClient::ReadResponse(
    absl::Duration timeout, std::string* payload) {
  absl::StatusOr<RawFrame> frame =
      ReadExpected(transport::FrameType::kResponse, absl::Now() + timeout);
  if (!frame.ok()) return frame.status();
  wire::ResponseHeader header;
  if (!header.ParseFromString(frame->meta)) {
    return absl::DataLossError("RESPONSE header does not parse");
  }
  if (payload != nullptr) *payload = std::move(frame->payload);
  return header;
}

absl::StatusOr<wire::GoAway> RawClient::ReadGoAwayAndClose(
    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<RawFrame> frame =
      ReadExpected(transport::FrameType::kGoAway, deadline);
  if (!frame.ok()) return frame.status();
  wire::GoAway goaway;
  if (!goaway.ParseFromString(frame->meta)) {
    return absl::DataLossError("GOAWAY does not parse");
  }
  std::vector<RawFrame> after;
  if (!WaitForClose(deadline - absl::Now(), &after)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "GOAWAY '", goaway.reason(), "' but the connection stayed open"));
  }
  if (!after.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("a ", transport::FrameTypeName(after.front().type),
                     " frame came after the GOAWAY"));
  }
  return goaway;
}

bool RawClient::WaitForClose(absl::Duration timeout,
                             std::vector<RawFrame>* skipped) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<RawFrame> frame = ReadFrame(deadline - absl::Now());
    if (!frame.ok()) return absl::IsUnavailable(frame.status());
    if (skipped != nullptr) skipped->push_back(*std::move(frame));
  }
}

void RawClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

void RawClient::Reset() {
  const linger reset{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  ::close(fd_);
  fd_ = -1;
}

}  // namespace framerpc::testing
