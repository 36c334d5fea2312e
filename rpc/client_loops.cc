// Copyright 2026 The framerpc Authors.

#include "rpc/client_loops.h"

#include <algorithm>

#include "base/cpus.h"

namespace framerpc::internal {

transport::EventLoopGroup& SharedClientLoops() {
  // Never destroyed: channels may still be in use while static destructors
  // run at exit.
  static transport::EventLoopGroup* const loops = [] {
    const int cores = UsableCpus();
    auto* group =
        new transport::EventLoopGroup(std::clamp(cores, 1, 4), "framerpc-cli");
    group->Start();
    return group;
  }();
  return *loops;
}

}  // namespace framerpc::internal
