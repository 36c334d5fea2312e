// Copyright 2026 The framerpc Authors.
//
// framed_echo: sends framerpc frames over TCP and echoes them back, using
// only the transport layer (event loop, acceptor, connector, connection).
//
//   framed_echo --mode=demo --count=3 --message=hello
//   framed_echo --mode=server --address=127.0.0.1:7000
//   framed_echo --mode=client --address=127.0.0.1:7000 --message=hi
//
// See README.md in this folder.

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "transport/acceptor.h"
#include "transport/connection.h"
#include "transport/connector.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/event_loop_group.h"

ABSL_FLAG(std::string, mode, "demo",
          "server: echo frames; client: send frames to --address; demo: both "
          "in one process");
ABSL_FLAG(std::string, address, "127.0.0.1:7000",
          "host:port to listen on (server) or connect to (client)");
ABSL_FLAG(std::string, message, "hello",
          "payload of each frame the client sends");
ABSL_FLAG(int, count, 3, "how many frames the client sends");

namespace {

using framerpc::transport::Acceptor;
using framerpc::transport::Connection;
using framerpc::transport::Connector;
using framerpc::transport::Endpoint;
using framerpc::transport::EventLoop;
using framerpc::transport::EventLoopGroup;
using framerpc::transport::FrameType;
using framerpc::transport::FrameTypeName;
using framerpc::transport::FrameView;
using framerpc::transport::Socket;

// One line per frame: `client -> server: REQUEST 5 bytes "hello"`.
void PrintFrame(const char* direction, FrameType type,
                absl::string_view payload) {
  std::printf("%s: %s %zu bytes \"%s\"\n", direction,
              std::string(FrameTypeName(type)).c_str(), payload.size(),
              absl::CHexEscape(payload).c_str());
  std::fflush(stdout);
}

// The server: an Acceptor hands each new socket to OnConnection, which wraps
// it in a Connection that answers every REQUEST with a RESPONSE carrying the
// same meta and payload. Everything runs on `loop`'s thread.
class EchoServer {
 public:
  EchoServer(EventLoop* loop, const Endpoint& address, bool verbose)
      : loop_(loop),
        verbose_(verbose),
        acceptor_(loop, address, [this](Socket socket, const Endpoint& peer) {
          OnConnection(std::move(socket), peer);
        }) {}

  absl::Status Listen() { return acceptor_.Listen(); }
  Endpoint endpoint() const { return acceptor_.local_endpoint(); }

  // Loop thread: stop accepting and close every connection.
  void Stop() {
    acceptor_.Stop();
    auto connections = connections_;  // closing erases from the map
    for (auto& [id, conn] : connections) conn->ForceClose(absl::OkStatus());
  }

 private:
  void OnConnection(Socket socket, const Endpoint& peer) {
    auto conn = Connection::Create(loop_, std::move(socket), peer);
    conn->SetFrameCallback([this](Connection& c, const FrameView& frame) {
      if (verbose_)
        PrintFrame("server received", frame.header.type, frame.payload);
      if (frame.header.type == FrameType::kRequest) {
        c.SendFrame(FrameType::kResponse, frame.meta, frame.payload);
      }
    });
    conn->SetCloseCallback([this](Connection& c, const absl::Status& why) {
      if (verbose_)
        std::printf("server: %s closed: %s\n", c.peer().ToString().c_str(),
                    why.ToString().c_str());
      connections_.erase(c.id());
    });
    connections_[conn->id()] = conn;
    conn->Start();
  }

  EventLoop* const loop_;
  const bool verbose_;
  Acceptor acceptor_;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
};

// The client: connect, then send `count` REQUESTs one at a time, each after
// the previous RESPONSE came back; close gracefully and quit the loop.
// Returns the close reason (OK when every echo matched).
absl::Status RunClient(EventLoop* loop, const Endpoint& server,
                       const std::string& message, int count) {
  absl::Status result;
  std::shared_ptr<Connection> conn;
  int received = 0;

  auto send_one = [&](Connection& c, int seq) {
    PrintFrame("client -> server", FrameType::kRequest, message);
    c.SendFrame(FrameType::kRequest, absl::StrCat(seq), message);
  };

  // Step 1: connect (nonblocking, 3 s timeout); `done` runs on the loop.
  Connector::Start(
      loop, server, absl::Seconds(3), [&](absl::StatusOr<Socket> socket) {
        if (!socket.ok()) {
          result = socket.status();
          loop->Quit();
          return;
        }
        // Step 2: wrap the socket in a Connection and set its callbacks.
        conn = Connection::Create(loop, *std::move(socket), server);
        conn->SetFrameCallback([&](Connection& c, const FrameView& frame) {
          PrintFrame("server -> client", frame.header.type, frame.payload);
          if (frame.payload != message) {
            c.ForceClose(absl::DataLossError("echo does not match"));
          } else if (++received < count) {
            send_one(c, received);
          } else {
            c.CloseGracefully(
                absl::OkStatus());  // Step 4: FIN, wait for theirs
          }
        });
        conn->SetCloseCallback([&](Connection&, const absl::Status& why) {
          result = why;
          loop->Quit();
        });
        // Step 3: start reading and send the first frame.
        conn->Start();
        if (count > 0) {
          send_one(*conn, 0);
        } else {
          conn->CloseGracefully(absl::OkStatus());
        }
      });
  loop->Run();
  return result;
}

absl::StatusOr<Endpoint> ResolveFlag() {
  absl::StatusOr<std::vector<Endpoint>> all =
      Endpoint::Resolve(absl::GetFlag(FLAGS_address));
  if (!all.ok()) return all.status();
  return all->front();
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "framed_echo: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const std::string message = absl::GetFlag(FLAGS_message);
  const int count = absl::GetFlag(FLAGS_count);

  if (mode == "server") {
    absl::StatusOr<Endpoint> address = ResolveFlag();
    if (!address.ok()) return Fail(address.status());
    EventLoop loop;
    EchoServer server(&loop, *address, /*verbose=*/true);
    if (absl::Status s = server.Listen(); !s.ok()) return Fail(s);
    std::printf("echoing frames on %s (Ctrl-C to stop)\n",
                server.endpoint().ToString().c_str());
    std::fflush(stdout);
    loop.Run();  // until the process is killed
    return 0;
  }

  if (mode == "client") {
    absl::StatusOr<Endpoint> address = ResolveFlag();
    if (!address.ok()) return Fail(address.status());
    EventLoop loop;
    absl::Status s = RunClient(&loop, *address, message, count);
    return s.ok() ? 0 : Fail(s);
  }

  if (mode == "demo") {
    // The server runs on a loop thread of its own, on a port the kernel
    // picks; the client runs on this thread.
    EventLoopGroup server_loop(1, "echo-server");
    server_loop.Start();
    EchoServer server(server_loop.loop(0), *Endpoint::Parse("127.0.0.1:0"),
                      /*verbose=*/false);
    if (absl::Status s = server.Listen(); !s.ok()) return Fail(s);
    std::printf("server listening on %s\n",
                server.endpoint().ToString().c_str());
    EventLoop client_loop;
    absl::Status s = RunClient(&client_loop, server.endpoint(), message, count);
    absl::Notification stopped;
    server_loop.loop(0)->RunInLoop([&] {
      server.Stop();
      stopped.Notify();
    });
    stopped.WaitForNotification();
    if (!s.ok()) return Fail(s);
    std::printf("done: %d frames echoed\n", count);
    return 0;
  }

  return Fail(absl::InvalidArgumentError(absl::StrCat(
      "--mode must be server, client or demo, not \"", mode, "\"")));
}
