// Copyright 2026 The framerpc Authors.

#include "services/translate/dictionary_holder.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/translate/dictionary.h"
#include "tests/services/temp_dir.h"

namespace framerpc::translate {
namespace {

using ::framerpc::testing::TempDir;
using ::testing::AnyOf;
using ::testing::HasSubstr;

std::string Translate(const Dictionary& dictionary, absl::string_view word) {
  absl::StatusOr<Dictionary::Entry> entry = dictionary.Lookup(word);
  if (!entry.ok()) return entry.status().ToString();
  return std::string(entry->translation);
}

TEST(DictionaryHolderTest, OpenLoadsTheFile) {
  TempDir dir;
  const std::string path = dir.WriteFile("d.tsv", "hello\tv1\n");
  absl::StatusOr<std::unique_ptr<DictionaryHolder>> holder =
      DictionaryHolder::Open(path);
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ((*holder)->path(), path);
  EXPECT_EQ(Translate(*(*holder)->Get(), "hello"), "v1");
}

TEST(DictionaryHolderTest, OpenFailsWithTheLoadError) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<DictionaryHolder>> holder =
      DictionaryHolder::Open(dir.path() + "/absent.tsv");
  EXPECT_EQ(holder.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(holder.status().message(), HasSubstr("absent.tsv"));
}

TEST(DictionaryHolderTest, ReloadSwapsInTheNewFileWhileOldSnapshotsStillWork) {
  TempDir dir;
  const std::string path = dir.WriteFile("d.tsv", "hello\tv1\nold\tonly\n");
  auto holder = DictionaryHolder::Open(path);
  ASSERT_TRUE(holder.ok()) << holder.status();
  std::shared_ptr<const Dictionary> before = (*holder)->Get();
  absl::StatusOr<Dictionary::Entry> held = before->Lookup("hello");
  ASSERT_TRUE(held.ok());

  dir.WriteFile("d.tsv", "hello\tv2\nnew\tonly\n");
  ASSERT_TRUE((*holder)->Reload().ok());

  std::shared_ptr<const Dictionary> after = (*holder)->Get();
  EXPECT_NE(after.get(), before.get());
  EXPECT_EQ(Translate(*after, "hello"), "v2");
  EXPECT_EQ(Translate(*after, "new"), "only");
  EXPECT_EQ(after->Lookup("old").status().code(), absl::StatusCode::kNotFound);
  // The snapshot taken before, and a view from it, are untouched.
  EXPECT_EQ(Translate(*before, "hello"), "v1");
  EXPECT_EQ(Translate(*before, "old"), "only");
  EXPECT_EQ(held->translation, "v1");
}

TEST(DictionaryHolderTest, FailedReloadKeepsTheOldDictionaryServing) {
  TempDir dir;
  const std::string path = dir.WriteFile("d.tsv", "hello\tv1\n");
  auto holder = DictionaryHolder::Open(path);
  ASSERT_TRUE(holder.ok()) << holder.status();
  std::shared_ptr<const Dictionary> original = (*holder)->Get();

  dir.WriteFile("d.tsv", "hello\tv2\nbroken line\n");
  absl::Status status = (*holder)->Reload();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr(path + ":2: no TAB"));
  EXPECT_EQ((*holder)->Get().get(), original.get());
  EXPECT_EQ(Translate(*(*holder)->Get(), "hello"), "v1");

  ASSERT_EQ(std::remove(path.c_str()), 0);
  status = (*holder)->Reload();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*holder)->Get().get(), original.get());

  // Once the file is fixed, the next reload succeeds.
  dir.WriteFile("d.tsv", "hello\tv3\n");
  ASSERT_TRUE((*holder)->Reload().ok());
  EXPECT_EQ(Translate(*(*holder)->Get(), "hello"), "v3");
}

TEST(DictionaryHolderTest, WithoutAPathThereIsNothingToReload) {
  DictionaryHolder holder(Dictionary::BuiltIn(), "");
  absl::Status status = holder.Reload();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(holder.Get().get(), Dictionary::BuiltIn().get());
}

// Readers keep looking words up while the file is reloaded again and again;
// each must see one whole dictionary or the other, never a mix (run it under
// ASan and TSan).
TEST(DictionaryHolderTest, ReadersSeeWholeDictionariesDuringReloads) {
  TempDir dir;
  const std::string path = dir.WriteFile("d.tsv", "a\teven\nb\teven\n");
  auto opened = DictionaryHolder::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status();
  DictionaryHolder& holder = **opened;

  std::atomic<bool> done{false};
  std::atomic<int> lookups{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back([&] {
      while (!done.load(std::memory_order_acquire)) {
        std::shared_ptr<const Dictionary> snapshot = holder.Get();
        const std::string a = Translate(*snapshot, "a");
        const std::string b = Translate(*snapshot, "b");
        EXPECT_THAT(a, AnyOf("even", "odd"));
        EXPECT_EQ(a, b);
        lookups.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // Make sure the readers are running before the reloads start.
  while (lookups.load(std::memory_order_relaxed) < 3) std::this_thread::yield();
  for (int i = 1; i <= 50; ++i) {
    dir.WriteFile("d.tsv",
                  i % 2 == 0 ? "a\teven\nb\teven\n" : "a\todd\nb\todd\n");
    ASSERT_TRUE(holder.Reload().ok());
  }
  done.store(true, std::memory_order_release);
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(Translate(*holder.Get(), "a"), "even");
}

}  // namespace
}  // namespace framerpc::translate
