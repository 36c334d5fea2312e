// Copyright 2026 The framerpc Authors.
//
// TranslatorService over real sockets: a framerpc::Server on 127.0.0.1:0
// serving the service, and the generated Translator stub over a Channel.
// Covers the built-in dictionary, the whole of ecdict-mini.tsv (skipped when
// the shared data folder is absent) and 100 concurrent clients.

#include "services/translate/translator_service.h"

#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dict/v1/translate.framerpc.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/call_options.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "services/translate/dictionary.h"
#include "services/translate/dictionary_holder.h"

namespace framerpc::translate {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
namespace dict = ::framerpc::dict::v1;

// Every call gets a deadline, so that a hung call fails the test instead of
// hanging it; generous because the concurrent test runs 100 clients on a
// 2-core machine under ASan.
constexpr absl::Duration kCallTimeout = absl::Seconds(60);

CallOptions Options() { return CallOptions().set_timeout(kCallTimeout); }

std::string EcdictPath() {
  return std::string(FRAMERPC_SHARED_DATA_DIR) + "/ecdict-mini.tsv";
}

// One `word<TAB>translation` line of a TSV file.
struct FileEntry {
  std::string word;
  std::string translation;
};

// Reads a dictionary file with a parser of its own, not Dictionary's, so
// that the test checks the service against the file rather than against the
// library: skips '#' comments and blank lines, splits at the first TAB and
// trims ASCII whitespace around both halves. Returns an empty vector when
// the file cannot be read.
std::vector<FileEntry> ReadTsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<FileEntry> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    entries.push_back(FileEntry{
        std::string(absl::StripAsciiWhitespace(line.substr(0, tab))),
        std::string(absl::StripAsciiWhitespace(line.substr(tab + 1)))});
  }
  return entries;
}

// A Server on 127.0.0.1:0 serving one TranslatorService over `holder`.
class TranslatorServer {
 public:
  explicit TranslatorServer(std::unique_ptr<DictionaryHolder> holder)
      : holder_(std::move(holder)), service_(holder_.get()) {}

  // Returns the bound port.
  absl::StatusOr<int> Start() {
    if (absl::Status status = server_.AddService(&service_); !status.ok()) {
      return status;
    }
    return server_.Start();
  }

  std::shared_ptr<Channel> NewChannel() const {
    absl::StatusOr<std::shared_ptr<Channel>> channel =
        Channel::Create(absl::StrCat("127.0.0.1:", server_.port()));
    EXPECT_TRUE(channel.ok()) << channel.status();
    return channel.ok() ? *channel : nullptr;
  }

 private:
  std::unique_ptr<DictionaryHolder> holder_;
  TranslatorService service_;
  Server server_;  // declared last: stops before the service goes away
};

// The service over the built-in dictionary.
class TranslatorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TranslatorServer>(
        std::make_unique<DictionaryHolder>(Dictionary::BuiltIn(), ""));
    absl::StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    stub_ = std::make_unique<dict::Translator::Stub>(server_->NewChannel());
  }

  absl::StatusOr<dict::TranslateResponse> Translate(absl::string_view word) {
    dict::TranslateRequest request;
    request.set_word(std::string(word));
    return stub_->Translate(request, Options());
  }

  absl::StatusOr<dict::TranslateBatchResponse> TranslateBatch(
      const std::vector<std::string>& words) {
    dict::TranslateBatchRequest request;
    for (const std::string& word : words) request.add_words(word);
    return stub_->TranslateBatch(request, Options());
  }

  // Suggest, as (word, translation) pairs.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Suggest(
      absl::string_view prefix, uint32_t limit) {
    dict::SuggestRequest request;
    request.set_prefix(std::string(prefix));
    request.set_limit(limit);
    absl::StatusOr<dict::SuggestResponse> reply =
        stub_->Suggest(request, Options());
    if (!reply.ok()) return reply.status();
    std::vector<std::pair<std::string, std::string>> entries;
    for (const dict::Entry& entry : reply->entries()) {
      entries.emplace_back(entry.word(), entry.translation());
    }
    return entries;
  }

  std::unique_ptr<TranslatorServer> server_;
  std::unique_ptr<dict::Translator::Stub> stub_;
};

