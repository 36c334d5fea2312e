// Copyright 2026 The framerpc Authors.
//
// Call metadata: string key/value pairs sent alongside a request or response,
// like HTTP headers. Keys are case-sensitive; a key appears at most once.

#ifndef FRAMERPC_RPC_METADATA_H_
#define FRAMERPC_RPC_METADATA_H_

#include <map>
#include <string>

namespace framerpc {

// Ordered so that iteration (and therefore what goes on the wire) is
// deterministic.
using Metadata = std::map<std::string, std::string>;

}  // namespace framerpc

#endif  // FRAMERPC_RPC_METADATA_H_
