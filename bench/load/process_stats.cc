// Copyright 2026 The framerpc Authors.

#include "bench/load/process_stats.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench/raw/raw_socket.h"

namespace framerpc::bench {
namespace {

int64_t Micros(const timeval& tv) {
  return static_cast<int64_t>(tv.tv_sec) * 1000000 + tv.tv_usec;
}

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "stats: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

std::string Format(const ProcessStats& s) {
  char line[160];
  std::snprintf(line, sizeof(line),
                "user_us=%lld sys_us=%lld rss_bytes=%lld connections=%lld\n",
                static_cast<long long>(s.user_us),
                static_cast<long long>(s.sys_us),
                static_cast<long long>(s.rss_bytes),
                static_cast<long long>(s.connections));
  return line;
}

}  // namespace

ProcessStats SelfStats() {
  ProcessStats stats;
  rusage usage = {};
  ::getrusage(RUSAGE_SELF, &usage);
  stats.user_us = Micros(usage.ru_utime);
  stats.sys_us = Micros(usage.ru_stime);
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    stats.rss_bytes = resident_pages * ::sysconf(_SC_PAGESIZE);
  }
  return stats;
}

int64_t RaiseFileLimit() {
  rlimit limit = {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<int64_t>(limit.rlim_cur);
}

int AvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  const int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

int64_t KernelTcpMemoryBytes() {
  std::ifstream in("/proc/net/sockstat");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("TCP:", 0) != 0) continue;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      if (word == "mem") {
        int64_t pages = 0;
        if (words >> pages) return pages * ::sysconf(_SC_PAGESIZE);
      }
    }
  }
  return -1;
}

int StartStatsServer(int port, std::function<int64_t()> connections) {
  int bound = 0;
  const int fd = raw::ListenOn(port, &bound);
  std::thread([fd, connections = std::move(connections)] {
    for (;;) {
      const int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      // The request's content does not matter: one line in, one line out.
      char request[64];
      (void)::read(client, request, sizeof(request));
      ProcessStats stats = SelfStats();
      if (connections) stats.connections = connections();
      const std::string line = Format(stats);
      (void)::write(client, line.data(), line.size());
      ::close(client);
    }
  }).detach();
  return bound;
}

bool QueryStats(const std::string& address, ProcessStats* stats) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "stats: bad address '%s'\n", address.c_str());
    return false;
  }
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(
      static_cast<uint16_t>(std::atoi(address.substr(colon + 1).c_str())));
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) !=
      1) {
    std::fprintf(stderr, "stats: bad address '%s'\n", address.c_str());
    return false;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::fprintf(stderr, "stats: connect %s: %s\n", address.c_str(),
                 std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return false;
  }
  (void)::write(fd, "stats\n", 6);
  std::string reply;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) {
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  long long user = 0, sys = 0, rss = 0, conns = 0;
  if (std::sscanf(reply.c_str(),
                  "user_us=%lld sys_us=%lld rss_bytes=%lld connections=%lld",
                  &user, &sys, &rss, &conns) != 4) {
    std::fprintf(stderr, "stats: bad reply from %s: '%s'\n", address.c_str(),
                 reply.c_str());
    return false;
  }
  stats->user_us = user;
  stats->sys_us = sys;
  stats->rss_bytes = rss;
  stats->connections = conns;
  return true;
}

void WritePortFile(const std::string& path, int port, int stats_port) {
  if (path.empty()) return;
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << port << " " << stats_port << "\n";
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) Die("rename");
}

}  // namespace framerpc::bench
