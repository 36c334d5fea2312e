// Copyright 2026 The framerpc Authors.

#include "transport/buffer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "gtest/gtest.h"

namespace framerpc::transport {
namespace {

TEST(BufferTest, StartsEmptyWithHeadroom) {
  Buffer buffer;
  EXPECT_EQ(buffer.ReadableBytes(), 0u);
  EXPECT_EQ(buffer.PrependableBytes(), Buffer::kCheapPrepend);
  EXPECT_EQ(buffer.WritableBytes(), Buffer::kInitialSize);
}

TEST(BufferTest, AppendThenRetrieveInPieces) {
  Buffer buffer;
  buffer.Append("hello, ");
  buffer.Append("world");
  EXPECT_EQ(buffer.View(), "hello, world");
  buffer.Retrieve(7);
  EXPECT_EQ(buffer.View(), "world");
  EXPECT_EQ(buffer.PrependableBytes(), Buffer::kCheapPrepend + 7);
  buffer.Retrieve(5);
  // Emptied: the indices reset so the whole storage is reusable.
  EXPECT_EQ(buffer.PrependableBytes(), Buffer::kCheapPrepend);
}

TEST(BufferTest, PrependWritesIntoHeadroomWithoutMovingData) {
  Buffer buffer;
  buffer.Append("payload");
  const char* before = buffer.Peek();
  buffer.Prepend("HDR:", 4);
  EXPECT_EQ(buffer.View(), "HDR:payload");
  EXPECT_EQ(buffer.Peek(), before - 4);
}

TEST(BufferTest, GrowsAndKeepsContent) {
  Buffer buffer(/*initial_size=*/8);
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    std::string piece(static_cast<size_t>(i % 13),
                      static_cast<char>('a' + i % 26));
    buffer.Append(piece);
    expected += piece;
  }
  EXPECT_EQ(buffer.View(), expected);
  EXPECT_GE(buffer.capacity(), expected.size());
}

TEST(BufferTest, ReusesSpaceFreedAtFrontInsteadOfGrowing) {
  Buffer buffer(/*initial_size=*/100);
  const size_t capacity = buffer.capacity();
  for (int round = 0; round < 1000; ++round) {
    buffer.Append(std::string(60, 'x'));
    buffer.Retrieve(30);
    buffer.Append(std::string(30, 'y'));
    buffer.Retrieve(60);
  }
  EXPECT_EQ(buffer.capacity(), capacity);
  EXPECT_EQ(buffer.ReadableBytes(), 0u);
}

TEST(BufferTest, CompactsReadableBytesToFrontWhenThatMakesRoom) {
  Buffer buffer(/*initial_size=*/100);
  buffer.Append(std::string(90, 'a'));
  buffer.Retrieve(80);
  const size_t capacity = buffer.capacity();
  buffer.Append(std::string(50, 'b'));  // fits once the 10 bytes move front
  EXPECT_EQ(buffer.capacity(), capacity);
  EXPECT_EQ(buffer.View(), std::string(10, 'a') + std::string(50, 'b'));
}

TEST(BufferTest, ZeroCopyWriteThroughBeginWrite) {
  Buffer buffer;
  buffer.EnsureWritable(10000);
  ASSERT_GE(buffer.WritableBytes(), 10000u);
  std::fill_n(buffer.BeginWrite(), 10000, 'z');
  buffer.HasWritten(10000);
  EXPECT_EQ(buffer.View(), std::string(10000, 'z'));
}

TEST(BufferTest, ShrinkReleasesUnusedStorage) {
  Buffer buffer;
  buffer.Append(std::string(1 << 20, 'x'));
  buffer.Retrieve((1 << 20) - 10);
  buffer.Shrink(0);
  EXPECT_EQ(buffer.capacity(), Buffer::kCheapPrepend + 10);
  EXPECT_EQ(buffer.View(), std::string(10, 'x'));
}

TEST(BufferTest, RetrieveAllAsStringEmpties) {
  Buffer buffer;
  buffer.Append("abc");
  EXPECT_EQ(buffer.RetrieveAllAsString(), "abc");
  EXPECT_EQ(buffer.ReadableBytes(), 0u);
}

class PipeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe2(fds_, O_NONBLOCK | O_CLOEXEC), 0);
    // Room for more than the buffer plus its 64 KiB stack spill-over.
    ::fcntl(fds_[1], F_SETPIPE_SZ, 1 << 20);
  }
  void TearDown() override {
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  int fds_[2] = {-1, -1};
};

TEST_F(PipeTest, ReadFromFdSpillsIntoExtraBufferAndAppends) {
  const std::string data(Buffer::kInitialSize + 50000, 'q');
  ASSERT_EQ(::write(fds_[1], data.data(), data.size()),
            static_cast<ssize_t>(data.size()));
  Buffer buffer;
  int err = 0;
  EXPECT_EQ(buffer.ReadFromFd(fds_[0], &err),
            static_cast<ssize_t>(data.size()));
  EXPECT_EQ(buffer.View(), data);
}

TEST_F(PipeTest, ReadFromFdReportsEagainAndEof) {
  Buffer buffer;
  int err = 0;
  EXPECT_EQ(buffer.ReadFromFd(fds_[0], &err), -1);
  EXPECT_EQ(err, EAGAIN);
  ::close(fds_[1]);
  fds_[1] = -1;
  EXPECT_EQ(buffer.ReadFromFd(fds_[0], &err), 0);
}

}  // namespace
}  // namespace framerpc::transport