TEST_F(TranslatorServiceTest, TranslatesCommonWords) {
  const std::pair<std::string, std::string> cases[] = {
      {"hello", "你好"}, {"world", "世界"}, {"love", "爱"}};
  for (const auto& [word, chinese] : cases) {
    absl::StatusOr<dict::TranslateResponse> reply = Translate(word);
    ASSERT_TRUE(reply.ok()) << word << ": " << reply.status();
    EXPECT_EQ(reply->word(), word);
    EXPECT_THAT(reply->translation(), HasSubstr(chinese)) << word;
  }
}

TEST_F(TranslatorServiceTest, IgnoresCaseAndSurroundingWhitespace) {
  absl::StatusOr<dict::TranslateResponse> reply = Translate(" HELLO ");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->word(), "hello");
  EXPECT_THAT(reply->translation(), HasSubstr("你好"));

  reply = Translate("\tWoRlD\n");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->word(), "world");
}

TEST_F(TranslatorServiceTest, PrefersTheEntryWithTheQuerysExactCase) {
  // The built-in dictionary has "polish" and then "Polish".
  absl::StatusOr<dict::TranslateResponse> reply = Translate("Polish");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->word(), "Polish");
  EXPECT_THAT(reply->translation(), HasSubstr("波兰"));

  reply = Translate("polish");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->word(), "polish");

  reply = Translate("POLISH");  // no exact match: the first in the file wins
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->word(), "polish");
}

TEST_F(TranslatorServiceTest, UnknownWordIsNotFoundNamingTheWord) {
  absl::StatusOr<dict::TranslateResponse> reply = Translate("  Xyzzy ");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kNotFound)
      << reply.status();
  EXPECT_THAT(reply.status().message(), HasSubstr("'Xyzzy'"));
}

// Each kind of malformed word, with a fragment of the reason it must give.
struct InvalidWord {
  std::string label;
  std::string word;
  std::string reason;
};

std::vector<InvalidWord> InvalidWords() {
  return {
      {"empty", "", "word is empty"},
      {"whitespace only", " \t ", "word is only whitespace"},
      {"257 bytes", std::string(257, 'a'), "257 bytes long; the limit is 256"},
      {"invalid UTF-8", "caf\xff",
       "not valid UTF-8: bad byte 0xFF at offset 3"},
      {"truncated UTF-8", "\xe4\xbd", "not valid UTF-8"},
      {"control character", "he\x01llo", "control character 0x01 at offset 2"},
      {"DEL", "hello\x7f", "control character 0x7F at offset 5"},
  };
}

TEST_F(TranslatorServiceTest, RejectsEachKindOfInvalidWordWithTheReason) {
  for (const InvalidWord& invalid : InvalidWords()) {
    SCOPED_TRACE(invalid.label);
    absl::StatusOr<dict::TranslateResponse> reply = Translate(invalid.word);
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kInvalidArgument)
        << reply.status();
    EXPECT_THAT(reply.status().message(), HasSubstr(invalid.reason));
  }
}

TEST_F(TranslatorServiceTest, AcceptsAWordOfExactlyTheMaximumLength) {
  // 256 bytes is allowed: the answer is NOT_FOUND, not INVALID_ARGUMENT.
  absl::StatusOr<dict::TranslateResponse> reply =
      Translate(std::string(256, 'a'));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kNotFound)
      << reply.status();
}

