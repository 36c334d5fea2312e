// Copyright 2026 The framerpc Authors.
//
// Buffer: a growable byte buffer with cheap space in front (muduo style).
//
//   +-------------------+------------------+------------------+
//   | prependable bytes |  readable bytes  |  writable bytes  |
//   +-------------------+------------------+------------------+
//   0      <=      reader_index   <=   writer_index   <=   capacity
//
// Reading consumes from the front (Peek/Retrieve), writing appends at the
// back (Append, or EnsureWritable + BeginWrite + HasWritten for zero-copy
// writes). kCheapPrepend bytes of headroom let a length prefix be put in
// front of already written data without moving it. Storage is reused: when
// the buffer empties the indices reset, and when space runs out the readable
// bytes are first moved to the front, so a connection in steady state does
// no allocation per frame.
//
// Thread safety: none; a Buffer belongs to one thread at a time (a
// Connection's buffers to its loop thread).
// Ownership: owns its storage.
// Lifetime: pointers from Peek() and BeginWrite() are invalidated by any
// non-const call.

#ifndef FRAMERPC_TRANSPORT_BUFFER_H_
#define FRAMERPC_TRANSPORT_BUFFER_H_

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace framerpc::transport {

class Buffer {
 public:
  // Headroom kept in front of the readable bytes: one frame header.
  static constexpr size_t kCheapPrepend = 16;
  // Small: every connection has two buffers, and most connections are idle
  // most of the time (1 KiB each keeps an idle connection under 8 KiB in
  // all). A busy connection's buffers grow to what it needs; reads beyond
  // the writable space land in ReadFromFd's stack buffer first.
  static constexpr size_t kInitialSize = 1024;
  // Size of the stack buffer ReadFromFd reads overflow into.
  static constexpr size_t kExtraReadSize = 64 * 1024;

  explicit Buffer(size_t initial_size = kInitialSize);
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  size_t ReadableBytes() const { return writer_ - reader_; }
  size_t WritableBytes() const { return capacity_ - writer_; }
  size_t PrependableBytes() const { return reader_; }
  size_t capacity() const { return capacity_; }

  // The first readable byte.
  const char* Peek() const { return data_.get() + reader_; }
  absl::string_view View() const { return {Peek(), ReadableBytes()}; }

  // Consumes `n` readable bytes. REQUIRES: n <= ReadableBytes().
  void Retrieve(size_t n);
  // Consumes everything and resets the indices, keeping the storage.
  void RetrieveAll();
  std::string RetrieveAllAsString();

  void Append(const void* data, size_t n);
  void Append(absl::string_view data) { Append(data.data(), data.size()); }

  // Makes room for at least `n` more bytes at the back, moving the readable
  // bytes to the front or growing the storage.
  void EnsureWritable(size_t n);
  char* BeginWrite() { return data_.get() + writer_; }
  // Marks `n` bytes written at BeginWrite(). REQUIRES: n <= WritableBytes().
  void HasWritten(size_t n);

  // Puts `n` bytes in front of the readable bytes.
  // REQUIRES: n <= PrependableBytes().
  void Prepend(const void* data, size_t n);

  // Releases storage beyond the readable bytes plus `reserve` writable bytes.
  void Shrink(size_t reserve = 0);

  // Reads what `fd` has with one readv into the writable space and a
  // kExtraReadSize stack buffer, appending whatever lands in the latter.
  // Retries EINTR. Returns the byte count (0 at EOF), or -1 with the errno in
  // *saved_errno (EAGAIN when nothing is available). When `drained` is
  // given, it is set to whether the read returned less than it had room for:
  // the socket had nothing more just then, so another read would only say
  // EAGAIN.
  ssize_t ReadFromFd(int fd, int* saved_errno, bool* drained = nullptr);

 private:
  void MakeSpace(size_t n);

  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t reader_ = kCheapPrepend;
  size_t writer_ = kCheapPrepend;
};

}  // namespace framerpc::transport

#endif  // FRAMERPC_TRANSPORT_BUFFER_H_
