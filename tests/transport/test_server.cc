// Copyright 2026 The framerpc Authors.

#include "tests/transport/test_server.h"

#include <cstring>
#include <utility>

#include "absl/status/statusor.h"

namespace framerpc::transport::testing {
namespace {

void Echo(Connection& conn, const FrameView& frame) {
  conn.SendFrame(frame.header, [&frame](char* body) {
    std::memcpy(body, frame.meta.data(), frame.meta.size());
    std::memcpy(body + frame.meta.size(), frame.payload.data(),
                frame.payload.size());
  });
}

}  // namespace

TestServer::TestServer(EventLoop* loop, SetupCallback setup,
                       ConnectionOptions options)
    : loop_(loop), setup_(std::move(setup)), options_(options) {
  acceptor_ =
      std::make_unique<Acceptor>(loop_, *Endpoint::Parse("127.0.0.1:0"),
                                 [this](Socket socket, const Endpoint& peer) {
                                   OnNewConnection(std::move(socket), peer);
                                 });
}

TestServer::~TestServer() {
  Shutdown();
  RunInLoopAndWait(loop_, [this] { acceptor_.reset(); });
}

absl::Status TestServer::Listen() { return acceptor_->Listen(); }

Endpoint TestServer::endpoint() const { return acceptor_->local_endpoint(); }

void TestServer::OnNewConnection(Socket socket, const Endpoint& peer) {
  auto conn = Connection::Create(loop_, std::move(socket), peer, options_);
  conn->SetFrameCallback(Echo);
  if (setup_) setup_(*conn);
  conn->SetCloseCallback([this](Connection& c, const absl::Status& reason) {
    connections_.erase(c.id());
    absl::MutexLock lock(&mu_);
    closed_.push_back(reason);
  });
  connections_[conn->id()] = conn;
  conn->Start();
  absl::MutexLock lock(&mu_);
  ++accepted_;
}

void TestServer::Shutdown() {
  RunInLoopAndWait(loop_, [this] {
    acceptor_->Stop();
    // ForceClose erases from the map: iterate over a copy.
    auto connections = connections_;
    for (auto& [id, conn] : connections) {
      conn->ForceClose(absl::CancelledError("test server shut down"));
    }
  });
}

std::vector<absl::Status> TestServer::WaitForClosed(size_t n,
                                                    absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_.size() >= n;
  };
  mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  return closed_;
}

size_t TestServer::WaitForAccepted(size_t n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return accepted_ >= n;
  };
  mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  return accepted_;
}

}  // namespace framerpc::transport::testing
