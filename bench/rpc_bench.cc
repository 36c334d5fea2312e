// Copyright 2026 The framerpc Authors.
//
// Per-call costs of the rpc layer, without the load generator:
//
// - Request/response header build and parse: what Channel::StartCall and
//   ServerCall::Finish do to make a frame body (a RequestHeader or
//   ResponseHeader, both written by hand, plus the serialized message,
//   rpc/frame_io.h), and what ServerConnection::OnRequest and the channel's
//   OnResponse do to read one (headers read in place, then the message).
// - A whole Echo round trip through the generated stub, Channel and Server,
//   in one process, with the server's handlers inline on its I/O thread or
//   on the worker pool, and two transports: an in-process channel
//   (Server::InProcessChannel: no socket, frames handed between the two I/O
//   threads in memory) and TCP over 127.0.0.1. The difference between the
//   two is what the kernel's socket path costs; the in-process figure is
//   framerpc's own cost (stub, channel, framing, server, two thread hops).
//
//   build/bench/bench/rpc_bench --benchmark_min_time=0.5
//
// For the cost with real separate processes and many calls in flight, see
// bench/run.sh.

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "benchmark/benchmark.h"
#include "echo.framerpc.h"
#include "rpc/channel.h"
#include "rpc/frame_io.h"
#include "rpc/server.h"
#include "services/echo/echo_service.h"

namespace framerpc {
namespace {

namespace v1 = ::framerpc::echo::v1;
using transport::FrameType;

v1::EchoRequest Request(int64_t size) {
  v1::EchoRequest request;
  request.set_message(std::string(static_cast<size_t>(size), 'x'));
  return request;
}

// As Channel::StartCall: the RequestHeader written by hand
// (EncodeRequestFrame), then the request serialized after it, into one
// frame body.
void BM_RequestHeaderBuild(benchmark::State& state) {
  const v1::EchoRequest request = Request(state.range(0));
  const Metadata no_metadata;
  uint64_t id = 1;
  for (auto _ : state) {
    internal::EncodedFrame frame =
        internal::EncodeRequestFrame(id++, "framerpc.echo.v1.Echo", "Echo",
                                     10'000'000, no_metadata, request);
    benchmark::DoNotOptimize(frame.body.data());
  }
}
BENCHMARK(BM_RequestHeaderBuild)->Arg(16)->Arg(1024);

// As ServerConnection::OnRequest: the RequestHeader read in place
// (ParseRequestHeader), then the request parsed from the payload (what the
// handler gets).
void BM_RequestHeaderParse(benchmark::State& state) {
  const internal::EncodedFrame frame = internal::EncodeRequestFrame(
      12345, "framerpc.echo.v1.Echo", "Echo", 10'000'000, Metadata(),
      Request(state.range(0)));
  transport::FrameView view;
  view.header.type = FrameType::kRequest;
  const absl::string_view body = frame.body;
  view.meta = body.substr(0, frame.meta_length);
  view.payload = body.substr(frame.meta_length);
  for (auto _ : state) {
    internal::RequestHeaderView header;
    bool ok = internal::ParseRequestHeader(view, &header).ok();
    v1::EchoRequest payload;
    ok &= payload.ParseFromArray(view.payload.data(),
                                 static_cast<int>(view.payload.size()));
    if (!ok) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(payload);
  }
}
BENCHMARK(BM_RequestHeaderParse)->Arg(16)->Arg(1024);

// As ServerCall::Finish for an OK answer on a worker thread: the
// ResponseHeader written by hand (ResponseMeta), then the response.
void BM_ResponseHeaderBuild(benchmark::State& state) {
  v1::EchoResponse response;
  response.set_message(std::string(static_cast<size_t>(state.range(0)), 'x'));
  const Metadata no_metadata;
  uint64_t id = 1;
  for (auto _ : state) {
    const size_t response_size = response.ByteSizeLong();
    internal::EncodedFrame frame = internal::EncodeResponseFrame(
        internal::ResponseMeta(id++, 0, "", no_metadata), &response,
        response_size);
    benchmark::DoNotOptimize(frame.body.data());
  }
}
BENCHMARK(BM_ResponseHeaderBuild)->Arg(16)->Arg(1024);

// As the channel's OnResponse and the generated stub: the ResponseHeader
// read in place (ParseResponseHeader), then the response parsed.
void BM_ResponseHeaderParse(benchmark::State& state) {
  v1::EchoResponse response;
  response.set_message(std::string(static_cast<size_t>(state.range(0)), 'x'));
  const internal::EncodedFrame frame = internal::EncodeResponseFrame(
      internal::ResponseMeta(12345, 0, "", Metadata()), &response,
      response.ByteSizeLong());
  transport::FrameView view;
  view.header.type = FrameType::kResponse;
  const absl::string_view body = frame.body;
  view.meta = body.substr(0, frame.meta_length);
  view.payload = body.substr(frame.meta_length);
  for (auto _ : state) {
    internal::ResponseHeaderView header;
    bool ok = internal::ParseResponseHeader(view, &header).ok();
    v1::EchoResponse payload;
    ok &= payload.ParseFromArray(view.payload.data(),
                                 static_cast<int>(view.payload.size()));
    if (!ok) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(payload);
  }
}
BENCHMARK(BM_ResponseHeaderParse)->Arg(16)->Arg(1024);

// A server (one I/O thread; arg 0: 1 = inline handlers, 0 = worker pool)
// and a stub on a channel to it (arg 1: 1 = in-process, 0 = TCP), for the
// round-trip benchmarks.
class Loopback {
 public:
  explicit Loopback(const benchmark::State& state) {
    const bool inline_handlers = state.range(0) == 1;
    const bool in_process = state.range(1) == 1;
    ServerOptions options;
    options.io_threads = 1;
    if (inline_handlers) {
      options.handler_threads = ServerOptions::HandlerThreads::kInline;
    }
    server_ = std::make_unique<Server>(options);
    ok_ = server_->AddService(&echo_).ok();
    absl::StatusOr<int> port = server_->Start();
    ok_ = ok_ && port.ok();
    if (!ok_) return;
    absl::StatusOr<std::shared_ptr<Channel>> channel =
        in_process ? server_->InProcessChannel()
                   : Channel::Create("127.0.0.1:" + std::to_string(*port));
    ok_ = channel.ok();
    if (ok_) stub_ = std::make_unique<v1::Echo::Stub>(*channel);
  }
  ~Loopback() {
    stub_.reset();
    server_->Shutdown(absl::Seconds(1));
    server_->Wait();
  }

