// Copyright 2026 The framerpc Authors.
//
// grpc_echo_client: the closed-loop load generator (bench/load/closed_loop.h)
// calling the gRPC Echo server with the callback API
// (stub->async()->Echo(...)), one channel per connection (each with its own
// subchannel pool, so K channels really are K TCP connections), the next
// call started from the previous one's callback.
//
//   grpc_echo_client --server 127.0.0.1:7001 --stats 127.0.0.1:7002
//       --size 16 --concurrency 64 --connections 4

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "bench/load/closed_loop.h"
#include "echo.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace framerpc::bench {
namespace {

namespace v1 = ::framerpc::echo::v1;

class GrpcCaller final : public Caller {
 public:
  GrpcCaller(const LoadOptions& options, ClosedLoop* loop)
      : options_(options),
        loop_(loop),
        slots_(static_cast<size_t>(options.concurrency)) {
    for (int i = 0; i < options.connections; ++i) {
      stubs_.push_back(NewStub());
    }
    for (Slot& slot : slots_) {
      slot.request.set_message(
          std::string(static_cast<size_t>(options.size), 'x'));
    }
  }

  void Call(int index) override {
    Slot& slot = slots_[static_cast<size_t>(index)];
    // A ClientContext serves one call only.
    slot.context = std::make_unique<grpc::ClientContext>();
    slot.response.Clear();
    stubs_[static_cast<size_t>(loop_->ConnectionOf(index))]->async()->Echo(
        slot.context.get(), &slot.request, &slot.response,
        [this, index, &slot](grpc::Status status) {
          if (!status.ok()) ReportError(status);
          loop_->Complete(
              index, status.ok() && slot.response.message().size() ==
                                        static_cast<size_t>(options_.size));
        });
  }

  bool OpenIdleConnections(int n) override {
    absl::BlockingCounter answered(n);
    std::atomic<int> failed{0};
    idle_.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      Slot& slot = idle_[static_cast<size_t>(i)];
      slot.request = slots_[0].request;
      slot.context = std::make_unique<grpc::ClientContext>();
      idle_stubs_.push_back(NewStub());
      idle_stubs_.back()->async()->Echo(slot.context.get(), &slot.request,
                                        &slot.response,
                                        [&](grpc::Status status) {
                                          if (!status.ok()) {
                                            ReportError(status);
                                            failed.fetch_add(1);
                                          }
                                          answered.DecrementCount();
                                        });
    }
    answered.Wait();
    return failed.load() == 0;
  }

 private:
  struct Slot {
    v1::EchoRequest request;
    v1::EchoResponse response;
    std::unique_ptr<grpc::ClientContext> context;
  };

  std::unique_ptr<v1::Echo::Stub> NewStub() {
    grpc::ChannelArguments args;
    // Without this, channels to one target share one connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxReceiveMessageSize(64 << 20);
    std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
        options_.server, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(10))) {
      std::fprintf(stderr, "grpc: could not connect to %s\n",
                   options_.server.c_str());
      std::exit(2);
    }
    return v1::Echo::NewStub(channel);
  }

  void ReportError(const grpc::Status& status) {
    if (!error_reported_.exchange(true)) {
      std::fprintf(stderr, "grpc: first error: %d %s\n",
                   static_cast<int>(status.error_code()),
                   status.error_message().c_str());
    }
  }

  const LoadOptions options_;
  ClosedLoop* const loop_;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<v1::Echo::Stub>> stubs_;
  std::vector<Slot> idle_;
  std::vector<std::unique_ptr<v1::Echo::Stub>> idle_stubs_;
  std::atomic<bool> error_reported_{false};
};

}  // namespace
}  // namespace framerpc::bench

int main(int argc, char** argv) {
  const framerpc::bench::LoadOptions options = framerpc::bench::ParseLoadFlags(
      argc, argv, "Closed-loop load on the gRPC callback Echo server");
  framerpc::bench::ClosedLoop loop(options);
  framerpc::bench::GrpcCaller caller(options, &loop);
  const int rc = loop.Main(caller);
  // gRPC's shutdown with calls and channels alive is slow; the figures are out.
  std::fflush(nullptr);
  std::_Exit(rc);
}
