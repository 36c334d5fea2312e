// Copyright 2026 The framerpc Authors.

#include "transport/event_loop_group.h"

#include <pthread.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/cpus.h"
#include "base/logging.h"

namespace framerpc::transport {

EventLoopGroup::EventLoopGroup(int num_loops, std::string name)
    : name_(std::move(name)) {
  FRAMERPC_CHECK_GE(num_loops, 0);
  if (num_loops == 0) {
    num_loops = UsableCpus();
  }
  loops_.reserve(num_loops);
  for (int i = 0; i < num_loops; ++i) {
    loops_.push_back(std::make_unique<EventLoop>());
  }
}

EventLoopGroup::~EventLoopGroup() { Stop(); }

void EventLoopGroup::Start() {
  if (!threads_.empty()) return;
  std::vector<absl::Notification> running(loops_.size());
  for (size_t i = 0; i < loops_.size(); ++i) {
    EventLoop* loop = loops_[i].get();
    // The first task of a loop runs inside Run(), on the loop thread.
    loop->Post([&running, i] { running[i].Notify(); });
    std::string thread_name = absl::StrCat(name_, "-", i).substr(0, 15);
    threads_.emplace_back([loop, thread_name] {
      ::pthread_setname_np(::pthread_self(), thread_name.c_str());
      loop->Run();
    });
  }
  for (auto& n : running) n.WaitForNotification();
}

void EventLoopGroup::Stop() {
  if (threads_.empty()) return;
  for (auto& loop : loops_) loop->Quit();
  for (auto& thread : threads_) {
    FRAMERPC_CHECK(thread.get_id() != std::this_thread::get_id())
        << "EventLoopGroup::Stop called on one of its own loop threads";
    thread.join();
  }
  threads_.clear();
}

EventLoop* EventLoopGroup::Next() {
  const size_t i = next_.fetch_add(1, std::memory_order_relaxed);
  return loops_[i % loops_.size()].get();
}

EventLoop* EventLoopGroup::loop(int i) const {
  FRAMERPC_CHECK(i >= 0 && i < size()) << "loop " << i;
  return loops_[i].get();
}

}  // namespace framerpc::transport