TEST_F(TranslatorServiceTest, BatchAnswersEachWordInOrderWithItsOwnStatus) {
  std::vector<std::string> words = {"hello", "xyzzy", " LOVE ", "", "world"};
  for (const InvalidWord& invalid : InvalidWords()) {
    words.push_back(invalid.word);
  }
  absl::StatusOr<dict::TranslateBatchResponse> reply = TranslateBatch(words);
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_EQ(reply->results_size(), static_cast<int>(words.size()));

  auto expect_found = [&](int i, absl::string_view word,
                          absl::string_view chinese) {
    const dict::TranslateResult& result = reply->results(i);
    EXPECT_EQ(result.query(), words[i]);
    EXPECT_EQ(result.status_code(), 0) << result.status_message();
    EXPECT_EQ(result.word(), word);
    EXPECT_THAT(result.translation(), HasSubstr(std::string(chinese)));
  };
  expect_found(0, "hello", "你好");
  expect_found(2, "love", "爱");
  expect_found(4, "world", "世界");

  const dict::TranslateResult& missing = reply->results(1);
  EXPECT_EQ(missing.query(), "xyzzy");
  EXPECT_EQ(missing.status_code(),
            static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_THAT(missing.status_message(), HasSubstr("'xyzzy'"));
  EXPECT_EQ(missing.word(), "");
  EXPECT_EQ(missing.translation(), "");

  EXPECT_EQ(reply->results(3).status_code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  const std::vector<InvalidWord> invalid = InvalidWords();
  for (size_t i = 0; i < invalid.size(); ++i) {
    SCOPED_TRACE(invalid[i].label);
    const dict::TranslateResult& result =
        reply->results(static_cast<int>(5 + i));
    EXPECT_EQ(result.query(), invalid[i].word);
    EXPECT_EQ(result.status_code(),
              static_cast<int>(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(result.status_message(), HasSubstr(invalid[i].reason));
    EXPECT_EQ(result.translation(), "");
  }
}

TEST_F(TranslatorServiceTest, EmptyBatchHasNoResults) {
  absl::StatusOr<dict::TranslateBatchResponse> reply = TranslateBatch({});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->results_size(), 0);
}

TEST_F(TranslatorServiceTest, BatchOfTheMaximumSizeIsAnswered) {
  const std::vector<std::string> words(TranslatorService::kMaxBatchWords,
                                       "hello");
  absl::StatusOr<dict::TranslateBatchResponse> reply = TranslateBatch(words);
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_EQ(reply->results_size(), 1000);
  EXPECT_EQ(reply->results(999).word(), "hello");
}

TEST_F(TranslatorServiceTest, BatchOfMoreThanTheMaximumIsInvalidArgument) {
  const std::vector<std::string> words(TranslatorService::kMaxBatchWords + 1,
                                       "hello");
  absl::StatusOr<dict::TranslateBatchResponse> reply = TranslateBatch(words);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInvalidArgument)
      << reply.status();
  EXPECT_THAT(reply.status().message(), HasSubstr("at most 1000 words"));
  EXPECT_THAT(reply.status().message(), HasSubstr("1001"));
}

TEST_F(TranslatorServiceTest, SuggestListsPrefixMatchesInDictionaryOrder) {
  auto entries = Suggest("good", 100);
  ASSERT_TRUE(entries.ok()) << entries.status();
  // By lower-cased word, bytewise: ' ' sorts before 'b'.
  EXPECT_THAT(*entries, ElementsAre(Pair("good", HasSubstr("好")),
                                    Pair("good morning", HasSubstr("早上好")),
                                    Pair("good night", HasSubstr("晚安")),
                                    Pair("goodbye", HasSubstr("再见"))));

  // Case-insensitive and trimmed; words that differ only in case: 'P' < 'p'.
  entries = Suggest(" POL ", 100);
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT(*entries, ElementsAre(Pair("Polish", HasSubstr("波兰")),
                                    Pair("polish", HasSubstr("擦亮"))));
}

TEST_F(TranslatorServiceTest, SuggestStopsAtTheLimit) {
  auto entries = Suggest("th", 3);
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT(*entries, ElementsAre(Pair("thank", ::testing::_),
                                    Pair("thank you", ::testing::_),
                                    Pair("thanks", ::testing::_)));
}

TEST_F(TranslatorServiceTest, SuggestLimitZeroMeansTen) {
  auto entries = Suggest("", 0);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 10u);
  // The first ten of the whole dictionary, so in order and all distinct.
  for (size_t i = 1; i < entries->size(); ++i) {
    EXPECT_LT(absl::AsciiStrToLower((*entries)[i - 1].first),
              absl::AsciiStrToLower((*entries)[i].first));
  }
}

TEST_F(TranslatorServiceTest, SuggestAcceptsLimitOneHundred) {
  auto entries = Suggest("", 100);
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_EQ(entries->size(), 100u);  // the built-in dictionary has over 200
}

TEST_F(TranslatorServiceTest, SuggestLimitOverOneHundredIsInvalidArgument) {
  auto entries = Suggest("a", 101);
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument)
      << entries.status();
  EXPECT_THAT(entries.status().message(), HasSubstr("101"));
}

