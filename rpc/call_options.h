// Copyright 2026 The framerpc Authors.
//
// CallOptions: what a client may set on one call: its deadline, metadata,
// a cancellation handle, and where to put the server's response metadata.
//
//   framerpc::CallOptions options;
//   options.timeout = absl::Milliseconds(200);
//   options.metadata["request-id"] = "42";
//   absl::StatusOr<EchoResponse> reply = stub.Echo(request, options);
//
// Thread safety: a CallOptions is a plain value; the CallCanceller it may
// point to is thread-safe.

#ifndef FRAMERPC_RPC_CALL_OPTIONS_H_
#define FRAMERPC_RPC_CALL_OPTIONS_H_

#include <atomic>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rpc/metadata.h"

namespace framerpc {

// A handle that cancels the calls it is attached to.
//
//   auto canceller = std::make_shared<framerpc::CallCanceller>();
//   options.canceller = canceller;
//   stub.EchoAsync(request, options, done);
//   canceller->Cancel();   // `done` gets CANCELLED at once; the server is
//   told.
//
// A canceller may be attached to several calls; Cancel() cancels all of
// them, including calls started after it (they fail at once with CANCELLED).
//
// Thread safety: every method may be called from any thread.
class CallCanceller {
 public:
  CallCanceller() = default;
  CallCanceller(const CallCanceller&) = delete;
  CallCanceller& operator=(const CallCanceller&) = delete;

  // Cancels every attached call that has not completed yet. Idempotent.
  void Cancel() ABSL_LOCKS_EXCLUDED(mu_);
  bool cancelled() const;

  // For the runtime: registers `on_cancel` to run (once, on the thread that
  // calls Cancel(), or right here if already cancelled). Returns a token for
  // Unregister(). `on_cancel` must not block.
  uint64_t Register(absl::AnyInvocable<void()> on_cancel)
      ABSL_LOCKS_EXCLUDED(mu_);
  // For the runtime: forgets `token`; its callback will not run afterwards
  // (it may be running right now on another thread).
  void Unregister(uint64_t token) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  std::atomic<bool> cancelled_{false};
  mutable absl::Mutex mu_;
  uint64_t next_token_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, absl::AnyInvocable<void()>> callbacks_
      ABSL_GUARDED_BY(mu_);
};

struct CallOptions {
  // Absolute deadline of the call. When left at InfiniteFuture(), the call's
  // deadline is now + `timeout`. Default: InfiniteFuture().
  absl::Time deadline = absl::InfiniteFuture();

  // Time allowed for the call, counted from when it starts; used only when
  // `deadline` is not set. Zero means "the channel's default_timeout"
  // (ChannelOptions). absl::InfiniteDuration() means no deadline at all.
  // Default: zero.
  absl::Duration timeout = absl::ZeroDuration();

  // Sent to the server with the request; the handler reads it from
  // ServerContext::request_metadata(). Default: empty.
  Metadata metadata;

  // When set, Cancel() on it cancels this call. Default: none.
  std::shared_ptr<CallCanceller> canceller;

  // When set, filled with the server's response metadata before the call
  // completes (also on most failures, when the server sent any).
  // The Metadata must stay alive until the call has completed.
  // Default: nullptr.
  Metadata* response_metadata = nullptr;

  // What to do while no endpoint can take the call (all down, in backoff).
  // false: fail at once with UNAVAILABLE naming the endpoint and its last
  // error. true: wait for one to come back, until the deadline.
  // Default: false.
  bool wait_for_ready = false;

  // Convenience setters, so options can be built in one expression.
  CallOptions& set_timeout(absl::Duration t) {
    timeout = t;
    return *this;
  }
  CallOptions& set_deadline(absl::Time d) {
    deadline = d;
    return *this;
  }
  CallOptions& add_metadata(std::string key, std::string value) {
    metadata.insert_or_assign(std::move(key), std::move(value));
    return *this;
  }
};

}  // namespace framerpc

#endif  // FRAMERPC_RPC_CALL_OPTIONS_H_
