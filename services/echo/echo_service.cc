// Copyright 2026 The framerpc Authors.

#include "services/echo/echo_service.h"

namespace framerpc::echo {

absl::Status EchoService::Echo(ServerContext& /*context*/,
                               const v1::EchoRequest& request,
                               v1::EchoResponse* response) {
  response->set_message(request.message());
  return absl::OkStatus();
}

}  // namespace framerpc::echo
