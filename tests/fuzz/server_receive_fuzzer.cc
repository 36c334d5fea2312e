// Copyright 2026 The framerpc Authors.
//
// server_receive_fuzzer: the server's whole receive path without sockets.
// Bytes from a client go into an in-memory transport::Connection, through
// the frame decoder to a real rpc ServerConnection with the Echo and
// Translator services registered (handlers inline on the loop, built-in
// dictionary), and the bytes the server would write come back out.
//
// Input: the preamble of fuzz_support.h, then what the client sends.
// Options byte:
//   bits 0-1  ServerOptions.max_frame_size: 16 MiB, 1 KiB (the smallest
//             the server allows), 4 KiB or 64 KiB
//   bit 2     max_pending_output as small as allowed (max_frame_size), so
//             with a small frame limit answers cross the connection's high
//             watermark (a quarter of it) and reading pauses and resumes
//   bit 3     max_metadata_size of 16 bytes
//   bit 4     the server drains (GOAWAY NO_ERROR) before the client's bytes
//   bit 5     each chunk arrives in a loop turn of its own (else all in one)
//   bit 6     the server's sweep runs after the client's bytes (now)
//   bit 7     ...an hour later: the heartbeat timeout closes the connection
// Each input ends with the client's EOF, in a loop turn of its own.
//
// Invariants checked:
//   - the output is a sequence of whole, valid frames; the first is
//     SETTINGS; only RESPONSE, PONG and GOAWAY follow;
//   - every RESPONSE header parses, has a known status code, no payload
//     unless OK, and answers a call id that the client sent (never more
//     answers for an id than REQUESTs carrying it);
//   - each PONG echoes the client's PINGs in order;
//   - nothing follows a GOAWAY that closes the connection (code other than
//     NO_ERROR), and its reason is given;
//   - the connection closes exactly once, and afterwards no call holds a
//     slot and the connection count is back to zero (ASan's leak check at
//     exit covers what the connection and calls allocated).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/logging.h"
#include "framerpc/wire.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "rpc/frame_io.h"
#include "rpc/loop_handle.h"
#include "rpc/server.h"
#include "rpc/server_connection.h"
#include "services/echo/echo_service.h"
#include "services/translate/dictionary.h"
#include "services/translate/dictionary_holder.h"
#include "services/translate/translator_service.h"
#include "tests/fuzz/fuzz_support.h"
#include "transport/connection.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/frame.h"
#include "transport/frame_codec.h"

namespace framerpc::fuzzing {
namespace {

using transport::FrameCodec;
using transport::FrameType;
using transport::FrameView;

// Built once: the loop (on the fuzzer's thread) and the services.
struct Environment {
  Environment()
      : peer(*transport::Endpoint::Parse("192.0.2.1:7000")),
        holder(translate::Dictionary::BuiltIn(), ""),
        translator(&holder) {
    // Protocol errors are the point here; their log lines would only be
    // noise.
    SetMinLogLevel(LogSeverity::kError);
    // Likewise protobuf's complaints about invalid UTF-8 in string fields.
    google::protobuf::SetLogHandler(nullptr);
  }

