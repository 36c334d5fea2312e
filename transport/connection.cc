// Copyright 2026 The framerpc Authors.

#include "transport/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/logging.h"
#include "transport/errno_status.h"

namespace framerpc::transport {
namespace {

// A buffer that grew beyond this (a large frame) is given back once empty.
constexpr size_t kShrinkThreshold = 4 << 20;
// The most input buffer space reserved ahead for the rest of a frame.
constexpr size_t kMaxFrameReserve = 1 << 20;
// Frame bodies from this size up are written from where they are (see
// SendFrame with an owner); smaller ones are cheaper to copy.
constexpr size_t kMinBorrowedBody = 4096;
// Borrowed bodies per loop turn; more are copied (one sendmsg takes at most
// IOV_MAX pieces).
constexpr size_t kMaxBorrowed = 64;

std::atomic<uint64_t> next_connection_id{1};

// Calls a hook that runs at most once, and releases what it captured.
void CallHook(absl::AnyInvocable<void()>& hook) {
  absl::AnyInvocable<void()> taken = std::move(hook);
  hook = nullptr;
  if (taken) taken();
}

}  // namespace

std::shared_ptr<Connection> Connection::Create(EventLoop* loop, Socket socket,
                                               const Endpoint& peer,
                                               ConnectionOptions options) {
  FRAMERPC_CHECK(socket.valid());
  return std::shared_ptr<Connection>(new Connection(
      loop, std::move(socket), peer, peer.ToString(), options, {}));
}

std::shared_ptr<Connection> Connection::CreateInMemory(
    EventLoop* loop, std::string peer_name, ConnectionOptions options,
    InMemoryHooks hooks) {
  FRAMERPC_CHECK(hooks.on_output != nullptr);
  return std::shared_ptr<Connection>(new Connection(loop, Socket(), Endpoint(),
                                                    std::move(peer_name),
                                                    options, std::move(hooks)));
}

std::shared_ptr<Connection> Connection::CreateInMemory(
    EventLoop* loop, const Endpoint& peer, ConnectionOptions options,
    OutputCallback on_output) {
  FRAMERPC_CHECK(on_output != nullptr);
  InMemoryHooks hooks;
  hooks.on_output = std::move(on_output);
  return std::shared_ptr<Connection>(new Connection(
      loop, Socket(), peer, peer.ToString(), options, std::move(hooks)));
}

Connection::Connection(EventLoop* loop, Socket socket, const Endpoint& peer,
                       std::string peer_name, const ConnectionOptions& options,
                       InMemoryHooks hooks)
    : loop_(loop),
      socket_(std::move(socket)),
      peer_(peer),
      peer_name_(std::move(peer_name)),
      options_(options),
      codec_(options.max_frame_size),
      id_(next_connection_id.fetch_add(1, std::memory_order_relaxed)),
      in_memory_(hooks.on_output != nullptr),
      hooks_(std::move(hooks)) {
  FRAMERPC_CHECK(loop_ != nullptr);
  FRAMERPC_CHECK_LT(options_.low_watermark, options_.high_watermark);
}

Connection::~Connection() {
  // Start() keeps the connection alive until it has closed.
  FRAMERPC_CHECK(state_.load() == State::kIdle ||
                 state_.load() == State::kClosed);
}

void Connection::Start() {
  loop_->AssertInLoopThread();
  FRAMERPC_CHECK(state_.load() == State::kIdle) << "Start() called twice";
  state_.store(State::kConnected);
  self_ = shared_from_this();
  last_receive_time_ = loop_->Now();
  UpdateEvents();
}

bool Connection::WantRead() const {
  switch (state_.load(std::memory_order_relaxed)) {
    case State::kConnected:
      return reading_ && !input_failed_;
    case State::kClosing:
      return !peer_closed_;  // read (and discard) to see the peer's FIN
    default:
      return false;
  }
}

void Connection::UpdateEvents() {
  const State state = state_.load(std::memory_order_relaxed);
  if (state == State::kIdle || state == State::kClosed || in_memory_) return;
  const uint32_t events =
      (WantRead() ? EPOLLIN : 0u) | (want_write_ ? EPOLLOUT : 0u);
  if (registered_ && events == registered_events_) return;
  loop_->UpdateFd(socket_.fd(), events, this);
  registered_ = true;
  registered_events_ = events;
}

void Connection::HandleEvents(uint32_t epoll_events) {
  if (state_.load() == State::kClosed) return;
  // Errors and hang-ups are left to the read or the write that is wanted,
  // so the close reason names the call that failed, with its errno.
  constexpr uint32_t kTrouble = EPOLLERR | EPOLLHUP;
  // With output queued, a broken connection is reported by the write (the
  // output is what got lost); otherwise by the read.
  bool wrote = false;
  if ((epoll_events & kTrouble) && want_write_) {
    wrote = true;
    WriteOutput();
    if (state_.load() == State::kClosed) return;
  }
  if ((epoll_events & (EPOLLIN | EPOLLRDHUP | kTrouble)) && WantRead()) {
    HandleRead();
    if (state_.load() == State::kClosed) return;
  }
  if ((epoll_events & EPOLLOUT) && want_write_ && !wrote) {
    WriteOutput();
    if (state_.load() == State::kClosed) return;
  }
  if ((epoll_events & kTrouble) && !WantRead() && !want_write_) {
    // Neither reading nor writing, so no call would report it; closing now
    // also keeps level-triggered EPOLLHUP from spinning the loop.
    const int err = socket_.TakeError();
    if (err != 0) {
      CloseNow(
          ErrnoToUnavailable(err, absl::StrCat("connection to ", peer_name_)));
    } else {
      CloseNow(state_.load() == State::kClosing
                   ? close_reason_
                   : absl::UnavailableError(absl::StrCat(
                         "connection to ", peer_name_, " closed by peer")));
    }
  }
}

void Connection::HandleRead() {
  for (int i = 0; i < kMaxReadsPerTurn; ++i) {
    int err = 0;
    bool drained = false;
    const ssize_t n = input_.ReadFromFd(socket_.fd(), &err, &drained);
    if (n > 0) {
      last_receive_time_ = loop_->Now();
      if (state_.load() == State::kClosing) {
        input_.RetrieveAll();
      } else {
        ParseInput();
      }
      // A callback may have paused reading or closed the connection. A
      // short read means the socket is empty: skip the readv that would
      // only say EAGAIN (epoll is level-triggered, so nothing is missed).
      if (!WantRead() || drained) break;
    } else if (n == 0) {
      HandleEof();
      return;
    } else if (err == EAGAIN || err == EWOULDBLOCK) {
      break;
    } else {
      CloseNow(ErrnoToUnavailable(err, absl::StrCat("read from ", peer_name_)));
      return;
    }
  }
  if (input_.ReadableBytes() == 0 && input_.capacity() > kShrinkThreshold) {
    input_.Shrink(Buffer::kInitialSize);
  }
}

void Connection::ReceiveBytes(absl::string_view bytes) {
  loop_->AssertInLoopThread();
  FRAMERPC_CHECK(in_memory_) << "ReceiveBytes() on a socket connection";
  FRAMERPC_CHECK(state_.load() != State::kIdle)
      << "ReceiveBytes() before Start()";
  FRAMERPC_CHECK(!eof_received_) << "ReceiveBytes() after ReceiveEof()";
  // A frame callback's view points into input_, which Append may move.
  FRAMERPC_CHECK(!parsing_) << "ReceiveBytes() from a frame callback";
  if (bytes.empty() || state_.load() == State::kClosed) return;
  last_receive_time_ = loop_->Now();
  input_.Append(bytes);
  DeliverInMemoryInput();
  if (input_.ReadableBytes() == 0 && input_.capacity() > kShrinkThreshold) {
    input_.Shrink(Buffer::kInitialSize);
  }
}

void Connection::ReceiveEof() {
  loop_->AssertInLoopThread();
  FRAMERPC_CHECK(in_memory_) << "ReceiveEof() on a socket connection";
  FRAMERPC_CHECK(state_.load() != State::kIdle)
      << "ReceiveEof() before Start()";
  if (eof_received_) return;
  eof_received_ = true;
  eof_pending_ = true;
  DeliverInMemoryInput();
}

void Connection::DeliverInMemoryInput() {
  switch (state_.load()) {
    case State::kIdle:
    case State::kClosed:
      return;
    case State::kClosing:
      // As HandleRead: bytes are discarded, the FIN completes the close.
      // (Inside a frame callback ParseInput discards them once it returns.)
      if (!parsing_) input_.RetrieveAll();
      if (eof_pending_ && !peer_closed_) {
        eof_pending_ = false;
        HandleEof();
      }
      return;
    case State::kConnected:
      break;
  }
  if (input_failed_) {
    input_.RetrieveAll();
    return;
  }
  // Paused: what a socket connection would leave in the kernel waits here.
  if (!reading_) return;
  ParseInput();
  // A socket connection reads the FIN only after the bytes before it, and
  // only while it wants to read; inside a frame callback (parsing_) the
  // outer call gets here once the callback has returned.
  if (eof_pending_ && !parsing_ && WantRead()) {
    eof_pending_ = false;
    HandleEof();
  } else if (eof_pending_ && state_.load() == State::kClosing) {
    DeliverInMemoryInput();
  }
}

void Connection::ParseInput() {
  if (parsing_) return;  // re-entered from a frame callback
  parsing_ = true;
  bool delivered = false;
  while (state_.load() == State::kConnected && reading_ && !input_failed_) {
    FrameView frame;
    absl::StatusOr<size_t> size = codec_.Decode(input_.View(), &frame);
    if (!size.ok()) {
      parsing_ = false;
      HandleProtocolError(size.status());
      return;
    }
    if (*size == 0) {
      // What is left is the start of a frame (or nothing).
      ReserveForPartialFrame();
      if (input_.ReadableBytes() == 0) {
        incomplete_frame_since_ = absl::InfiniteFuture();
      } else if (delivered ||
                 incomplete_frame_since_ == absl::InfiniteFuture()) {
        incomplete_frame_since_ = last_receive_time_;
      }
      break;
    }
    delivered = true;
    if (frame_cb_) frame_cb_(*this, frame);
    // Only now: the frame's views point into input_.
    if (state_.load() != State::kConnected) {
      input_.RetrieveAll();  // closing: the rest is discarded
      break;
    }
    input_.Retrieve(*size);
  }
  parsing_ = false;
}

void Connection::ReserveForPartialFrame() {
  const size_t have = input_.ReadableBytes();
  if (have < kFrameHeaderSize) return;
  // The header is valid, or Decode would have failed.
  absl::StatusOr<FrameHeader> header = codec_.DecodeHeader(input_.View());
  if (!header.ok()) return;
  // Room for the rest of the frame now, so the reads land in the buffer
  // itself: otherwise a large frame comes in through ReadFromFd's stack
  // buffer and is copied again, and the buffer grows by doubling, copying
  // what it holds each time. At most kMaxFrameReserve at a time (this runs
  // again after every read), so a header alone cannot make a peer reserve
  // max_frame_size bytes.
  const size_t missing = std::min(
      static_cast<size_t>(header->frame_size()) - have, kMaxFrameReserve);
  if (input_.WritableBytes() < missing) input_.EnsureWritable(missing);
}

void Connection::HandleEof() {
  if (state_.load() == State::kClosing) {
    peer_closed_ = true;
    if (output_.ReadableBytes() == 0 && !flush_scheduled_) {
      CloseNow(close_reason_);
    } else {
      UpdateEvents();  // stop reading; close once the output is out
    }
    return;
  }
  const size_t have = input_.ReadableBytes();
  std::string message =
      absl::StrCat("connection to ", peer_name_, " closed by peer");
  if (have > 0 && !input_failed_) {
    if (have < kFrameHeaderSize) {
      absl::StrAppend(&message, " in the middle of a frame header (", have,
                      " of ", kFrameHeaderSize, " bytes received)");
    } else {
      // The header is complete and valid, or Decode would have failed.
      absl::StatusOr<FrameHeader> header = codec_.DecodeHeader(input_.View());
      absl::StrAppend(&message, " in the middle of a frame (", have, " of ",
                      header.ok() ? header->frame_size() : 0,
                      " bytes received)");
    }
  }
  CloseNow(absl::UnavailableError(message));
}

void Connection::HandleProtocolError(const absl::Status& error) {
  input_failed_ = true;
  input_.RetrieveAll();
  UpdateEvents();
  if (!protocol_error_cb_) {
    // With a callback, the owner reports the error (once, in its words).
    FRAMERPC_LOG(WARNING) << "connection " << id_ << " to " << peer_name_
                          << ": protocol error: " << error;
    CloseNow(error);
    return;
  }
  protocol_error_cb_(*this, error);
  if (state_.load() == State::kConnected) CloseGracefully(error);
}

void Connection::SendFrame(FrameType type, absl::string_view meta,
                           absl::string_view payload) {
  loop_->AssertInLoopThread();
  if (state_.load() != State::kConnected) return;
  FrameCodec::Encode(type, meta, payload, &output_);
  AfterAppend();
}

void Connection::SendFrame(const FrameHeader& header,
                           absl::FunctionRef<void(char* body)> fill) {
  loop_->AssertInLoopThread();
  if (state_.load() != State::kConnected) return;
  const size_t size = static_cast<size_t>(header.frame_size());
  output_.EnsureWritable(size);
  char* out = output_.BeginWrite();
  FrameCodec::EncodeHeader(header, out);
  fill(out + kFrameHeaderSize);
  output_.HasWritten(size);
  AfterAppend();
}

void Connection::SendFrame(const FrameHeader& header, absl::string_view body,
                           std::shared_ptr<const void> owner) {
  loop_->AssertInLoopThread();
  FRAMERPC_CHECK_EQ(body.size(), header.frame_size() - kFrameHeaderSize);
  if (state_.load() != State::kConnected) return;
  // Borrowed only when the end-of-turn write is certain to come (not while
  // waiting for EPOLLOUT) and a socket takes it.
  if (body.size() < kMinBorrowedBody || in_memory_ || want_write_ ||
      borrowed_.size() >= kMaxBorrowed) {
    SendFrame(header, [body](char* out) {
      std::memcpy(out, body.data(), body.size());
    });
    return;
  }
  output_.EnsureWritable(kFrameHeaderSize);
  FrameCodec::EncodeHeader(header, output_.BeginWrite());
  output_.HasWritten(kFrameHeaderSize);
  borrowed_.push_back(
      Borrowed{output_.ReadableBytes(), body, std::move(owner)});
  borrowed_bytes_ += body.size();
  AfterAppend();
}

void Connection::AfterAppend() {
  // With EPOLLOUT armed, the next writable event sends everything queued.
  if (!want_write_ && !flush_scheduled_) {
    flush_scheduled_ = true;
    loop_->RunAtEndOfTurn([self = shared_from_this()] {
      self->flush_scheduled_ = false;
      self->WriteOutput();
    });
  }
  if (!above_high_watermark_ &&
      pending_output_bytes() > options_.high_watermark) {
    above_high_watermark_ = true;
    if (high_cb_) high_cb_(*this);
  }
}

void Connection::Flush() {
  loop_->AssertInLoopThread();
  if (want_write_ || (output_.ReadableBytes() == 0 && borrowed_.empty())) {
    return;
  }
  WriteOutput();
}

void Connection::WriteOutput() {
  if (state_.load() == State::kClosed) return;
  if (in_memory_) {
    // The peer takes everything: in-memory output never waits.
    if (output_.ReadableBytes() > 0) {
      hooks_.on_output(output_.View());
      output_.RetrieveAll();
    }
  } else if (!borrowed_.empty()) {
    const ssize_t n = WriteWithBorrowed();
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      CloseNow(
          ErrnoToUnavailable(errno, absl::StrCat("write to ", peer_name_)));
      return;
    }
    CopyBorrowedIntoOutput(n > 0 ? static_cast<size_t>(n) : 0);
  } else if (output_.ReadableBytes() > 0) {
    ssize_t n;
    do {
      n = ::send(socket_.fd(), output_.Peek(), output_.ReadableBytes(),
                 MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      CloseNow(
          ErrnoToUnavailable(errno, absl::StrCat("write to ", peer_name_)));
      return;
    }
    if (n > 0) output_.Retrieve(static_cast<size_t>(n));
  }
  const bool drained = output_.ReadableBytes() == 0;
  want_write_ = !drained;
  if (drained && output_.capacity() > kShrinkThreshold) {
    output_.Shrink(Buffer::kInitialSize);
  }
  UpdateEvents();
  if (above_high_watermark_ &&
      output_.ReadableBytes() < options_.low_watermark) {
    above_high_watermark_ = false;
    if (writable_cb_) writable_cb_(*this);
  }
  if (state_.load() == State::kClosing && output_.ReadableBytes() == 0 &&
      !flush_scheduled_) {
    FinishGracefulClose();
  }
}

ssize_t Connection::WriteWithBorrowed() {
  iovec iov[2 * kMaxBorrowed + 1];
  size_t count = 0;
  const char* const queued = output_.Peek();
  size_t from = 0;  // in output_
  for (const Borrowed& borrowed : borrowed_) {
    if (borrowed.offset > from) {
      iov[count++] = {const_cast<char*>(queued + from), borrowed.offset - from};
    }
    iov[count++] = {const_cast<char*>(borrowed.bytes.data()),
                    borrowed.bytes.size()};
    from = borrowed.offset;
  }
  if (output_.ReadableBytes() > from) {
    iov[count++] = {const_cast<char*>(queued + from),
                    output_.ReadableBytes() - from};
  }
  msghdr message = {};
  message.msg_iov = iov;
  message.msg_iovlen = count;
  ssize_t n;
  do {
    n = ::sendmsg(socket_.fd(), &message, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

void Connection::CopyBorrowedIntoOutput(size_t skip) {
  const size_t total = output_.ReadableBytes() + borrowed_bytes_;
  if (skip >= total) {
    output_.RetrieveAll();
  } else {
    Buffer rest(std::max(total - skip, Buffer::kInitialSize));
    auto take = [&rest, &skip](const char* data, size_t n) {
      if (skip >= n) {
        skip -= n;
        return;
      }
      rest.Append(data + skip, n - skip);
      skip = 0;
    };
    size_t from = 0;
    for (const Borrowed& borrowed : borrowed_) {
      take(output_.Peek() + from, borrowed.offset - from);
      take(borrowed.bytes.data(), borrowed.bytes.size());
      from = borrowed.offset;
    }
    take(output_.Peek() + from, output_.ReadableBytes() - from);
    output_ = std::move(rest);
  }
  borrowed_.clear();
  borrowed_bytes_ = 0;
}

void Connection::FinishGracefulClose() {
  if (!write_shutdown_) {
    write_shutdown_ = true;
    if (in_memory_) {
      CallHook(hooks_.on_fin);
    } else if (!socket_.ShutdownWrite().ok()) {
      // ENOTCONN: the peer is already gone; nothing is left to wait for.
      CloseNow(close_reason_);
      return;
    }
  }
  if (peer_closed_) CloseNow(close_reason_);
}

void Connection::PauseReading() {
  loop_->AssertInLoopThread();
  reading_ = false;
  UpdateEvents();
}

void Connection::ResumeReading() {
  loop_->AssertInLoopThread();
  if (reading_) return;
  reading_ = true;
  UpdateEvents();
  // Frames that arrived before the pause: deliver them on a fresh stack (and
  // from ParseInput's own loop when resumed inside a frame callback).
  if (in_memory_) {
    // A pending EOF also waits for the resume.
    if ((input_.ReadableBytes() > 0 || eof_pending_) && !parsing_) {
      loop_->Post(
          [self = shared_from_this()] { self->DeliverInMemoryInput(); });
    }
  } else if (input_.ReadableBytes() > 0 && !parsing_) {
    loop_->Post([self = shared_from_this()] { self->ParseInput(); });
  }
}

void Connection::ForceClose(absl::Status reason) {
  loop_->AssertInLoopThread();
  CloseNow(reason);
}

void Connection::CloseGracefully(absl::Status reason, absl::Duration linger) {
  loop_->AssertInLoopThread();
  if (state_.load() != State::kConnected) return;
  state_.store(State::kClosing);
  close_reason_ = std::move(reason);
  // Inside a frame callback the frame's bytes are still in use; ParseInput
  // discards them once it returns.
  if (!parsing_) input_.RetrieveAll();
  std::weak_ptr<Connection> weak = weak_from_this();
  linger_timer_ = loop_->RunAfter(linger, [weak] {
    if (auto self = weak.lock()) {
      self->linger_timer_ = 0;
      self->CloseNow(self->close_reason_);
    }
  });
  UpdateEvents();
  // Otherwise the pending flush or EPOLLOUT finishes the close.
  if (!want_write_ && !flush_scheduled_) FinishGracefulClose();
  // An EOF held back while reading was paused: a socket connection reads the
  // FIN now (closing always reads), so take it on a fresh stack.
  if (in_memory_ && eof_pending_ && state_.load() == State::kClosing) {
    loop_->Post([self = shared_from_this()] { self->DeliverInMemoryInput(); });
  }
}

void Connection::CloseNow(const absl::Status& reason) {
  const State state = state_.load();
  if (state == State::kClosed) return;
  state_.store(State::kClosed);
  if (linger_timer_ != 0) {
    loop_->CancelTimer(linger_timer_);
    linger_timer_ = 0;
  }
  if (registered_) {
    loop_->RemoveFd(socket_.fd());
    registered_ = false;
  }
  socket_.Close();
  output_.RetrieveAll();
  borrowed_.clear();
  borrowed_bytes_ = 0;
  want_write_ = false;
  if (in_memory_) {
    // Where a socket's close would send the FIN, unless already sent.
    if (!write_shutdown_) {
      write_shutdown_ = true;
      CallHook(hooks_.on_fin);
    }
    CallHook(hooks_.on_closed);
  }
  CloseCallback close_cb = std::move(close_cb_);
  close_cb_ = nullptr;
  if (close_cb) close_cb(*this, reason);
  // The callbacks may hold shared_ptrs to this connection; release them, and
  // the self reference, once the handler on the stack has returned.
  std::shared_ptr<Connection> self =
      self_ != nullptr ? std::move(self_) : shared_from_this();
  loop_->Post([self = std::move(self)] {
    self->frame_cb_ = nullptr;
    self->protocol_error_cb_ = nullptr;
    self->high_cb_ = nullptr;
    self->writable_cb_ = nullptr;
    self->hooks_.on_output = nullptr;  // WriteOutput no longer calls it
  });
}

}  // namespace framerpc::transport
