// Copyright 2026 The framerpc Authors.
//
// One call on the client side, from StartCall() to its completion.
// Thread safety: built on the caller's thread, then owned and touched only
// by the channel's loop thread.

#ifndef FRAMERPC_RPC_CLIENT_CALL_H_
#define FRAMERPC_RPC_CLIENT_CALL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "rpc/call_options.h"
#include "rpc/channel.h"
#include "rpc/frame_io.h"
#include "rpc/rpc_method.h"
#include "transport/event_loop.h"

namespace framerpc::internal {

struct ClientCall {
  uint64_t id = 0;
  absl::Time deadline = absl::InfiniteFuture();  // steady clock
  // What is called; its strings are static (generated stubs) or otherwise
  // outlive the call (see Channel::StartCall).
  RpcMethod method;
  // "service/method", for error messages only.
  std::string name() const {
    return absl::StrCat(method.service, "/", method.method);
  }
  // The REQUEST frame. Kept until the call completes: a call that a server
  // refused unseen (GOAWAY) is sent again elsewhere.
  EncodedFrame frame;
  Channel::RawCompletion done;
  Metadata* response_metadata = nullptr;
  std::shared_ptr<CallCanceller> canceller;
  uint64_t cancel_token = 0;
  bool wait_for_ready = false;
  // The connection the call is assigned to; 0 while it waits for an
  // endpoint to come up (wait_for_ready).
  uint64_t connection_id = 0;
  bool sent = false;
  // The next older call on Channel::Impl's stack of started calls.
  ClientCall* next_started = nullptr;
};

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_CLIENT_CALL_H_
