// Copyright 2026 The framerpc Authors.
//
// What the load generator measures about a process, and how a bench server
// reports it: CPU time (getrusage), resident memory, open connections.
//
// A bench server runs a StatsServer: a second listening port on 127.0.0.1
// that answers one line of ProcessStats to whoever connects. The load
// client queries it at the start and the end of the measured window, so the
// server's CPU time per call is computed over exactly that window.
//
// Thread safety: every function may be called from any thread.

#ifndef FRAMERPC_BENCH_LOAD_PROCESS_STATS_H_
#define FRAMERPC_BENCH_LOAD_PROCESS_STATS_H_

#include <cstdint>
#include <functional>
#include <string>

namespace framerpc::bench {

struct ProcessStats {
  int64_t user_us = 0;       // CPU time in user mode, all threads
  int64_t sys_us = 0;        // CPU time in the kernel, all threads
  int64_t rss_bytes = 0;     // resident set size
  int64_t connections = -1;  // open connections; -1 when the server can't tell
};

// This process's stats (connections left at -1).
ProcessStats SelfStats();

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft
// limit.
int64_t RaiseFileLimit();

// CPUs this process may run on (its affinity mask, so `taskset -c 0` gives
// 1), at least 1.
int AvailableCpus();

// Kernel memory of all TCP sockets (the "mem" of /proc/net/sockstat), in
// bytes; -1 when unreadable. Not part of any process's RSS.
int64_t KernelTcpMemoryBytes();

// Starts a thread that serves SelfStats() (with `connections()` filled in
// when given) on 127.0.0.1 port `port` (0: any). Returns the bound port;
// exits the process when it cannot listen.
int StartStatsServer(int port, std::function<int64_t()> connections);

// Asks the StatsServer at "host:port". Returns false (and logs) on failure.
bool QueryStats(const std::string& address, ProcessStats* stats);

// Writes "<port> <stats_port>\n" to `path` (atomically: a temporary file,
// then rename), so that a script waiting for the file finds both at once.
void WritePortFile(const std::string& path, int port, int stats_port);

}  // namespace framerpc::bench

#endif  // FRAMERPC_BENCH_LOAD_PROCESS_STATS_H_
