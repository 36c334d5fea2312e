// Copyright 2026 The framerpc Authors.

#include "transport/in_memory_link.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "base/logging.h"

namespace framerpc::transport {
namespace {

// What the two ends share. The hooks of both connections and the delivery
// tasks in flight hold it by shared_ptr; it holds the connections weakly.
class LinkState : public std::enable_shared_from_this<LinkState> {
 public:
  LinkState(EventLoop* loop_a, EventLoop* loop_b) {
    absl::MutexLock lock(&mutex_);
    ends_[0].loop = loop_a;
    ends_[1].loop = loop_b;
  }

  void SetConnections(const std::shared_ptr<Connection>& a,
                      const std::shared_ptr<Connection>& b) {
    absl::MutexLock lock(&mutex_);
    ends_[0].conn = a;
    ends_[1].conn = b;
  }

  // The hooks of end `end` (0 for a, 1 for b).
  Connection::InMemoryHooks HooksFor(int end) {
    std::shared_ptr<LinkState> self = shared_from_this();
    Connection::InMemoryHooks hooks;
    hooks.on_output = [self, end](absl::string_view bytes) {
      self->Output(end, bytes);
    };
    hooks.on_fin = [self, end] { self->Fin(end); };
    hooks.on_closed = [self, end] { self->Closed(end); };
    return hooks;
  }

 private:
  struct End {
    EventLoop* loop = nullptr;
    std::weak_ptr<Connection> conn;
    // on_closed ran: nothing is posted to `loop` any more.
    bool closed = false;
    // on_fin ran: this end's output is dropped.
    bool fin_sent = false;
  };
  using Delivery = absl::AnyInvocable<void(Connection& receiver)>;

  // Hooks; each runs on the loop thread of end `from`.
  void Output(int from, absl::string_view bytes) ABSL_LOCKS_EXCLUDED(mutex_) {
    // The view dies when the hook returns; copy outside the lock.
    std::string data(bytes);
    absl::MutexLock lock(&mutex_);
    if (ends_[from].fin_sent) return;
    PostLocked(1 - from, [data = std::move(data)](Connection& receiver) {
      receiver.ReceiveBytes(data);
    });
  }
  void Fin(int from) ABSL_LOCKS_EXCLUDED(mutex_) {
    absl::MutexLock lock(&mutex_);
    if (ends_[from].fin_sent) return;
    ends_[from].fin_sent = true;
    PostLocked(1 - from, [](Connection& receiver) { receiver.ReceiveEof(); });
  }
  void Closed(int end) ABSL_LOCKS_EXCLUDED(mutex_) {
    // Taking the lock waits for a post to this end's loop that is under way;
    // after it, none is made: the owner may stop the loop.
    absl::MutexLock lock(&mutex_);
    ends_[end].closed = true;
    ends_[end].fin_sent = true;
  }

  // Posts `delivery` to end `to`'s loop, unless that end has closed or is
  // gone (never started and destroyed), when its loop may be gone too.
  void PostLocked(int to, Delivery delivery)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    End& end = ends_[to];
    if (end.closed || end.conn.expired()) return;
    // The task holds only the shared state: destroyed unrun by a stopping
    // loop, it touches no loop.
    end.loop->Post([self = shared_from_this(), to,
                    delivery = std::move(delivery)]() mutable {
      std::shared_ptr<Connection> receiver = self->Receiver(to);
      if (receiver != nullptr) delivery(*receiver);
    });
  }

  // The connection of end `to`, or null if it has closed or is gone.
  std::shared_ptr<Connection> Receiver(int to) ABSL_LOCKS_EXCLUDED(mutex_) {
    absl::MutexLock lock(&mutex_);
    if (ends_[to].closed) return nullptr;
    return ends_[to].conn.lock();
  }

  absl::Mutex mutex_;
  End ends_[2] ABSL_GUARDED_BY(mutex_);
};

}  // namespace

std::pair<std::shared_ptr<Connection>, std::shared_ptr<Connection>>
ConnectInMemory(const InMemoryEnd& a, const InMemoryEnd& b) {
  FRAMERPC_CHECK(a.loop != nullptr);
  FRAMERPC_CHECK(b.loop != nullptr);
  auto state = std::make_shared<LinkState>(a.loop, b.loop);
  std::shared_ptr<Connection> conn_a = Connection::CreateInMemory(
      a.loop, a.peer_name, a.options, state->HooksFor(0));
  std::shared_ptr<Connection> conn_b = Connection::CreateInMemory(
      b.loop, b.peer_name, b.options, state->HooksFor(1));
  state->SetConnections(conn_a, conn_b);
  return {std::move(conn_a), std::move(conn_b)};
}

}  // namespace framerpc::transport
