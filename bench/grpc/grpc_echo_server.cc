// Copyright 2026 The framerpc Authors.
//
// grpc_echo_server: the same Echo service (proto/echo.proto) on gRPC C++,
// with the callback API (grpc_cpp_plugin's CallbackService), for
// bench/run.sh. Built only when gRPC is installed (scripts/bootstrap-bench).
//
//   grpc_echo_server --port_file /tmp/p

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "bench/load/process_stats.h"
#include "echo.grpc.pb.h"
#include "grpcpp/grpcpp.h"

ABSL_FLAG(int, port, 0, "port to listen on (0: any)");
ABSL_FLAG(std::string, port_file, "", "where to write '<port> <stats_port>'");

namespace framerpc::bench {
namespace {

namespace v1 = ::framerpc::echo::v1;

class EchoCallbackService final : public v1::Echo::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const v1::EchoRequest* request,
                                 v1::EchoResponse* response) override {
    response->set_message(request->message());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace
}  // namespace framerpc::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "gRPC callback-API Echo server for bench/run.sh");
  absl::ParseCommandLine(argc, argv);
  framerpc::bench::RaiseFileLimit();

  framerpc::bench::EchoCallbackService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(
      "127.0.0.1:" + std::to_string(absl::GetFlag(FLAGS_port)),
      grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  // The 64 KiB shape and anything larger than gRPC's 4 MiB default.
  builder.SetMaxReceiveMessageSize(64 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "grpc_echo_server: could not start\n");
    return 2;
  }
  // gRPC does not say how many connections it holds.
  const int stats_port = framerpc::bench::StartStatsServer(0, nullptr);
  framerpc::bench::WritePortFile(absl::GetFlag(FLAGS_port_file), port,
                                 stats_port);
  std::printf("grpc_echo_server: port %d, stats %d\n", port, stats_port);
  std::fflush(stdout);
  server->Wait();
  return 0;
}
