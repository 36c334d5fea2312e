// Copyright 2026 The framerpc Authors.
//
// Connection: one TCP connection that sends and receives framerpc frames.
//
//   auto conn = Connection::Create(loop, std::move(socket), peer);
//   conn->SetFrameCallback([](Connection& c, const FrameView& frame) {
//     c.SendFrame(FrameType::kResponse, meta, frame.payload);
//   });
//   conn->SetCloseCallback([](Connection& c, const absl::Status& why) {...});
//   loop->RunInLoop([conn] { conn->Start(); });
//
// Reading drains the socket (until EAGAIN, at most kMaxReadsPerTurn reads
// per turn so one busy peer cannot starve the others) and hands every
// complete frame to the frame callback, in order. Sending appends to an
// output buffer; the buffer is written once at the end of the loop turn, so
// all frames produced in one turn leave with one send(). What the kernel does
// not take is written when the socket becomes writable (EPOLLOUT).
//
// In-memory mode (CreateInMemory) has no socket: the owner pushes the
// peer's bytes with ReceiveBytes() and its FIN with ReceiveEof(), and the
// output is handed to an `on_output` hook at the point where a socket
// connection would call send(); `on_fin` and `on_closed` hooks say where it
// would send its FIN and when it closed. Parsing, frame callbacks,
// protocol-error handling, watermarks and close semantics are those of a
// socket connection. It lets fuzzers and tests drive the whole receive path
// without sockets, and ConnectInMemory (in_memory_link.h) join two
// connections back to back:
//
//   auto conn = Connection::CreateInMemory(loop, peer, {},
//       [&out](absl::string_view bytes) { out.append(bytes); });
//   conn->Start();                         // on the loop thread
//   conn->ReceiveBytes(request_bytes);     // frame callbacks run here
//   // at the end of the loop turn, `out` receives the queued frames
//
// Messages name the peer by peer_name(): the peer's address for a socket
// connection, the name given to CreateInMemory for an in-memory one.
//
// Close reasons, given once to the close callback:
//   OK (or the given status)  ForceClose / CloseGracefully by the owner
//   UNAVAILABLE "connection to <peer> closed by peer"              EOF
//   UNAVAILABLE "connection to <peer> closed by peer in the middle of a
//               frame (N of M bytes received)"                    EOF mid-frame
//   UNAVAILABLE "read from <peer>: <strerror>" / "write to <peer>: ..."
//   the decoder's INVALID_ARGUMENT / RESOURCE_EXHAUSTED             bad input
//
// Thread safety: Create(), CreateInMemory(), connected(), id(), peer(),
// peer_name(), loop() and in_memory() may be called from any thread; everything
// else only on the loop thread (the callback setters also before Start(), by
// the single owner). All callbacks run on the loop thread and must not block.
// Ownership: the owner holds a shared_ptr. The connection owns its socket and
// buffers, and also holds a reference to itself from Start() until it has
// closed, so it stays alive while the loop may still call it even if the
// owner lets go.
// Lifetime: `loop` must outlive the connection. After close, the callbacks
// are released (breaking cycles through captured shared_ptrs) in a task
// posted to the loop; a connection must be closed before its loop stops.

#ifndef FRAMERPC_TRANSPORT_CONNECTION_H_
#define FRAMERPC_TRANSPORT_CONNECTION_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "transport/buffer.h"
#include "transport/endpoint.h"
#include "transport/event_loop.h"
#include "transport/frame.h"
#include "transport/frame_codec.h"
#include "transport/io_handler.h"
#include "transport/socket.h"

