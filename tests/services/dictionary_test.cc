// Copyright 2026 The framerpc Authors.
//
// Dictionary::Parse, Lookup, Suggest, ValidateWord and BuiltIn, on text held
// in memory. Loading from files is in dictionary_file_test.cc.

#include "services/translate/dictionary.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace framerpc::translate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using Entry = Dictionary::Entry;

std::shared_ptr<const Dictionary> ParseOrDie(absl::string_view text) {
  absl::StatusOr<std::shared_ptr<const Dictionary>> parsed =
      Dictionary::Parse(text, "t.tsv");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : nullptr;
}

// The translation `word` looks up to, or the status text when it fails, so
// that a failed expectation shows why.
std::string Translate(const Dictionary& dictionary, absl::string_view word) {
  absl::StatusOr<Entry> entry = dictionary.Lookup(word);
  if (!entry.ok()) return entry.status().ToString();
  return std::string(entry->translation);
}

std::vector<std::string> Words(const std::vector<Entry>& entries) {
  std::vector<std::string> words;
  for (const Entry& entry : entries) words.emplace_back(entry.word);
  return words;
}

// --- Parse ---------------------------------------------------------------

TEST(DictionaryParseTest, SkipsCommentsAndBlankLines) {
  auto dict = ParseOrDie(
      "# a comment\n"
      "\n"
      "hello\t你好\n"
      "   \n"
      " \t \n"
      "#not\ta word\n"
      "world\t世界\n");
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_EQ(Translate(*dict, "hello"), "你好");
  EXPECT_EQ(Translate(*dict, "world"), "世界");
  EXPECT_EQ(dict->Lookup("#not").status().code(), absl::StatusCode::kNotFound);
}

TEST(DictionaryParseTest, ToleratesCrlfAndAMissingFinalNewline) {
  auto dict = ParseOrDie("# c\r\nhello\t你好\r\n\r\nworld\t世界");
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_EQ(Translate(*dict, "hello"), "你好");
  EXPECT_EQ(Translate(*dict, "world"), "世界");
}

TEST(DictionaryParseTest, SkipsAByteOrderMark) {
  auto dict = ParseOrDie("\xEF\xBB\xBFhello\t你好\n");
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(Translate(*dict, "hello"), "你好");
}

TEST(DictionaryParseTest, TrimsWhitespaceAroundWordAndTranslation) {
  auto dict = ParseOrDie("  hello  \t  你好 \nice cream\t冰淇淋\n");
  ASSERT_NE(dict, nullptr);
  absl::StatusOr<Entry> entry = dict->Lookup("hello");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->word, "hello");
  EXPECT_EQ(entry->translation, "你好");
  EXPECT_EQ(Translate(*dict, "ice cream"), "冰淇淋");
}

TEST(DictionaryParseTest, KeepsTheFirstOfARepeatedWordAndReportsTheRest) {
  auto dict = ParseOrDie(
      "a\tfirst\n"
      "b\tbee\n"
      "a\tsecond\n"
      "# comment\n"
      "a\tthird\n");
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_EQ(Translate(*dict, "a"), "first");
  EXPECT_THAT(
      dict->duplicates(),
      ElementsAre(
          "t.tsv:3: duplicate word 'a' (first at line 1), kept the first",
          "t.tsv:5: duplicate word 'a' (first at line 1), kept the first"));
}

TEST(DictionaryParseTest, WordsThatDifferOnlyInCaseAreNotDuplicates) {
  auto dict = ParseOrDie("China\t中国\nchina\t瓷器\n");
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(dict->size(), 2u);
  EXPECT_THAT(dict->duplicates(), IsEmpty());
}

TEST(DictionaryParseTest, RecordsSourceAndLoadTime) {
  const absl::Time before = absl::Now();
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::Parse("a\tb\n", "my source");
  ASSERT_TRUE(dict.ok()) << dict.status();
  EXPECT_EQ((*dict)->source(), "my source");
  EXPECT_GE((*dict)->load_time(), before);
  EXPECT_LE((*dict)->load_time(), absl::Now());
  EXPECT_GE((*dict)->load_duration(), absl::ZeroDuration());
}

