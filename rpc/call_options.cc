// Copyright 2026 The framerpc Authors.

#include "rpc/call_options.h"

#include <utility>
#include <vector>

namespace framerpc {

void CallCanceller::Cancel() {
  std::map<uint64_t, absl::AnyInvocable<void()>> callbacks;
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_.exchange(true)) return;
    callbacks.swap(callbacks_);
  }
  // Outside the lock: a callback may call Unregister().
  for (auto& [token, callback] : callbacks) callback();
}

bool CallCanceller::cancelled() const {
  return cancelled_.load(std::memory_order_acquire);
}

uint64_t CallCanceller::Register(absl::AnyInvocable<void()> on_cancel) {
  {
    absl::MutexLock lock(&mu_);
    if (!cancelled_.load(std::memory_order_relaxed)) {
      uint64_t token = next_token_++;
      callbacks_.emplace(token, std::move(on_cancel));
      return token;
    }
  }
  on_cancel();
  return 0;
}

void CallCanceller::Unregister(uint64_t token) {
  if (token == 0) return;
  absl::MutexLock lock(&mu_);
  callbacks_.erase(token);
}

}  // namespace framerpc
