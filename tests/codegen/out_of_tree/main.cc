// Copyright 2026 The framerpc Authors.
//
// Starts a Greeter server on a free port, calls it through the generated
// stub (blocking and asynchronous forms) and exits 0 when both answers are
// right. Built against an installed framerpc by out_of_tree_test.sh.

#include <iostream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "greeter/v1/greeter.framerpc.h"
#include "rpc/channel.h"
#include "rpc/server.h"

namespace {

class GreeterImpl final : public greeter::v1::Greeter::Service {
 public:
  absl::Status Greet(framerpc::ServerContext& /*context*/,
                     const greeter::v1::GreetRequest& request,
                     greeter::v1::GreetResponse* response) override {
    response->set_greeting("Hello, " + request.name() + "!");
    return absl::OkStatus();
  }
};

int Fail(const std::string& what) {
  std::cerr << "out-of-tree test failed: " << what << "\n";
  return 1;
}

}  // namespace

int main() {
  GreeterImpl greeter;
  framerpc::ServerOptions options;
  options.address = "127.0.0.1:0";
  framerpc::Server server(options);
  if (absl::Status added = server.AddService(&greeter); !added.ok()) {
    return Fail(added.ToString());
  }
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) return Fail(port.status().ToString());

  absl::StatusOr<std::shared_ptr<framerpc::Channel>> channel =
      framerpc::Channel::Create("127.0.0.1:" + std::to_string(*port));
  if (!channel.ok()) return Fail(channel.status().ToString());
  greeter::v1::Greeter::Stub stub(*channel);

  greeter::v1::GreetRequest request;
  request.set_name("framerpc");
  absl::StatusOr<greeter::v1::GreetResponse> reply = stub.Greet(
      request, framerpc::CallOptions().set_timeout(absl::Seconds(5)));
  if (!reply.ok()) return Fail("Greet: " + reply.status().ToString());
  if (reply->greeting() != "Hello, framerpc!") {
    return Fail("Greet answered \"" + reply->greeting() + "\"");
  }

  absl::Notification done;
  absl::StatusOr<greeter::v1::GreetResponse> async_reply;
  stub.GreetAsync(request,
                  framerpc::CallOptions().set_timeout(absl::Seconds(5)),
                  [&](absl::StatusOr<greeter::v1::GreetResponse> response) {
                    async_reply = std::move(response);
                    done.Notify();
                  });
  if (!done.WaitForNotificationWithTimeout(absl::Seconds(10))) {
    return Fail("GreetAsync never completed");
  }
  if (!async_reply.ok()) {
    return Fail("GreetAsync: " + async_reply.status().ToString());
  }
  if (async_reply->greeting() != "Hello, framerpc!") {
    return Fail("GreetAsync answered \"" + async_reply->greeting() + "\"");
  }

  server.Shutdown(absl::Seconds(1));
  server.Wait();
  std::cout << "out-of-tree test passed: " << reply->greeting() << "\n";
  return 0;
}
