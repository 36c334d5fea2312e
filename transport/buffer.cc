// Copyright 2026 The framerpc Authors.

#include "transport/buffer.h"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/logging.h"

namespace framerpc::transport {

Buffer::Buffer(size_t initial_size)
    : data_(
          std::make_unique_for_overwrite<char[]>(kCheapPrepend + initial_size)),
      capacity_(kCheapPrepend + initial_size) {}

void Buffer::Retrieve(size_t n) {
  FRAMERPC_CHECK_LE(n, ReadableBytes());
  if (n < ReadableBytes()) {
    reader_ += n;
  } else {
    RetrieveAll();
  }
}

void Buffer::RetrieveAll() {
  reader_ = kCheapPrepend;
  writer_ = kCheapPrepend;
}

std::string Buffer::RetrieveAllAsString() {
  std::string result(Peek(), ReadableBytes());
  RetrieveAll();
  return result;
}

void Buffer::Append(const void* data, size_t n) {
  EnsureWritable(n);
  if (n > 0) std::memcpy(BeginWrite(), data, n);
  writer_ += n;
}

void Buffer::EnsureWritable(size_t n) {
  if (WritableBytes() < n) MakeSpace(n);
}

void Buffer::HasWritten(size_t n) {
  FRAMERPC_CHECK_LE(n, WritableBytes());
  writer_ += n;
}

void Buffer::Prepend(const void* data, size_t n) {
  FRAMERPC_CHECK_LE(n, PrependableBytes());
  reader_ -= n;
  std::memcpy(data_.get() + reader_, data, n);
}

void Buffer::MakeSpace(size_t n) {
  const size_t readable = ReadableBytes();
  if (WritableBytes() + PrependableBytes() >= n + kCheapPrepend) {
    // Enough room overall: slide the readable bytes to the front.
    std::memmove(data_.get() + kCheapPrepend, Peek(), readable);
  } else {
    size_t capacity = std::max(capacity_ * 2, kCheapPrepend + readable + n);
    auto data = std::make_unique_for_overwrite<char[]>(capacity);
    std::memcpy(data.get() + kCheapPrepend, Peek(), readable);
    data_ = std::move(data);
    capacity_ = capacity;
  }
  reader_ = kCheapPrepend;
  writer_ = kCheapPrepend + readable;
}

void Buffer::Shrink(size_t reserve) {
  const size_t readable = ReadableBytes();
  const size_t capacity = kCheapPrepend + readable + reserve;
  if (capacity >= capacity_) return;
  auto data = std::make_unique_for_overwrite<char[]>(capacity);
  std::memcpy(data.get() + kCheapPrepend, Peek(), readable);
  data_ = std::move(data);
  capacity_ = capacity;
  reader_ = kCheapPrepend;
  writer_ = kCheapPrepend + readable;
}

ssize_t Buffer::ReadFromFd(int fd, int* saved_errno, bool* drained) {
  char extra[kExtraReadSize];
  const size_t writable = WritableBytes();
  iovec vec[2];
  vec[0].iov_base = BeginWrite();
  vec[0].iov_len = writable;
  vec[1].iov_base = extra;
  vec[1].iov_len = sizeof(extra);
  // When the buffer alone has room for a full extra buffer's worth, read
  // into it only.
  const int iovcnt = writable < sizeof(extra) ? 2 : 1;
  ssize_t n;
  do {
    n = ::readv(fd, vec, iovcnt);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    *saved_errno = errno;
    return n;
  }
  if (drained != nullptr) {
    const size_t room = iovcnt == 2 ? writable + sizeof(extra) : writable;
    *drained = static_cast<size_t>(n) < room;
  }
  if (static_cast<size_t>(n) <= writable) {
    writer_ += static_cast<size_t>(n);
  } else {
    writer_ = capacity_;
    Append(extra, static_cast<size_t>(n) - writable);
  }
  return n;
}

}  // namespace framerpc::transport
