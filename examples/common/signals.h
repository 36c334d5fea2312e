// Copyright 2026 The framerpc Authors.
//
// ShutdownSignals: lets an example server wait for SIGINT or SIGTERM on its
// main thread. Construct it first thing in main(), before any thread starts:
// it blocks those signals in the calling thread, which every thread created
// later inherits, so sigwait() in Wait() is the only place they arrive.
//
// Thread safety: construct and Wait() from the main thread only.

#ifndef FRAMERPC_EXAMPLES_COMMON_SIGNALS_H_
#define FRAMERPC_EXAMPLES_COMMON_SIGNALS_H_

#include <pthread.h>
#include <signal.h>

#include <initializer_list>

namespace framerpc::examples {

class ShutdownSignals {
 public:
  // Also blocks the extra `signals` (e.g. SIGHUP), which Wait() then returns.
  explicit ShutdownSignals(std::initializer_list<int> signals = {}) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    for (int signal : signals) sigaddset(&set_, signal);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }

  // Blocks until one of the signals arrives; returns its number.
  int Wait() {
    int signal = 0;
    while (sigwait(&set_, &signal) != 0) {
    }
    return signal;
  }

 private:
  sigset_t set_;
};

}  // namespace framerpc::examples

#endif  // FRAMERPC_EXAMPLES_COMMON_SIGNALS_H_
