// Copyright 2026 The framerpc Authors.
//
// TestServer: a started Server on 127.0.0.1 serving a TestServiceImpl of its
// own, for tests (a failure to start is a test failure).
//
//   TestServer server(options);
//   TestService::Stub stub(*Channel::Create(server.address()));
//   ... server.service.started(), server.server->connection_count() ...
//
// Thread safety: as Server and TestServiceImpl.

#ifndef FRAMERPC_TESTS_RPC_TEST_SERVER_H_
#define FRAMERPC_TESTS_RPC_TEST_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rpc/server.h"
#include "tests/rpc/test_service.h"

namespace framerpc::testing {

struct TestServer {
  // Listens on 127.0.0.1:`port` (0: any) with `options` otherwise.
  explicit TestServer(ServerOptions options, int port = 0) {
    options.address = absl::StrCat("127.0.0.1:", port);
    server = std::make_unique<Server>(options);
    EXPECT_TRUE(server->AddService(&service).ok());
    absl::StatusOr<int> started = server->Start();
    EXPECT_TRUE(started.ok()) << started.status();
    this->port = started.ok() ? *started : 0;
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port); }

  TestServiceImpl service;
  std::unique_ptr<Server> server;
  int port = 0;
};

}  // namespace framerpc::testing

#endif  // FRAMERPC_TESTS_RPC_TEST_SERVER_H_
