// Copyright 2026 The framerpc Authors.
//
// The I/O threads that every Channel of the process shares.

#ifndef FRAMERPC_RPC_CLIENT_LOOPS_H_
#define FRAMERPC_RPC_CLIENT_LOOPS_H_

#include "transport/event_loop_group.h"

namespace framerpc::internal {

// Started on first use with one loop per usable CPU (at most 4), and never
// stopped: the threads idle in epoll_wait until the process exits. Thread-safe.
transport::EventLoopGroup& SharedClientLoops();

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_CLIENT_LOOPS_H_
