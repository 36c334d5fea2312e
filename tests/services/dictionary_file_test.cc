// Copyright 2026 The framerpc Authors.
//
// Dictionary::LoadFile: reading files, file errors, and the 30,000-entry
// ecdict-mini.tsv from the shared data folder (skipped when absent).

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/translate/dictionary.h"
#include "tests/services/temp_dir.h"

namespace framerpc::translate {
namespace {

using ::framerpc::testing::TempDir;
using ::testing::HasSubstr;

TEST(DictionaryFileTest, LoadsAFileAndNamesItAsTheSource) {
  TempDir dir;
  const std::string path =
      dir.WriteFile("words.tsv", "# test\nhello\t你好\r\nworld\t世界\n");
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::LoadFile(path);
  ASSERT_TRUE(dict.ok()) << dict.status();
  EXPECT_EQ((*dict)->source(), path);
  EXPECT_EQ((*dict)->size(), 2u);
  EXPECT_EQ((*dict)->Lookup("World")->translation, "世界");
  EXPECT_EQ((*dict)->Lookup("hello")->translation, "你好");
}

TEST(DictionaryFileTest, MissingFileIsNotFoundNamingPathAndCause) {
  TempDir dir;
  const std::string path = dir.path() + "/absent.tsv";
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::LoadFile(path);
  EXPECT_EQ(dict.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(dict.status().message(), HasSubstr(path));
  EXPECT_THAT(dict.status().message(), HasSubstr("No such file or directory"));
}

TEST(DictionaryFileTest, UnreadableFileIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can read any file";
  TempDir dir;
  const std::string path = dir.WriteFile("secret.tsv", "a\tb\n");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::LoadFile(path);
  EXPECT_EQ(dict.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(dict.status().message(), HasSubstr(path));
  EXPECT_THAT(dict.status().message(), HasSubstr("Permission denied"));
}

TEST(DictionaryFileTest, DirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::LoadFile(dir.path());
  ASSERT_FALSE(dict.ok());
  EXPECT_EQ(dict.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(dict.status().message(), HasSubstr(dir.path()));
  EXPECT_THAT(dict.status().message(), HasSubstr("Is a directory"));
}

TEST(DictionaryFileTest, MalformedFileNamesPathAndLine) {
  TempDir dir;
  const std::string path =
      dir.WriteFile("bad.tsv", "# header\nok\tfine\n\nno tab\nx\t\n");
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::LoadFile(path);
  EXPECT_EQ(dict.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(dict.status().message(),
              HasSubstr(absl::StrCat(path, ":4: no TAB")));
  EXPECT_THAT(dict.status().message(),
              HasSubstr(absl::StrCat(path, ":5: empty translation")));
}

TEST(DictionaryFileTest, EmptyFileIsAnError) {
  TempDir dir;
  const std::string path = dir.WriteFile("empty.tsv", "");
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::LoadFile(path);
  EXPECT_EQ(dict.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(dict.status().message(), HasSubstr("no entries"));
}

TEST(DictionaryFileTest, DuplicatesNameThePath) {
  TempDir dir;
  const std::string path = dir.WriteFile("dup.tsv", "a\t1\na\t2\n");
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::LoadFile(path);
  ASSERT_TRUE(dict.ok()) << dict.status();
  ASSERT_EQ((*dict)->duplicates().size(), 1u);
  EXPECT_EQ((*dict)->duplicates()[0],
            absl::StrCat(path,
                         ":2: duplicate word 'a' (first at line 1), kept the "
                         "first"));
}

// --- ecdict-mini.tsv -------------------------------------------------------

class EcdictMiniTest : public ::testing::Test {
 protected:
  static std::string Path() {
    return std::string(FRAMERPC_SHARED_DATA_DIR) + "/ecdict-mini.tsv";
  }

  void SetUp() override {
    if (::access(Path().c_str(), R_OK) != 0) {
      GTEST_SKIP() << Path() << " is not there; see the shared data README";
    }
    absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
        Dictionary::LoadFile(Path());
    ASSERT_TRUE(dict.ok()) << dict.status();
    dict_ = *std::move(dict);
    entries_ = ReadIndependently(Path());
  }

  // The file's entries, split here without the library: every line but
  // '#' comments is word TAB translation (the README promises LF endings, no
  // blank lines and trimmed fields).
  static std::vector<std::pair<std::string, std::string>> ReadIndependently(
      const std::string& path) {
    std::vector<std::pair<std::string, std::string>> entries;
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const size_t tab = line.find('\t');
      EXPECT_NE(tab, std::string::npos) << line;
      if (tab == std::string::npos) continue;
      entries.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    return entries;
  }

  std::shared_ptr<const Dictionary> dict_;
  std::vector<std::pair<std::string, std::string>> entries_;
};

TEST_F(EcdictMiniTest, HasThirtyThousandEntriesAndNoDuplicates) {
  EXPECT_EQ(entries_.size(), 30000u);
  EXPECT_EQ(dict_->size(), 30000u);
  EXPECT_TRUE(dict_->duplicates().empty());
  EXPECT_EQ(dict_->source(), Path());
}

TEST_F(EcdictMiniTest, EveryEntryLooksUpToItsOwnLine) {
  for (const auto& [word, translation] : entries_) {
    absl::StatusOr<Dictionary::Entry> entry = dict_->Lookup(word);
    ASSERT_TRUE(entry.ok()) << word << ": " << entry.status();
    EXPECT_EQ(entry->word, word);
    EXPECT_EQ(entry->translation, translation) << word;
  }
}

TEST_F(EcdictMiniTest, MixedCaseAndPaddedSampleTranslates) {
  // The README promises no two words differ only in case, so any spelling
  // of a word must find exactly that word's entry.
  std::mt19937 random(20260101);
  std::uniform_int_distribution<size_t> pick(0, entries_.size() - 1);
  std::bernoulli_distribution coin(0.5);
  std::uniform_int_distribution<int> pad(0, 3);
  const char kSpaces[] = {' ', '\t', ' ', '\n'};
  for (int i = 0; i < 1000; ++i) {
    const auto& [word, translation] = entries_[pick(random)];
    std::string query;
    for (int n = pad(random); n > 0; --n) query += kSpaces[pad(random)];
    for (char c : word) {
      const auto byte = static_cast<unsigned char>(c);
      query +=
          coin(random) ? absl::ascii_toupper(byte) : absl::ascii_tolower(byte);
    }
    for (int n = pad(random); n > 0; --n) query += kSpaces[pad(random)];
    absl::StatusOr<Dictionary::Entry> entry = dict_->Lookup(query);
    ASSERT_TRUE(entry.ok()) << "'" << query << "': " << entry.status();
    EXPECT_EQ(entry->word, word) << "'" << query << "'";
    EXPECT_EQ(entry->translation, translation) << "'" << query << "'";
  }
}

TEST_F(EcdictMiniTest, SuggestMatchesASortedScanOfTheFile) {
  // Dictionary order, computed here: lower-cased word, then exact bytes.
  std::vector<std::pair<std::string, std::string>> sorted = entries_;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    const std::string ka = absl::AsciiStrToLower(a.first);
    const std::string kb = absl::AsciiStrToLower(b.first);
    return ka != kb ? ka < kb : a.first < b.first;
  });
  for (absl::string_view prefix :
       {"", "a", "Th", "comp", "UN", "zz", "o'", "qu", "xylophones"}) {
    std::vector<std::string> expected;
    for (const auto& entry : sorted) {
      if (expected.size() < 100 &&
          absl::StartsWithIgnoreCase(entry.first, prefix)) {
        expected.push_back(entry.first);
      }
    }
    absl::StatusOr<std::vector<Dictionary::Entry>> got =
        dict_->Suggest(prefix, 100);
    ASSERT_TRUE(got.ok()) << got.status();
    std::vector<std::string> words;
    for (const Dictionary::Entry& entry : *got) words.emplace_back(entry.word);
    EXPECT_EQ(words, expected) << "prefix '" << prefix << "'";
  }
}

}  // namespace
}  // namespace framerpc::translate