  bool ok() const { return ok_; }
  v1::Echo::Stub& stub() { return *stub_; }

 private:
  echo::EchoService echo_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<v1::Echo::Stub> stub_;
  bool ok_ = false;
};

std::string Label(const benchmark::State& state) {
  return std::string(state.range(0) == 1 ? "inline handlers" : "worker pool") +
         (state.range(1) == 1 ? ", in-process" : ", TCP 127.0.0.1");
}

// One blocking call at a time: the latency of a lone call, all of it.
void BM_EchoRoundTripBlocking(benchmark::State& state) {
  Loopback loopback(state);
  if (!loopback.ok()) {
    state.SkipWithError("could not start the server");
    return;
  }
  const v1::EchoRequest request = Request(16);
  for (auto _ : state) {
    absl::StatusOr<v1::EchoResponse> response = loopback.stub().Echo(request);
    if (!response.ok()) {
      state.SkipWithError(response.status().ToString().c_str());
      return;
    }
  }
  state.SetLabel(Label(state));
}
BENCHMARK(BM_EchoRoundTripBlocking)
    ->ArgNames({"inline", "in_process"})
    ->ArgsProduct({{1, 0}, {1, 0}})
    ->UseRealTime();

// 64 asynchronous calls started at once, then waited for: throughput with
// many calls in flight on one connection (items/s = calls/s).
void BM_EchoRoundTripAsync64(benchmark::State& state) {
  constexpr int kBatch = 64;
  Loopback loopback(state);
  if (!loopback.ok()) {
    state.SkipWithError("could not start the server");
    return;
  }
  std::vector<v1::EchoRequest> requests(kBatch, Request(16));
  for (auto _ : state) {
    absl::BlockingCounter done(kBatch);
    std::atomic<int> failed{0};
    for (int i = 0; i < kBatch; ++i) {
      loopback.stub().EchoAsync(requests[static_cast<size_t>(i)], {},
                                [&](absl::StatusOr<v1::EchoResponse> response) {
                                  if (!response.ok()) failed.fetch_add(1);
                                  done.DecrementCount();
                                });
    }
    done.Wait();
    if (failed.load() > 0) {
      state.SkipWithError("calls failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(Label(state));
}
BENCHMARK(BM_EchoRoundTripAsync64)
    ->ArgNames({"inline", "in_process"})
    ->ArgsProduct({{1, 0}, {1, 0}})
    ->UseRealTime();

}  // namespace
}  // namespace framerpc

BENCHMARK_MAIN();
