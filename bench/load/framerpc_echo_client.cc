// Copyright 2026 The framerpc Authors.
//
// framerpc_echo_client: the closed-loop load generator (closed_loop.h)
// calling Echo through the generated stub's asynchronous form, as a user
// would: one Channel per connection, the next call started from the
// previous one's completion.
//
//   framerpc_echo_client --server 127.0.0.1:7001 --stats 127.0.0.1:7002
//       --size 16 --concurrency 64 --connections 4 --duration 5s

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "bench/load/closed_loop.h"
#include "echo.framerpc.h"
#include "rpc/channel.h"

namespace framerpc::bench {
namespace {

namespace v1 = ::framerpc::echo::v1;

class FramerpcCaller final : public Caller {
 public:
  FramerpcCaller(const LoadOptions& options, ClosedLoop* loop)
      : options_(options), loop_(loop), requests_(options.concurrency) {
    for (int i = 0; i < options.connections; ++i) {
      stubs_.push_back(std::make_unique<v1::Echo::Stub>(NewChannel()));
    }
    // One request per slot: a message being serialized is not shared.
    for (v1::EchoRequest& request : requests_) {
      request.set_message(std::string(static_cast<size_t>(options.size), 'x'));
    }
  }

  void Call(int slot) override {
    const size_t expected = static_cast<size_t>(options_.size);
    stubs_[static_cast<size_t>(loop_->ConnectionOf(slot))]->EchoAsync(
        requests_[static_cast<size_t>(slot)], {},
        [this, slot, expected](absl::StatusOr<v1::EchoResponse> response) {
          if (!response.ok()) ReportError(response.status());
          loop_->Complete(
              slot, response.ok() && response->message().size() == expected);
        });
  }

  bool OpenIdleConnections(int n) override {
    absl::BlockingCounter answered(n);
    std::atomic<int> failed{0};
    for (int i = 0; i < n; ++i) {
      auto& stub = idle_stubs_.emplace_back(
          std::make_unique<v1::Echo::Stub>(NewChannel()));
      stub->EchoAsync(requests_[0], {},
                      [&](absl::StatusOr<v1::EchoResponse> response) {
                        if (!response.ok()) {
                          ReportError(response.status());
                          failed.fetch_add(1);
                        }
                        answered.DecrementCount();
                      });
    }
    answered.Wait();
    return failed.load() == 0;
  }

 private:
  std::shared_ptr<Channel> NewChannel() {
    absl::StatusOr<std::shared_ptr<Channel>> channel =
        Channel::Create(options_.server);
    if (!channel.ok()) {
      std::fprintf(stderr, "framerpc: %s\n",
                   channel.status().ToString().c_str());
      std::exit(2);
    }
    return *channel;
  }

  void ReportError(const absl::Status& status) {
    if (!error_reported_.exchange(true)) {
      std::fprintf(stderr, "framerpc: first error: %s\n",
                   status.ToString().c_str());
    }
  }

  const LoadOptions options_;
  ClosedLoop* const loop_;
  std::vector<v1::EchoRequest> requests_;
  std::vector<std::unique_ptr<v1::Echo::Stub>> stubs_;
  std::vector<std::unique_ptr<v1::Echo::Stub>> idle_stubs_;
  std::atomic<bool> error_reported_{false};
};

}  // namespace
}  // namespace framerpc::bench

int main(int argc, char** argv) {
  const framerpc::bench::LoadOptions options = framerpc::bench::ParseLoadFlags(
      argc, argv, "Closed-loop load on the framerpc Echo service");
  framerpc::bench::ClosedLoop loop(options);
  framerpc::bench::FramerpcCaller caller(options, &loop);
  const int rc = loop.Main(caller);
  // Skip tearing down channels (and calls of the memory test): the figures
  // are out, and a benchmark's exit should not be part of its noise.
  std::fflush(nullptr);
  std::_Exit(rc);
}
