// Copyright 2026 The framerpc Authors.

#include "tests/rpc/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "transport/frame_codec.h"

namespace framerpc::testing {

absl::StatusOr<std::unique_ptr<RawClient>> RawClient::Connect(
    int port, int receive_buffer) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                 sizeof(receive_buffer));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("connect: ", std::strerror(error)));
  }
  std::unique_ptr<RawClient> client(new RawClient(fd));
  absl::StatusOr<RawFrame> settings = client->ReadFrame(absl::Seconds(10));
  if (!settings.ok()) return settings.status();
  if (settings->type != transport::FrameType::kSettings) {
    return absl::FailedPreconditionError(
        absl::StrCat("expected SETTINGS first, got ",
                     transport::FrameTypeName(settings->type)));
  }
  return client;
}

RawClient::~RawClient() { ::close(fd_); }

absl::Status RawClient::Send(absl::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("send: ", std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status RawClient::SendFrame(transport::FrameType type,
                                  absl::string_view meta,
                                  absl::string_view payload) {
  transport::FrameHeader header;
  header.type = type;
  header.meta_length = static_cast<uint32_t>(meta.size());
  header.payload_length = static_cast<uint32_t>(payload.size());
  std::string frame(transport::kFrameHeaderSize, '\0');
  transport::FrameCodec::EncodeHeader(header, frame.data());
  frame.append(meta.data(), meta.size());
  frame.append(payload.data(), payload.size());
  return Send(frame);
}

absl::Status RawClient::SendFrame(transport::FrameType type,
                                  const google::protobuf::MessageLite& meta,
                                  absl::string_view payload) {
  return SendFrame(type, meta.SerializeAsString(), payload);
}

std::string EncodeRequest(uint64_t call_id, absl::string_view service,
                          absl::string_view method, absl::string_view payload) {
  wire::RequestHeader header;
  header.set_call_id(call_id);
  header.set_service(std::string(service));
  header.set_method(std::string(method));
  const std::string meta = header.SerializeAsString();
  transport::FrameHeader frame;
  frame.type = transport::FrameType::kRequest;
  frame.meta_length = static_cast<uint32_t>(meta.size());
  frame.payload_length = static_cast<uint32_t>(payload.size());
  std::string bytes(transport::kFrameHeaderSize, '\0');
  transport::FrameCodec::EncodeHeader(frame, bytes.data());
  bytes += meta;
  bytes.append(payload.data(), payload.size());
  return bytes;
}

absl::Status RawClient::SendRequest(uint64_t call_id, absl::string_view service,
                                    absl::string_view method,
                                    absl::string_view payload) {
  return Send(EncodeRequest(call_id, service, method, payload));
}

absl::StatusOr<wire::ResponseHeader> RawClient::ReadResponse(
    absl::Duration timeout, std::string* payload) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<RawFrame> frame = ReadFrame(deadline - absl::Now());
    if (!frame.ok()) return frame.status();
    if (frame->type == transport::FrameType::kPing ||
        frame->type == transport::FrameType::kPong ||
        frame->type == transport::FrameType::kSettings) {
      continue;
    }
    if (frame->type != transport::FrameType::kResponse) {
      return absl::FailedPreconditionError(absl::StrCat(
          "expected RESPONSE, got ", transport::FrameTypeName(frame->type)));
    }
    wire::ResponseHeader header;
    if (!header.ParseFromString(frame->meta)) {
      return absl::DataLossError("RESPONSE header does not parse");
    }
    if (payload != nullptr) *payload = std::move(frame->payload);
    return header;
  }
}

bool RawClient::Fill(absl::Time deadline, bool* closed) {
  *closed = false;
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return false;
  pollfd pfd{fd_, POLLIN, 0};
  int ready =
      ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
  if (ready <= 0) return false;
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) {
    *closed = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

absl::StatusOr<RawFrame> RawClient::ReadFrame(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  transport::FrameCodec codec(size_t{1} << 30);
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
      return absl::DeadlineExceededError("no frame in time");
    }
  }
}

bool RawClient::WaitForClose(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    bool closed = false;
    if (!Fill(deadline, &closed)) return closed;
  }
}

}  // namespace framerpc::testing
