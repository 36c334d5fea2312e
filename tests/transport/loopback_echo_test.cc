// Copyright 2026 The framerpc Authors.
//
// End to end over real loopback sockets: many connections, many frames in
// flight, every byte checked.

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/transport/test_server.h"
#include "tests/transport/test_util.h"
#include "transport/connection.h"
#include "transport/event_loop_group.h"

namespace framerpc::transport {
namespace {

using ::framerpc::transport::testing::Dial;
using ::framerpc::transport::testing::ForceCloseAndWait;
using ::framerpc::transport::testing::kWaitTimeout;
using ::framerpc::transport::testing::RunInLoopAndWait;
using ::framerpc::transport::testing::TestServer;

constexpr int kConnections = 8;
constexpr int kFramesPerConnection = 1250;   // 10,000 in all
constexpr int kInFlightPerConnection = 125;  // 1,000 in all

// The payload of frame `seq` on connection `conn`: a size that varies from
// 0 to ~9 KiB (so frames straddle reads), and bytes that depend on both.
std::string Payload(int conn, int seq) {
  const size_t size = static_cast<size_t>((seq * 7919 + conn * 131) % 9000);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<char>((i * 31 + seq * 7 + conn) & 0xff);
  }
  return out;
}

// One client connection's bookkeeping; touched only on its loop thread.
struct ClientState {
  int index = 0;
  int next_to_send = 0;
  int next_expected = 0;
  int mismatches = 0;
};

TEST(LoopbackEchoTest, EchoesTenThousandFramesOverEightConnections) {
  EventLoopGroup server_loops(2, "server");
  EventLoopGroup client_loops(2, "client");
  server_loops.Start();
  client_loops.Start();
  // All server connections live on one loop; clients spread over two.
  TestServer server(server_loops.loop(0));
  ASSERT_TRUE(server.Listen().ok());

  std::atomic<int> finished{0};
  absl::Notification all_done;
  std::vector<std::shared_ptr<ClientState>> states;
  std::vector<std::shared_ptr<Connection>> clients;

  auto send_next = [](Connection& conn, ClientState& state) {
    const std::string meta = absl::StrCat("call ", state.next_to_send);
    conn.SendFrame(FrameType::kRequest, meta,
                   Payload(state.index, state.next_to_send));
    ++state.next_to_send;
  };

  for (int c = 0; c < kConnections; ++c) {
    auto state = std::make_shared<ClientState>();
    state->index = c;
    states.push_back(state);
    clients.push_back(
        Dial(client_loops.Next(), server.endpoint(),
             [&, state](Connection& setup_conn) {
               setup_conn.SetFrameCallback(
                   [&, state](Connection& conn, const FrameView& frame) {
                     ClientState& s = *state;
                     const int seq = s.next_expected++;
                     if (frame.header.type != FrameType::kRequest ||
                         frame.meta != absl::StrCat("call ", seq) ||
                         frame.payload != Payload(s.index, seq)) {
                       ++s.mismatches;
                     }
                     if (s.next_to_send < kFramesPerConnection)
                       send_next(conn, s);
                     if (s.next_expected == kFramesPerConnection &&
                         finished.fetch_add(1) + 1 == kConnections) {
                       all_done.Notify();
                     }
                   });
             }));
    ASSERT_NE(clients.back(), nullptr);
  }
  // Fill the window: 125 frames per connection, 1,000 in flight in all.
  for (int c = 0; c < kConnections; ++c) {
    RunInLoopAndWait(clients[c]->loop(), [&, c] {
      for (int i = 0; i < kInFlightPerConnection; ++i) {
        send_next(*clients[c], *states[c]);
      }
    });
  }
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(kWaitTimeout));
  for (int c = 0; c < kConnections; ++c) {
    RunInLoopAndWait(clients[c]->loop(), [&, c] {
      EXPECT_EQ(states[c]->mismatches, 0) << "connection " << c;
      EXPECT_EQ(states[c]->next_expected, kFramesPerConnection);
      EXPECT_EQ(clients[c]->pending_output_bytes(), 0u);
    });
    ForceCloseAndWait(clients[c]);
  }
  // Closing the clients closes the server side too (EOF).
  EXPECT_EQ(server.WaitForClosed(kConnections).size(),
            static_cast<size_t>(kConnections));
}

}  // namespace
}  // namespace framerpc::transport
