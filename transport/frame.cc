// Copyright 2026 The framerpc Authors.

#include "transport/frame.h"

namespace framerpc::transport {

absl::string_view FrameTypeName(FrameType type) {
  switch (type) {
    case FrameType::kRequest:
      return "REQUEST";
    case FrameType::kResponse:
      return "RESPONSE";
    case FrameType::kCancel:
      return "CANCEL";
    case FrameType::kPing:
      return "PING";
    case FrameType::kPong:
      return "PONG";
    case FrameType::kGoAway:
      return "GOAWAY";
    case FrameType::kSettings:
      return "SETTINGS";
  }
  return "UNKNOWN";
}

}  // namespace framerpc::transport
