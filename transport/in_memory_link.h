// Copyright 2026 The framerpc Authors.
//
// ConnectInMemory: two in-memory Connections joined back to back, an
// in-process socket pair. What one end sends, the other receives; when one
// end sends its FIN (its graceful close has flushed its output, or it
// closed), the other receives EOF. Each end runs on its own EventLoop (the
// two may be the same loop), so a client on one loop can talk to a server on
// another in one process, with the socket connection's framing, watermarks
// and close semantics and no sockets.
//
//   auto [client, server] = ConnectInMemory(
//       {client_loop, "in-process server", {}},
//       {server_loop, "in-process client", {}});
//   // set the callbacks of both; then, from a thread that runs neither
//   // loop, start the server end before the client end can send:
//   server_loop->Post([server] { server->Start(); });
//   client_loop->Post([client] { client->Start(); });
//
// Delivery: the bytes of each flush (one per loop turn, as a socket
// connection writes) are copied and handed to the other end's ReceiveBytes()
// in a task posted to its loop; the FIN becomes a ReceiveEof() task posted
// after them. Tasks run in the order posted, on a fresh stack. A task for an
// end that has closed (or is gone) does nothing.
//
// Thread safety: ConnectInMemory may be called from any thread. Each
// connection is then used as any Connection: on its own loop thread.
// Ownership: the caller owns both connections. The link's small shared state
// is owned by the two connections' hooks and by the delivery tasks in
// flight; it holds the connections only weakly, so there is no reference
// cycle: once both ends have closed and their owners let go, everything is
// freed.
// Lifetime: as for any Connection, an end must be closed before its loop
// stops, and its loop must outlive it. The two loops may belong to different
// owners and stop in any order: once an end has closed, the link never posts
// to that end's loop again (a post decided before the close finishes before
// the close does), so its loop may then stop and be destroyed while the
// other end goes on sending or closing; the other end's output and FIN are
// then dropped. A task already queued on a loop that stops is destroyed
// without running; it holds only the shared state.

#ifndef FRAMERPC_TRANSPORT_IN_MEMORY_LINK_H_
#define FRAMERPC_TRANSPORT_IN_MEMORY_LINK_H_

#include <memory>
#include <string>
#include <utility>

#include "transport/connection.h"
#include "transport/event_loop.h"

namespace framerpc::transport {

// One end of an in-memory link.
struct InMemoryEnd {
  // The loop this end's connection runs on. Must outlive the connection.
  EventLoop* loop = nullptr;
  // How this end names the other in messages (its peer_name()), e.g.
  // "in-process server".
  std::string peer_name;
  // As for a socket connection; max_frame_size bounds what this end accepts.
  ConnectionOptions options;
};

// Returns {a, b}: two in-memory connections, `a` on a.loop and `b` on b.loop,
// joined back to back (see the file comment). Neither is started. Any thread.
// REQUIRES: a.loop and b.loop are not null. Each connection is Start()ed on
// its loop before the other's first output can reach that loop (e.g. start b
// on b's loop, or in a task posted to b's loop from a thread other than b's
// loop thread, before starting a).
std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>>
ConnectInMemory(const InMemoryEnd& a, const InMemoryEnd& b);

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_IN_MEMORY_LINK_H_