TEST_F(TranslatorServiceTest, SuggestWithNoMatchIsEmptyNotAnError) {
  auto entries = Suggest("xyzzy", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_TRUE(entries->empty());
}

TEST_F(TranslatorServiceTest, SuggestRejectsAnInvalidPrefix) {
  auto entries = Suggest("a\xff", 10);
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument)
      << entries.status();
  EXPECT_THAT(entries.status().message(), HasSubstr("not valid UTF-8"));
}

TEST_F(TranslatorServiceTest, InfoDescribesTheBuiltInDictionary) {
  const absl::Time before_call = absl::Now();
  absl::StatusOr<dict::InfoResponse> reply = stub_->Info({}, Options());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->source(), "built-in");
  EXPECT_EQ(reply->entry_count(), Dictionary::BuiltIn()->size());
  EXPECT_GT(reply->entry_count(), 200u);  // "about 200 common words"
  EXPECT_GT(reply->load_time_unix_us(), 0);
  EXPECT_LE(reply->load_time_unix_us(), absl::ToUnixMicros(before_call));
  EXPECT_GE(reply->load_duration_us(), 0);
}

// The service over ecdict-mini.tsv, compared with the file read
// independently. Skipped when the shared data folder is not there.
class TranslatorServiceFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    entries_ = new std::vector<FileEntry>(ReadTsv(EcdictPath()));
  }
  static void TearDownTestSuite() {
    delete entries_;
    entries_ = nullptr;
  }

  void SetUp() override {
    if (entries_->empty()) GTEST_SKIP() << "no data file " << EcdictPath();
    absl::StatusOr<std::unique_ptr<DictionaryHolder>> holder =
        DictionaryHolder::Open(EcdictPath());
    ASSERT_TRUE(holder.ok()) << holder.status();
    server_ = std::make_unique<TranslatorServer>(*std::move(holder));
    absl::StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    stub_ = std::make_unique<dict::Translator::Stub>(server_->NewChannel());
  }

  static std::vector<FileEntry>* entries_;
  std::unique_ptr<TranslatorServer> server_;
  std::unique_ptr<dict::Translator::Stub> stub_;
};

std::vector<FileEntry>* TranslatorServiceFileTest::entries_ = nullptr;

TEST_F(TranslatorServiceFileTest, InfoCountsEveryEntryOfTheFile) {
  absl::StatusOr<dict::InfoResponse> reply = stub_->Info({}, Options());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->source(), EcdictPath());
  EXPECT_EQ(reply->entry_count(), entries_->size());
  EXPECT_EQ(reply->entry_count(), 30000u);  // per the data folder's README
}

