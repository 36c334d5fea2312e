// Copyright 2026 The framerpc Authors.
//
// KeepalivePolicy: when a connection sends PING and when it is declared dead.
// Client and server run the same rule on every connection:
//
//   - nothing received for `interval`  -> send PING (at most once per interval)
//   - nothing received for `timeout`   -> dead: close, fail its calls
//
// A sweep checks every connection of a loop once per tick(), so a dead peer
// is found within timeout + tick(). All times are on the steady clock
// (base/steady_clock.h): a step of the wall clock neither kills live peers
// nor hides dead ones. Each side states its policy in its
// SETTINGS frame and adopts the stricter of the two (Merge).
//
// Thread safety: plain values.

#ifndef FRAMERPC_RPC_KEEPALIVE_H_
#define FRAMERPC_RPC_KEEPALIVE_H_

#include <algorithm>

#include "absl/time/time.h"

namespace framerpc::internal {

struct KeepalivePolicy {
  absl::Duration interval = absl::Seconds(1);
  absl::Duration timeout = absl::Seconds(3);

  // A peer may make us stricter, but not absurdly so: its values are taken
  // no lower than these.
  static constexpr absl::Duration kMinPeerInterval = absl::Milliseconds(50);
  static constexpr absl::Duration kMinPeerTimeout = absl::Milliseconds(200);

  // How often connections are checked: a tenth of the timeout, within
  // [10 ms, 1 s].
  absl::Duration tick() const {
    return std::clamp(timeout / 10, absl::Milliseconds(10), absl::Seconds(1));
  }

  // The stricter of `own` and the values a peer stated (zero = not stated).
  static KeepalivePolicy Merge(KeepalivePolicy own,
                               absl::Duration peer_interval,
                               absl::Duration peer_timeout) {
    if (peer_interval > absl::ZeroDuration()) {
      own.interval =
          std::min(own.interval, std::max(peer_interval, kMinPeerInterval));
    }
    if (peer_timeout > absl::ZeroDuration()) {
      own.timeout =
          std::min(own.timeout, std::max(peer_timeout, kMinPeerTimeout));
    }
    // A PING must have time to be answered before the timeout.
    if (own.interval >= own.timeout) own.interval = own.timeout / 3;
    return own;
  }

  enum class Action { kNone, kPing, kDead };

  // What to do now, given when the connection last received anything and
  // when it last sent a PING.
  Action Check(absl::Time now, absl::Time last_receive,
               absl::Time last_ping) const {
    const absl::Duration silent = now - last_receive;
    if (silent >= timeout) return Action::kDead;
    if (silent >= interval && now - last_ping >= interval) return Action::kPing;
    return Action::kNone;
  }
};

}  // namespace framerpc::internal

#endif  // FRAMERPC_RPC_KEEPALIVE_H_