  transport::EventLoop loop;
  const transport::Endpoint peer;
  echo::EchoService echo;
  translate::DictionaryHolder holder;
  translate::TranslatorService translator;
};

// What the client's bytes ask for, as far as they decode.
struct ClientStream {
  // REQUESTs per call id (those whose header parses).
  absl::flat_hash_map<uint64_t, int> requests;
  std::vector<std::string> ping_payloads;
};

ClientStream ParseClientStream(size_t max_frame_size,
                               absl::string_view stream) {
  ClientStream client;
  const FrameCodec codec(max_frame_size);
  while (true) {
    FrameView frame;
    absl::StatusOr<size_t> size = codec.Decode(stream, &frame);
    if (!size.ok() || *size == 0) break;
    if (frame.header.type == FrameType::kRequest) {
      wire::RequestHeader header;
      if (internal::ParseMeta(frame, &header).ok()) {
        ++client.requests[header.call_id()];
      }
    } else if (frame.header.type == FrameType::kPing) {
      client.ping_payloads.emplace_back(frame.payload);
    }
    stream.remove_prefix(*size);
  }
  return client;
}

void CheckOutput(absl::string_view output, const ClientStream& client,
                 size_t max_frame_size) {
  // The server's answers may exceed its own receive limit only by what
  // their headers add; decode with room to spare and check sizes below.
  const FrameCodec codec(size_t{1} << 31);
  absl::flat_hash_map<uint64_t, int> responses;
  size_t pongs = 0;
  bool first = true;
  bool closed_by_goaway = false;
  while (!output.empty()) {
    FRAMERPC_CHECK(!closed_by_goaway) << "a frame after a closing GOAWAY";
    FrameView frame;
    absl::StatusOr<size_t> size = codec.Decode(output, &frame);
    FRAMERPC_CHECK(size.ok())
        << "the server wrote an invalid frame: " << size.status();
    FRAMERPC_CHECK_GT(*size, 0u) << "the server wrote a partial frame";
    const FrameType type = frame.header.type;
    FRAMERPC_CHECK_EQ(first, type == FrameType::kSettings)
        << "SETTINGS must come first, and only first";
    first = false;
    switch (type) {
      case FrameType::kSettings: {
        wire::Settings settings;
        FRAMERPC_CHECK(internal::ParseMeta(frame, &settings).ok());
        FRAMERPC_CHECK_EQ(settings.max_frame_size(), max_frame_size);
        break;
      }
      case FrameType::kResponse: {
        FRAMERPC_CHECK_LE(*size, max_frame_size)
            << "a RESPONSE over the server's frame limit";
        wire::ResponseHeader header;
        FRAMERPC_CHECK(internal::ParseMeta(frame, &header).ok());
        FRAMERPC_CHECK_LE(header.status_code(), 16u);
        if (header.status_code() != 0) {
          FRAMERPC_CHECK(frame.payload.empty());
          FRAMERPC_CHECK(!header.status_message().empty());
        }
        const int answered = ++responses[header.call_id()];
        auto sent = client.requests.find(header.call_id());
        FRAMERPC_CHECK(sent != client.requests.end())
            << "a RESPONSE for call " << header.call_id()
            << ", which the client never sent";
        FRAMERPC_CHECK_LE(answered, sent->second)
            << "call " << header.call_id() << " answered too often";
        break;
      }
      case FrameType::kPong:
        FRAMERPC_CHECK_LT(pongs, client.ping_payloads.size())
            << "a PONG without a PING";
        FRAMERPC_CHECK(frame.payload == client.ping_payloads[pongs])
            << "PONG " << pongs << " does not echo its PING";
        ++pongs;
        break;
      case FrameType::kGoAway: {
        wire::GoAway goaway;
        FRAMERPC_CHECK(internal::ParseMeta(frame, &goaway).ok());
        FRAMERPC_CHECK(!goaway.reason().empty());
        closed_by_goaway = goaway.code() != wire::GoAway::NO_ERROR;
        break;
      }
      default:
        FRAMERPC_CHECK(false) << "the server sent a "
                              << transport::FrameTypeName(type) << " frame";
    }
    output.remove_prefix(*size);
  }
  FRAMERPC_CHECK(!first) << "no SETTINGS";
}

}  // namespace
}  // namespace framerpc::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = framerpc::fuzzing;
  using framerpc::ServerOptions;
  using framerpc::internal::LoopHandle;
  using framerpc::internal::ServerConnection;
  using framerpc::internal::ServerState;
  namespace transport = framerpc::transport;
  // Only options that Server::Start() accepts (ValidateOptions).
  static constexpr size_t kMaxFrameSizes[] = {size_t{16} << 20, 1024, 4096,
                                              65536};
  static fz::Environment* const env = new fz::Environment();

  const auto [preamble, stream] = fz::SplitInput(data, size);
  const uint8_t options = preamble.options;
  auto state = std::make_shared<ServerState>();
  state->options.handler_threads = ServerOptions::HandlerThreads::kInline;
  state->options.max_frame_size = kMaxFrameSizes[options & 3];
  if (options & 4) {
    state->options.max_pending_output = state->options.max_frame_size;
  }
  if (options & 8) state->options.max_metadata_size = 16;
  state->services.emplace(env->echo.name(), &env->echo);
  state->services.emplace(env->translator.name(), &env->translator);
  // As Server::OnAccept: counted from accept until closed.
  state->connections.store(1);
  const bool drain_first = (options & 16) != 0;
  const bool turn_per_chunk = (options & 32) != 0;

  // The connection as rpc/server.cc sets it up.
  transport::ConnectionOptions connection_options;
  connection_options.max_frame_size = state->options.max_frame_size;
  connection_options.high_watermark = state->options.max_pending_output / 4;
  connection_options.low_watermark = connection_options.high_watermark / 4;
  std::string output;
  auto handle = std::make_shared<LoopHandle>(&env->loop);
  std::shared_ptr<transport::Connection> connection =
      transport::Connection::CreateInMemory(
          &env->loop, env->peer, connection_options,
          [&output](absl::string_view bytes) {
            output.append(bytes.data(), bytes.size());
          });
  auto server_connection =
      std::make_shared<ServerConnection>(state, handle, connection);
  int closes = 0;
  fz::RunOnLoop(env->loop, [&] {
    handle->BindToCurrentThread();
    server_connection->Start([&closes] { ++closes; });
    if (drain_first) server_connection->Drain();
  });

  const std::vector<absl::string_view> chunks = fz::Chunks(preamble, stream);
  if (turn_per_chunk) {
    for (absl::string_view chunk : chunks) {
      fz::RunOnLoop(env->loop, [&] { connection->ReceiveBytes(chunk); });
    }
  } else {
    fz::RunOnLoop(env->loop, [&] {
      for (absl::string_view chunk : chunks) connection->ReceiveBytes(chunk);
    });
  }
  if (options & (64 | 128)) {
    const absl::Time now =
        absl::Now() + ((options & 128) ? absl::Hours(1) : absl::ZeroDuration());
    fz::RunOnLoop(env->loop, [&] { server_connection->Sweep(now); });
  }
  // In a turn of its own: an EOF closes the connection at once, dropping
  // what was queued in its turn (as on a socket), which would hide the
  // answers from the checks below.
  fz::RunOnLoop(env->loop, [&] { connection->ReceiveEof(); });

  // The client's EOF, after everything was answered, ends the connection
  // (if the sweep did not).
  FRAMERPC_CHECK_EQ(closes, 1);
  FRAMERPC_CHECK(!connection->connected());
  FRAMERPC_CHECK_EQ(state->active_calls.load(), 0);
  FRAMERPC_CHECK_EQ(state->connections.load(), 0);
  handle->Retire();
  fz::CheckOutput(output,
                  fz::ParseClientStream(state->options.max_frame_size, stream),
                  state->options.max_frame_size);
  return 0;
}