TEST(DictionaryParseTest, KeepsItsOwnCopyOfTheText) {
  std::string text = "hello\t你好\n";
  auto dict = ParseOrDie(text);
  ASSERT_NE(dict, nullptr);
  std::fill(text.begin(), text.end(), 'x');
  text.clear();
  text.shrink_to_fit();
  EXPECT_EQ(Translate(*dict, "hello"), "你好");
}

struct MalformedCase {
  std::string line;
  std::string reason;
};

TEST(DictionaryParseTest, RejectsEachKindOfMalformedLineNamingLineAndReason) {
  const MalformedCase cases[] = {
      {"no tab here", "no TAB between word and translation"},
      {"\ttranslation", "empty word"},
      {"   \tx", "empty word"},
      {"word\t", "empty translation"},
      {"word\t   ", "empty translation"},
      {"bad\xC0\xAF\tx", "invalid UTF-8 (byte 0xC0) at column 4"},
      {"ok\tbad \xED\xA0\x80", "invalid UTF-8 (byte 0xED) at column 8"},
      {"a\x01z\tx", "control character 0x01 in the word at column 2"},
      {"a\x7Fz\tx", "control character 0x7F in the word at column 2"},
      {std::string(257, 'w') + "\tx",
       "word is 257 bytes long; the limit is 256"},
      {"a\tb\tc", "a second TAB in the translation at column 4"},
      {"a\tb\x02", "control character 0x02 in the translation at column 4"},
  };
  for (const MalformedCase& c : cases) {
    // The bad line is line 3, after a comment and a good entry.
    const std::string text = "# header\ngood\tfine\n" + c.line + "\nz\tzed\n";
    absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
        Dictionary::Parse(text, "bad.tsv");
    ASSERT_FALSE(dict.ok()) << c.reason;
    EXPECT_EQ(dict.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(dict.status().message(),
                HasSubstr(absl::StrCat("bad.tsv:3: ", c.reason)));
    EXPECT_THAT(dict.status().message(), HasSubstr("1 malformed line:"));
  }
}

TEST(DictionaryParseTest, AWordOf256BytesIsAccepted) {
  const std::string word(256, 'w');
  auto dict = ParseOrDie(word + "\tlong\n");
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(Translate(*dict, word), "long");
}

TEST(DictionaryParseTest, ReportsTheFirstFiveProblemsAndCountsTheRest) {
  std::string text = "ok\tfine\n";                 // Line 1.
  for (int i = 0; i < 8; ++i) text += "broken\n";  // Lines 2..9.
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::Parse(text, "x.tsv");
  ASSERT_FALSE(dict.ok());
  EXPECT_EQ(dict.status().code(), absl::StatusCode::kInvalidArgument);
  const absl::string_view message = dict.status().message();
  EXPECT_THAT(message, HasSubstr("x.tsv: 8 malformed lines"));
  for (int line = 2; line <= 6; ++line) {
    EXPECT_THAT(message, HasSubstr(absl::StrCat("x.tsv:", line, ": no TAB")));
  }
  EXPECT_THAT(message, Not(HasSubstr("x.tsv:7:")));
  EXPECT_THAT(message, HasSubstr("and 3 more"));
}

TEST(DictionaryParseTest, LineNumbersCountCommentsBlankLinesAndCrlf) {
  absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
      Dictionary::Parse("# c\r\n\r\na\tb\r\n\r\nbroken\r\n", "crlf.tsv");
  ASSERT_FALSE(dict.ok());
  EXPECT_THAT(dict.status().message(), HasSubstr("crlf.tsv:5: no TAB"));
}

TEST(DictionaryParseTest, TextWithoutEntriesIsAnError) {
  for (absl::string_view text : {"", "# only a comment\n\n  \n"}) {
    absl::StatusOr<std::shared_ptr<const Dictionary>> dict =
        Dictionary::Parse(text, "empty.tsv");
    ASSERT_FALSE(dict.ok());
    EXPECT_EQ(dict.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(dict.status().message(), HasSubstr("empty.tsv: no entries"));
  }
}

// --- Lookup --------------------------------------------------------------

TEST(DictionaryLookupTest, IgnoresSurroundingWhitespaceAndAsciiCase) {
  auto dict = ParseOrDie("hello\t你好\nTV\t电视\n");
  ASSERT_NE(dict, nullptr);
  for (absl::string_view query :
       {"hello", "HELLO", "HeLLo", "  hello", "hello  ", "\t hello \r\n"}) {
    absl::StatusOr<Entry> entry = dict->Lookup(query);
    ASSERT_TRUE(entry.ok()) << query << ": " << entry.status();
    // The entry names the word as the file spells it.
    EXPECT_EQ(*entry, (Entry{"hello", "你好"})) << query;
  }
  EXPECT_EQ(Translate(*dict, "tv"), "电视");
  EXPECT_EQ(Translate(*dict, " Tv "), "电视");
}

TEST(DictionaryLookupTest, InnerSpacesHyphensAndApostrophesMustMatch) {
  auto dict =
      ParseOrDie("good morning\t早上好\nice-cream\t冰淇淋\no'clock\t点钟\n");
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(Translate(*dict, " Good Morning "), "早上好");
  EXPECT_EQ(Translate(*dict, "ICE-CREAM"), "冰淇淋");
  EXPECT_EQ(Translate(*dict, "O'Clock"), "点钟");
  for (absl::string_view near_miss :
       {"good  morning", "goodmorning", "ice cream", "icecream", "oclock",
        "o\xE2\x80\x99"
        "clock"}) {
    EXPECT_EQ(dict->Lookup(near_miss).status().code(),
              absl::StatusCode::kNotFound)
        << near_miss;
  }
}

TEST(DictionaryLookupTest, ExactCaseWinsElseTheFirstInFileOrder) {
  auto upper_first = ParseOrDie("Polish\t波兰的\npolish\t擦亮\n");
  ASSERT_NE(upper_first, nullptr);
  EXPECT_EQ(Translate(*upper_first, "Polish"), "波兰的");
  EXPECT_EQ(Translate(*upper_first, "polish"), "擦亮");
  EXPECT_EQ(Translate(*upper_first, "  polish "), "擦亮");
  EXPECT_EQ(Translate(*upper_first, "POLISH"), "波兰的");
  EXPECT_EQ(Translate(*upper_first, "pOLISH"), "波兰的");

  auto lower_first = ParseOrDie("polish\t擦亮\nPolish\t波兰的\n");
  ASSERT_NE(lower_first, nullptr);
  EXPECT_EQ(Translate(*lower_first, "Polish"), "波兰的");
  EXPECT_EQ(Translate(*lower_first, "polish"), "擦亮");
  EXPECT_EQ(Translate(*lower_first, "POLISH"), "擦亮");

  auto three = ParseOrDie("us\t我们\nUS\t美国\nUs\t(other)\nx\ty\n");
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(Translate(*three, "us"), "我们");
  EXPECT_EQ(Translate(*three, "US"), "美国");
  EXPECT_EQ(Translate(*three, "Us"), "(other)");
  EXPECT_EQ(Translate(*three, "uS"), "我们");
}

TEST(DictionaryLookupTest, CaseFoldingIsAsciiOnly) {
  auto dict = ParseOrDie("\xC3\xA9t\xC3\xA9\tsummer\n");  // "été".
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(Translate(*dict, "\xC3\xA9T\xC3\xA9"), "summer");
  // "ÉTÉ" (U+00C9) is a different word: only A-Z fold.
  EXPECT_EQ(dict->Lookup("\xC3\x89T\xC3\x89").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DictionaryLookupTest, UnknownWordIsNotFoundNamingTheWord) {
  auto dict = ParseOrDie("hello\t你好\n");
  ASSERT_NE(dict, nullptr);
  absl::StatusOr<Entry> entry = dict->Lookup("  xyzzy ");
  EXPECT_EQ(entry.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(entry.status().message(), "no entry for 'xyzzy'");
}

TEST(DictionaryLookupTest, ViewsStayValidWhileTheDictionaryLives) {
  std::shared_ptr<const Dictionary> dict = ParseOrDie("hello\t你好\n");
  ASSERT_NE(dict, nullptr);
  absl::StatusOr<Entry> entry = dict->Lookup("hello");
  ASSERT_TRUE(entry.ok());
  std::weak_ptr<const Dictionary> weak = dict;
  std::shared_ptr<const Dictionary> keep = std::move(dict);
  EXPECT_EQ(entry->translation, "你好");
  keep.reset();
  EXPECT_TRUE(weak.expired());
}

struct InvalidCase {
  std::string query;
  std::string reason;
};

// Every kind of bad query, each with the reason its message must give. The
// same rules apply to Lookup() and ValidateWord().
std::vector<InvalidCase> InvalidQueries() {
  return {
      {"", "word is empty"},
      {"   ", "word is only whitespace"},
      {" \t\r\n ", "word is only whitespace"},
      {std::string(257, 'a'), "word is 257 bytes long; the limit is 256"},
      {" " + std::string(300, 'a') + " ",
       "word is 300 bytes long; the limit is 256"},
      {"caf\xC3", "not valid UTF-8: bad byte 0xC3 at offset 3"},
      {"\x80hello", "not valid UTF-8: bad byte 0x80 at offset 0"},
      {"a\xC0\xAF", "not valid UTF-8: bad byte 0xC0 at offset 1"},
      {"\xE0\x80\xAF", "not valid UTF-8: bad byte 0xE0 at offset 0"},
      {"\xED\xA0\x80", "not valid UTF-8: bad byte 0xED at offset 0"},
      {"\xF4\x90\x80\x80", "not valid UTF-8: bad byte 0xF4 at offset 0"},
      {"\xF5\x80\x80\x80", "not valid UTF-8: bad byte 0xF5 at offset 0"},
      {"he\x01llo", "contains control character 0x01 at offset 2"},
      {"  he\x01llo", "contains control character 0x01 at offset 4"},
      {std::string("a\0b", 3), "contains control character 0x00 at offset 1"},
      {"del\x7F", "contains control character 0x7F at offset 3"},
      {"good\tmorning", "contains control character 0x09 at offset 4"},
      {"\x1B[31m", "contains control character 0x1B at offset 0"},
  };
}

TEST(DictionaryLookupTest, RejectsEachKindOfInvalidQueryWithTheReason) {
  auto dict = ParseOrDie("hello\t你好\n");
  ASSERT_NE(dict, nullptr);
  for (const InvalidCase& c : InvalidQueries()) {
    absl::StatusOr<Entry> entry = dict->Lookup(c.query);
    EXPECT_EQ(entry.status().code(), absl::StatusCode::kInvalidArgument)
        << c.reason;
    EXPECT_THAT(entry.status().message(), HasSubstr(c.reason));

    absl::Status status = Dictionary::ValidateWord(c.query);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.reason;
    EXPECT_THAT(status.message(), HasSubstr(c.reason));
  }
}

TEST(DictionaryLookupTest, AcceptsValidQueriesUpToTheLimit) {
  for (const std::string& word :
       {std::string("hello"), std::string(256, 'a'),
        "  " + std::string(256, 'a') + "  ", std::string("你好"),
        std::string("\xF0\x9F\x98\x80"), std::string("\xF4\x8F\xBF\xBF"),
        std::string("o'clock"), std::string("ice-cream"),
        std::string("good morning")}) {
    EXPECT_TRUE(Dictionary::ValidateWord(word).ok())
        << word << ": " << Dictionary::ValidateWord(word);
  }
}

// --- Suggest -------------------------------------------------------------

constexpr absl::string_view kFruit =
    "banana\t1\n"
    "apple\t3\n"
    "Apple\t2\n"
    "apricot\t4\n"
    "APPLEpie\t5\n"
    "avocado\t6\n"
    "b\t7\n";

TEST(DictionarySuggestTest, ReturnsMatchesInDictionaryOrder) {
  auto dict = ParseOrDie(kFruit);
  ASSERT_NE(dict, nullptr);
  absl::StatusOr<std::vector<Entry>> got = dict->Suggest("ap");
  ASSERT_TRUE(got.ok()) << got.status();
  // Sorted by the lower-cased word, then by the exact bytes ('A' < 'a').
  EXPECT_THAT(Words(*got),
              ElementsAre("Apple", "apple", "APPLEpie", "apricot"));
  EXPECT_EQ((*got)[0].translation, "2");
  EXPECT_EQ((*got)[1].translation, "3");
}

TEST(DictionarySuggestTest, IgnoresCaseAndSurroundingWhitespaceOfThePrefix) {
  auto dict = ParseOrDie(kFruit);
  ASSERT_NE(dict, nullptr);
  absl::StatusOr<std::vector<Entry>> got = dict->Suggest("  APP\t", 2);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(Words(*got), ElementsAre("Apple", "apple"));
}

TEST(DictionarySuggestTest, AWholeWordIsItsOwnPrefix) {
  auto dict = ParseOrDie(kFruit);
  ASSERT_NE(dict, nullptr);
  absl::StatusOr<std::vector<Entry>> got = dict->Suggest("b");
  ASSERT_TRUE(got.ok());
  EXPECT_THAT(Words(*got), ElementsAre("b", "banana"));
}

TEST(DictionarySuggestTest, AnEmptyPrefixReturnsTheFirstEntries) {
  auto dict = ParseOrDie(kFruit);
  ASSERT_NE(dict, nullptr);
  for (absl::string_view prefix : {"", "   "}) {
    absl::StatusOr<std::vector<Entry>> got = dict->Suggest(prefix, 3);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_THAT(Words(*got), ElementsAre("Apple", "apple", "APPLEpie"));
  }
  absl::StatusOr<std::vector<Entry>> all = dict->Suggest("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 7u);
}

TEST(DictionarySuggestTest, NoMatchIsAnEmptyList) {
  auto dict = ParseOrDie(kFruit);
  ASSERT_NE(dict, nullptr);
  for (absl::string_view prefix : {"c", "zzz", "apples", "0", "\xE4\xBD\xA0"}) {
    absl::StatusOr<std::vector<Entry>> got = dict->Suggest(prefix);
    ASSERT_TRUE(got.ok()) << prefix << ": " << got.status();
    EXPECT_THAT(*got, IsEmpty()) << prefix;
  }
}

TEST(DictionarySuggestTest, LimitDefaultsToTenAndMustBeOneToHundred) {
  std::string text;
  for (int i = 0; i < 150; ++i) absl::StrAppend(&text, "w", 1000 + i, "\tx\n");
  auto dict = ParseOrDie(text);
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(dict->Suggest("w")->size(), 10u);
  EXPECT_EQ(dict->Suggest("w", 1)->size(), 1u);
  EXPECT_EQ(dict->Suggest("w", 100)->size(), 100u);
  EXPECT_EQ(dict->Suggest("w", 100)->back().word, "w1099");
  for (int limit : {0, -1, 101, 1 << 30}) {
    absl::StatusOr<std::vector<Entry>> got = dict->Suggest("w", limit);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << limit;
    EXPECT_THAT(got.status().message(),
                HasSubstr(absl::StrCat("limit must be between 1 and 100, got ",
                                       limit)));
  }
}

TEST(DictionarySuggestTest, RejectsAnInvalidPrefixWithTheReason) {
  auto dict = ParseOrDie(kFruit);
  ASSERT_NE(dict, nullptr);
  const InvalidCase cases[] = {
      {std::string(257, 'a'), "prefix is 257 bytes long; the limit is 256"},
      {"ap\xC3", "prefix is not valid UTF-8: bad byte 0xC3 at offset 2"},
      {"a\x02", "prefix contains control character 0x02 at offset 1"},
  };
  for (const InvalidCase& c : cases) {
    absl::StatusOr<std::vector<Entry>> got = dict->Suggest(c.query);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), HasSubstr(c.reason));
  }
}

// Suggest must agree with the obvious (slow) definition for every prefix of
// every word of the built-in dictionary, in several spellings.
TEST(DictionarySuggestTest, AgreesWithABruteForceScan) {
  std::shared_ptr<const Dictionary> dict = Dictionary::BuiltIn();
  absl::StatusOr<std::vector<Entry>> all = dict->Suggest("", 100);
  ASSERT_TRUE(all.ok());
  // Everything, in order: walk the dictionary in chunks via the last word.
  std::vector<Entry> ordered;
  for (char c = '!'; c < 0x7F; ++c) {  // ' ' would be trimmed away.
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) continue;
    absl::StatusOr<std::vector<Entry>> chunk =
        dict->Suggest(std::string(1, c), 100);
    ASSERT_TRUE(chunk.ok()) << chunk.status();
    ordered.insert(ordered.end(), chunk->begin(), chunk->end());
  }
  ASSERT_EQ(ordered.size(), dict->size());
  auto less = [](const Entry& a, const Entry& b) {
    const std::string ka = absl::AsciiStrToLower(a.word);
    const std::string kb = absl::AsciiStrToLower(b.word);
    return ka != kb ? ka < kb : a.word < b.word;
  };
  EXPECT_TRUE(std::is_sorted(ordered.begin(), ordered.end(), less));
  EXPECT_TRUE(std::equal(all->begin(), all->end(), ordered.begin()));

  for (const Entry& entry : ordered) {
    for (size_t n = 0; n <= entry.word.size(); ++n) {
      const std::string prefix(entry.word.substr(0, n));
      // Suggest() trims the prefix, so "good " means "good".
      const absl::string_view trimmed = absl::StripAsciiWhitespace(prefix);
      std::vector<Entry> expected;
      for (const Entry& candidate : ordered) {
        if (expected.size() < 5 &&
            absl::StartsWithIgnoreCase(candidate.word, trimmed)) {
          expected.push_back(candidate);
        }
      }
      for (const std::string& spelling :
           {prefix, absl::AsciiStrToUpper(prefix), " " + prefix}) {
        absl::StatusOr<std::vector<Entry>> got = dict->Suggest(spelling, 5);
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_EQ(*got, expected) << "prefix '" << spelling << "'";
      }
    }
  }
}

// --- BuiltIn -------------------------------------------------------------

TEST(DictionaryBuiltInTest, HasHelloWorldLoveInChinese) {
  std::shared_ptr<const Dictionary> dict = Dictionary::BuiltIn();
  ASSERT_NE(dict, nullptr);
  EXPECT_EQ(dict->source(), "built-in");
  EXPECT_THAT(Translate(*dict, "hello"), HasSubstr("你好"));
  EXPECT_THAT(Translate(*dict, "world"), HasSubstr("世界"));
  EXPECT_THAT(Translate(*dict, "love"), HasSubstr("爱"));
  EXPECT_THAT(Translate(*dict, "Thank"), HasSubstr("谢谢"));
}

TEST(DictionaryBuiltInTest, IsAboutTwoHundredCleanEntriesAndShared) {
  std::shared_ptr<const Dictionary> dict = Dictionary::BuiltIn();
  EXPECT_GE(dict->size(), 200u);
  EXPECT_LE(dict->size(), 300u);
  EXPECT_THAT(dict->duplicates(), IsEmpty());
  EXPECT_EQ(Dictionary::BuiltIn().get(), dict.get());
}

TEST(DictionaryBuiltInTest, ShowsTheCaseRule) {
  std::shared_ptr<const Dictionary> dict = Dictionary::BuiltIn();
  EXPECT_EQ(Translate(*dict, "China"), "n. 中国");
  EXPECT_EQ(Translate(*dict, "china"), "n. 瓷器");
  EXPECT_EQ(Translate(*dict, "CHINA"), "n. 中国");  // "China" comes first.
  EXPECT_THAT(Translate(*dict, "Polish"), HasSubstr("波兰"));
  EXPECT_THAT(Translate(*dict, "POLISH"),
              HasSubstr("擦亮"));  // "polish" first.
  EXPECT_THAT(Words(*dict->Suggest("good")),
              ElementsAre("good", "good morning", "good night", "goodbye"));
}

}  // namespace
}  // namespace framerpc::translate