TEST_F(TranslatorServiceFileTest, EveryEntryTranslatesToItsLinesTranslation) {
  const std::vector<FileEntry>& entries = *entries_;
  constexpr size_t kBatch = TranslatorService::kMaxBatchWords;
  size_t checked = 0;
  for (size_t start = 0; start < entries.size(); start += kBatch) {
    const size_t end = std::min(entries.size(), start + kBatch);
    dict::TranslateBatchRequest request;
    for (size_t i = start; i < end; ++i) request.add_words(entries[i].word);
    absl::StatusOr<dict::TranslateBatchResponse> reply =
        stub_->TranslateBatch(request, Options());
    ASSERT_TRUE(reply.ok())
        << "batch at entry " << start << ": " << reply.status();
    ASSERT_EQ(reply->results_size(), static_cast<int>(end - start));
    for (size_t i = start; i < end; ++i) {
      const dict::TranslateResult& result =
          reply->results(static_cast<int>(i - start));
      ASSERT_EQ(result.status_code(), 0)
          << entries[i].word << ": " << result.status_message();
      ASSERT_EQ(result.word(), entries[i].word);
      ASSERT_EQ(result.translation(), entries[i].translation)
          << entries[i].word;
      ++checked;
    }
  }
  EXPECT_EQ(checked, entries.size());
}

TEST_F(TranslatorServiceFileTest, SampleTranslatesThroughSingleCalls) {
  // Every 30th entry: 1,000 Translate calls, the first and last included.
  const std::vector<FileEntry>& entries = *entries_;
  const size_t step = std::max<size_t>(1, entries.size() / 1000);
  int calls = 0;
  for (size_t i = 0; i < entries.size(); i += step) {
    dict::TranslateRequest request;
    request.set_word(entries[i].word);
    absl::StatusOr<dict::TranslateResponse> reply =
        stub_->Translate(request, Options());
    ASSERT_TRUE(reply.ok()) << entries[i].word << ": " << reply.status();
    ASSERT_EQ(reply->word(), entries[i].word);
    ASSERT_EQ(reply->translation(), entries[i].translation);
    ++calls;
  }
  dict::TranslateRequest last;
  last.set_word(entries.back().word);
  absl::StatusOr<dict::TranslateResponse> reply =
      stub_->Translate(last, Options());
  ASSERT_TRUE(reply.ok()) << entries.back().word << ": " << reply.status();
  EXPECT_EQ(reply->translation(), entries.back().translation);
  EXPECT_GE(calls, 1000);
}

TEST_F(TranslatorServiceFileTest, MixedCaseAndPaddedSampleFindsTheEntries) {
  const std::vector<FileEntry>& entries = *entries_;
  // Only words whose lower-case form is unique in the file, so that the
  // expected entry does not depend on the case rule (the README says that
  // is every word; this keeps the test right if the file changes).
  absl::flat_hash_map<std::string, int> key_count;
  for (const FileEntry& entry : entries) {
    ++key_count[absl::AsciiStrToLower(entry.word)];
  }
  std::vector<const FileEntry*> candidates;
  for (const FileEntry& entry : entries) {
    if (key_count[absl::AsciiStrToLower(entry.word)] == 1) {
      candidates.push_back(&entry);
    }
  }
  ASSERT_GE(candidates.size(), 1000u);

  std::mt19937 random(20260101);  // fixed: a failure is reproducible
  const char* const kPadding[] = {"", " ", "  ", "\t", " \t "};
  int changed_case = 0;
  for (int n = 0; n < 1000; ++n) {
    const FileEntry& entry = *candidates[random() % candidates.size()];
    std::string query = entry.word;
    for (char& c : query) {
      if (absl::ascii_isalpha(static_cast<unsigned char>(c)) &&
          random() % 2 == 0) {
        c = absl::ascii_isupper(static_cast<unsigned char>(c))
                ? absl::ascii_tolower(static_cast<unsigned char>(c))
                : absl::ascii_toupper(static_cast<unsigned char>(c));
      }
    }
    if (query != entry.word) ++changed_case;
    query = absl::StrCat(kPadding[random() % 5], query, kPadding[random() % 5]);

    dict::TranslateRequest request;
    request.set_word(query);
    absl::StatusOr<dict::TranslateResponse> reply =
        stub_->Translate(request, Options());
    ASSERT_TRUE(reply.ok()) << "'" << query << "': " << reply.status();
    ASSERT_EQ(reply->word(), entry.word) << "'" << query << "'";
    ASSERT_EQ(reply->translation(), entry.translation) << "'" << query << "'";
  }
  EXPECT_GT(changed_case, 900);  // the sample really is in mixed case
}