namespace framerpc::transport {

struct ConnectionOptions {
  // The largest frame (header included) accepted from the peer, in bytes; a
  // larger one is a protocol error (RESOURCE_EXHAUSTED) refused as soon as
  // its header arrives. Default: kDefaultMaxFrameSize (16 MiB).
  size_t max_frame_size = kDefaultMaxFrameSize;
  // Output bytes queued (sent by SendFrame, not yet taken by the kernel)
  // above which the high-watermark callback fires, once per crossing.
  // Default: 8 MiB.
  size_t high_watermark = 8 << 20;
  // After a high-watermark event, the writable callback fires once the queued
  // output drains below this many bytes. Default: 1 MiB. Must be below
  // high_watermark.
  size_t low_watermark = 1 << 20;
};

class Connection : public std::enable_shared_from_this<Connection>,
                   private IoHandler {
 public:
  using FrameCallback =
      absl::AnyInvocable<void(Connection& conn, const FrameView& frame)>;
  using CloseCallback =
      absl::AnyInvocable<void(Connection& conn, const absl::Status& reason)>;
  using ErrorCallback =
      absl::AnyInvocable<void(Connection& conn, const absl::Status& error)>;
  using Callback = absl::AnyInvocable<void(Connection& conn)>;
  // Receives the output of an in-memory connection (see CreateInMemory).
  using OutputCallback = absl::AnyInvocable<void(absl::string_view bytes)>;

  // Where an in-memory connection's output, FIN and close go. Each hook runs
  // on the loop thread, must not block and must not call into this
  // connection (it may post tasks, also to its loop).
  struct InMemoryHooks {
    // Called with all the queued output wherever a socket connection would
    // write it (at the end of the loop turn in which frames were queued);
    // the output then counts as sent: in-memory output never waits for
    // EPOLLOUT. Must copy what it keeps: the view dies when it returns.
    // Required.
    OutputCallback on_output;
    // Called once, where a socket connection would send its FIN: when a
    // graceful close has flushed its output, or at the close if that comes
    // first. No on_output after it. May be null.
    absl::AnyInvocable<void()> on_fin;
    // Called once when the connection has closed, after on_fin and before
    // the close callback. May be null.
    absl::AnyInvocable<void()> on_closed;
  };

  // Reads per readiness event before yielding to other fds.
  static constexpr int kMaxReadsPerTurn = 16;

  // Wraps a connected socket. Any thread; nothing happens until Start().
  static std::shared_ptr<Connection> Create(EventLoop* loop, Socket socket,
                                            const Endpoint& peer,
                                            ConnectionOptions options = {});
  // An in-memory connection, without a socket, whose peer is called
  // `peer_name` in messages (e.g. "in-process"); peer() is an unspecified
  // Endpoint. Any thread; nothing happens until Start(). Output, FIN and
  // close go to `hooks` (see InMemoryHooks). A graceful close ends when
  // ReceiveEof() is called or the linger time passes.
  // REQUIRES: hooks.on_output is not null.
  static std::shared_ptr<Connection> CreateInMemory(EventLoop* loop,
                                                    std::string peer_name,
                                                    ConnectionOptions options,
                                                    InMemoryHooks hooks);
  // As above, with only an on_output hook, for a peer named by its address
  // `peer` (which peer() returns).
  static std::shared_ptr<Connection> CreateInMemory(EventLoop* loop,
                                                    const Endpoint& peer,
                                                    ConnectionOptions options,
                                                    OutputCallback on_output);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Called for every complete frame, in order. The view points into the
  // receive buffer and is valid only during the call. The callback may send,
  // pause reading or close.
  void SetFrameCallback(FrameCallback cb) { frame_cb_ = std::move(cb); }
  // Called exactly once when the connection closes, with the reason (see the
  // class comment). The socket is already closed then.
  void SetCloseCallback(CloseCallback cb) { close_cb_ = std::move(cb); }
  // Called when the peer sent bytes that are not a valid frame. Reading has
  // stopped; the callback may still SendFrame (e.g. a GOAWAY naming the
  // error) and should then CloseGracefully (if it does not, the connection
  // is closed gracefully with `error`). Without this callback the connection
  // is force-closed with `error`.
  void SetProtocolErrorCallback(ErrorCallback cb) {
    protocol_error_cb_ = std::move(cb);
  }
  // Called when queued output rises above options.high_watermark; may be
  // called from inside SendFrame.
  void SetHighWatermarkCallback(Callback cb) { high_cb_ = std::move(cb); }
  // Called when queued output falls below options.low_watermark after a
  // high-watermark event.
  void SetWritableCallback(Callback cb) { writable_cb_ = std::move(cb); }

  // Loop thread. Registers with the loop and starts reading.
  // REQUIRES: called once.
  void Start();

  // Loop thread. Queues a frame; it is written at the end of this loop turn
  // together with every other frame queued in the turn. Dropped silently
  // unless connected (also while closing gracefully).
  // REQUIRES: meta and payload each below 4 GiB.
  void SendFrame(FrameType type, absl::string_view meta,
                 absl::string_view payload);
  // Loop thread. Zero-copy variant: reserves room for the frame in the output
  // buffer, writes `header` there and calls fill(body), which must write
  // exactly header.meta_length + header.payload_length bytes to `body`.
  // `fill` is not called when the frame is dropped.
  void SendFrame(const FrameHeader& header,
                 absl::FunctionRef<void(char* body)> fill);
  // Loop thread. Queues a frame whose body is not copied into the output
  // buffer when it is large: it is written from `body` itself, which `owner`
  // keeps alive (the connection holds `owner` until the end-of-turn write;
  // what the kernel does not take then is copied into the output buffer).
  // REQUIRES: body.size() == header.meta_length + header.payload_length.
  void SendFrame(const FrameHeader& header, absl::string_view body,
                 std::shared_ptr<const void> owner);

  // Loop thread; in-memory connections only. Takes `bytes` as if a read from
  // the socket had returned them: complete frames are delivered at once (the
  // frame callback may run several times before this returns), a protocol
  // error is handled as for a socket. While reading is paused the bytes are
  // buffered (as the kernel would hold them) and delivered on
  // ResumeReading(); while closing gracefully, or after a protocol error,
  // they are discarded; once closed, ignored.
  // REQUIRES: Start() was called; ReceiveEof() was not; not called from
  // inside this connection's frame callback.
  void ReceiveBytes(absl::string_view bytes);
  // Loop thread; in-memory connections only. The peer closed its side (as a
  // read returning 0): closes with "closed by peer" (naming a partial frame
  // if one is buffered), at once, so output queued in this loop turn is
  // dropped as on a socket; or completes a graceful close. While reading is
  // paused it takes effect when reading resumes and the buffered frames
  // have been delivered. Calls after the first are ignored.
  // REQUIRES: Start() was called.
  void ReceiveEof();

  // Loop thread. Stop / resume taking bytes from the socket (the kernel's
  // receive window then pushes back on the peer). Frames already received
  // wait in the buffer and are delivered after ResumeReading().
  void PauseReading();
  void ResumeReading();

  // Loop thread. Closes now: drops unsent output, and the close callback
  // gets `reason`. No-op if already closed.
  void ForceClose(absl::Status reason);
  // Loop thread. Stops delivering frames, writes out the queued output, sends
  // FIN (shutdown SHUT_WR), then closes when the peer closes its side, or
  // when `linger` has passed, whichever is first. Bytes that arrive meanwhile
  // are discarded. The close callback gets `reason`. No-op unless connected.
  void CloseGracefully(absl::Status reason,
                       absl::Duration linger = absl::Seconds(1));

  // Any thread. True from Start() until a close begins.
  bool connected() const { return state_.load() == State::kConnected; }
  // Loop thread. Bytes queued and not yet taken by the kernel.
  size_t pending_output_bytes() const {
    return output_.ReadableBytes() + borrowed_bytes_;
  }
  // Loop thread. Offers the queued output to the kernel (or the in-memory
  // peer) now instead of at the end of the loop turn, e.g. before deciding
  // that a large queue is the peer's fault. Does nothing while EPOLLOUT is
  // armed (the kernel took all it would). May close the connection (a
  // write error), running the close callback before it returns.
  void Flush();
  const Endpoint& peer() const { return peer_; }
  // Any thread. How messages name the peer: peer().ToString() for a socket
  // connection, the name given to CreateInMemory for an in-memory one.
  const std::string& peer_name() const { return peer_name_; }
  EventLoop* loop() const { return loop_; }
  // Process-unique, never reused.
  uint64_t id() const { return id_; }
  // Any thread. True for a connection made by CreateInMemory().
  bool in_memory() const { return in_memory_; }
  // Loop thread. When the last byte was received (Start() time before that),
  // on the steady clock (EventLoop::Now()).
  absl::Time last_receive_time() const { return last_receive_time_; }
  // Loop thread. When the first bytes of a frame that is still incomplete
  // arrived (steady clock); InfiniteFuture() when no partial frame is waiting.
  // Lets the owner close a peer that trickles a frame in forever (slowloris).
  absl::Time incomplete_frame_since() const { return incomplete_frame_since_; }

 private:
  enum class State { kIdle, kConnected, kClosing, kClosed };

  Connection(EventLoop* loop, Socket socket, const Endpoint& peer,
             std::string peer_name, const ConnectionOptions& options,
             InMemoryHooks hooks);

  void HandleEvents(uint32_t epoll_events) override;
  void HandleRead();
  void HandleEof();
  void HandleProtocolError(const absl::Status& error);
  // Delivers the complete frames in the input buffer.
  void ParseInput();
  // When the input ends with the start of a frame whose header is in, makes
  // room for the rest of that frame in the input buffer.
  void ReserveForPartialFrame();
  // One send() of the queued output, then bookkeeping and callbacks.
  void WriteOutput();
  // With borrowed bodies queued: one writev of the output buffer with them
  // in between; then whatever the kernel did not take goes into output_.
  // Returns what writev returned (errno kept).
  ssize_t WriteWithBorrowed();
  // Copies the borrowed bodies into output_, in place, and drops them.
  void CopyBorrowedIntoOutput(size_t skip);
  void AfterAppend();
  // Called when closing gracefully and the output is drained.
  void FinishGracefulClose();
  void CloseNow(const absl::Status& reason);
  // Brings the epoll registration in line with what the state wants.
  void UpdateEvents();
  bool WantRead() const;
  // In-memory mode: what HandleRead does after a read, for the bytes pushed
  // by ReceiveBytes (and the EOF of ReceiveEof) that may be taken now.
  void DeliverInMemoryInput();

  EventLoop* const loop_;
  Socket socket_;
  const Endpoint peer_;
  const std::string peer_name_;
  const ConnectionOptions options_;
  const FrameCodec codec_;
  const uint64_t id_;
  // No socket: the owner pushes input and on_output_ takes the output.
  const bool in_memory_;
  std::atomic<State> state_{State::kIdle};

  // Everything below: loop thread only.
  Buffer input_;
  Buffer output_;
  // Large frame bodies queued by reference (see SendFrame): each goes after
  // the first `offset` readable bytes of output_. Only between a SendFrame
  // and the end-of-turn write that follows it; empty otherwise.
  struct Borrowed {
    size_t offset;
    absl::string_view bytes;
    std::shared_ptr<const void> owner;
  };
  std::vector<Borrowed> borrowed_;
  size_t borrowed_bytes_ = 0;
  FrameCallback frame_cb_;
  CloseCallback close_cb_;
  ErrorCallback protocol_error_cb_;
  Callback high_cb_;
  Callback writable_cb_;
  InMemoryHooks hooks_;  // in-memory mode only

  bool reading_ = true;        // not paused by the owner
  bool input_failed_ = false;  // a protocol error stopped parsing
  bool parsing_ = false;       // inside ParseInput
  bool flush_scheduled_ = false;
  bool want_write_ = false;  // output left over: waiting for EPOLLOUT
  bool above_high_watermark_ = false;
  bool peer_closed_ = false;     // EOF seen while closing gracefully
  bool write_shutdown_ = false;  // FIN sent (in-memory: on_fin called)
  bool registered_ = false;
  bool eof_received_ = false;  // in-memory: ReceiveEof() was called
  bool eof_pending_ = false;   // in-memory: ...and is not yet handled
  uint32_t registered_events_ = 0;
  absl::Status close_reason_;  // for a graceful close
  TimerId linger_timer_ = 0;
  absl::Time last_receive_time_;
  absl::Time incomplete_frame_since_ = absl::InfiniteFuture();
  // Keeps the connection alive from Start() until after it closed.
  std::shared_ptr<Connection> self_;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_CONNECTION_H_
