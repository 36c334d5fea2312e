// Copyright 2026 The framerpc Authors.
//
// EchoService: the smallest useful service. Echo returns the request's
// message unchanged.
//
//   framerpc::echo::EchoService echo;
//   server.AddService(&echo);
//
// Thread safety: stateless; any number of calls may run at once.

#ifndef FRAMERPC_SERVICES_ECHO_ECHO_SERVICE_H_
#define FRAMERPC_SERVICES_ECHO_ECHO_SERVICE_H_

#include "echo.framerpc.h"

namespace framerpc::echo {

class EchoService final : public v1::Echo::Service {
 public:
  absl::Status Echo(ServerContext& context, const v1::EchoRequest& request,
                    v1::EchoResponse* response) override;
};

}  // namespace framerpc::echo

#endif  // FRAMERPC_SERVICES_ECHO_ECHO_SERVICE_H_