// Every entry of the built-in dictionary, found by listing the entries that
// start with each printable ASCII character.
std::vector<FileEntry> BuiltInEntries() {
  std::vector<FileEntry> words;
  std::shared_ptr<const Dictionary> builtin = Dictionary::BuiltIn();
  for (int c = 0x20; c < 0x7f; ++c) {
    absl::StatusOr<std::vector<Dictionary::Entry>> entries = builtin->Suggest(
        std::string(1, static_cast<char>(c)), Dictionary::kMaxSuggestLimit);
    if (!entries.ok()) continue;
    for (const Dictionary::Entry& entry : *entries) {
      words.push_back(
          FileEntry{std::string(entry.word), std::string(entry.translation)});
    }
  }
  return words;
}

TEST(TranslatorServiceConcurrencyTest,
     HundredClientsEachDoingThousandLookupsAllGetTheRightAnswer) {
  constexpr int kClients = 100;
  constexpr int kLookupsPerClient = 1000;

  // What the clients ask for, and the answer each must get: the data file
  // when it is there, else the built-in dictionary.
  std::vector<FileEntry> words = ReadTsv(EcdictPath());
  const bool have_file = !words.empty();
  if (!have_file) words = BuiltInEntries();
  std::unique_ptr<DictionaryHolder> holder;
  if (have_file) {
    absl::StatusOr<std::unique_ptr<DictionaryHolder>> opened =
        DictionaryHolder::Open(EcdictPath());
    ASSERT_TRUE(opened.ok()) << opened.status();
    holder = *std::move(opened);
  } else {
    holder = std::make_unique<DictionaryHolder>(Dictionary::BuiltIn(), "");
  }
  ASSERT_GE(words.size(), 200u);
  TranslatorServer server(std::move(holder));
  absl::StatusOr<int> port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status();

  std::atomic<int> correct{0};
  std::atomic<int> wrong{0};
  absl::Mutex mu;
  std::string first_error;  // guarded by mu
  auto record_error = [&](std::string error) {
    wrong.fetch_add(1);
    absl::MutexLock lock(&mu);
    if (first_error.empty()) first_error = std::move(error);
  };

  // Each client: its own Channel (so its own connection) and one blocking
  // call at a time, each answer checked as it comes. (Measured on 2 cores:
  // about 3 s in a release build and 7 s under ASan, so there is no need to
  // go asynchronous to keep CI time down.)
  auto client = [&](int id) {
    std::shared_ptr<Channel> channel = server.NewChannel();
    if (channel == nullptr) {
      record_error("no channel");
      return;
    }
    dict::Translator::Stub stub(channel);
    std::mt19937 random(static_cast<uint32_t>(id));  // fixed: reproducible
    for (int n = 0; n < kLookupsPerClient; ++n) {
      const FileEntry& expected = words[random() % words.size()];
      dict::TranslateRequest request;
      request.set_word(expected.word);
      absl::StatusOr<dict::TranslateResponse> reply =
          stub.Translate(request, Options());
      if (!reply.ok()) {
        record_error(
            absl::StrCat(expected.word, ": ", reply.status().ToString()));
      } else if (reply->word() != expected.word ||
                 reply->translation() != expected.translation) {
        record_error(absl::StrCat(expected.word, ": got '", reply->word(),
                                  "' = '", reply->translation(), "'"));
      } else {
        correct.fetch_add(1);
      }
    }
  };

  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int id = 0; id < kClients; ++id) clients.emplace_back(client, id);
  for (std::thread& thread : clients) thread.join();

  EXPECT_EQ(wrong.load(), 0) << "first: " << first_error;
  EXPECT_EQ(correct.load(), kClients * kLookupsPerClient);
}

}  // namespace
}  // namespace framerpc::translate
