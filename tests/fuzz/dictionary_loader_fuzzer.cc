// Copyright 2026 The framerpc Authors.
//
// dictionary_loader_fuzzer: the Translate service's TSV dictionary parser
// (services/translate/dictionary.h), fed arbitrary file contents from
// memory: Dictionary::Parse is what LoadFile runs on a file's bytes.
//
// Input: the file contents.
//
// Invariants checked:
//   - a failed parse is INVALID_ARGUMENT whose message starts with the
//     source name;
//   - a dictionary has at least one entry; every entry (in Suggest order,
//     which must be the documented dictionary order) is a valid word with a
//     nonempty translation free of control characters, and looking its word
//     up finds exactly that entry;
//   - lookups and suggestions for queries made from the input itself never
//     fail other than as documented.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "base/logging.h"
#include "services/translate/dictionary.h"

namespace framerpc::fuzzing {
namespace {

using translate::Dictionary;

bool HasControl(absl::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

// Dictionary order: ASCII lower-cased word bytewise, then the exact bytes.
bool InOrder(const Dictionary::Entry& a, const Dictionary::Entry& b) {
  const std::string ka = absl::AsciiStrToLower(a.word);
  const std::string kb = absl::AsciiStrToLower(b.word);
  if (ka != kb) return ka < kb;
  return a.word < b.word;
}

void CheckQuery(const Dictionary& dict, absl::string_view query) {
  absl::StatusOr<Dictionary::Entry> entry = dict.Lookup(query);
  if (!entry.ok()) {
    FRAMERPC_CHECK(absl::IsInvalidArgument(entry.status()) ||
                   absl::IsNotFound(entry.status()))
        << entry.status();
    // Lookup validates exactly as ValidateWord does.
    FRAMERPC_CHECK_EQ(absl::IsInvalidArgument(entry.status()),
                      !Dictionary::ValidateWord(query).ok());
  } else {
    FRAMERPC_CHECK(
        absl::EqualsIgnoreCase(entry->word, absl::StripAsciiWhitespace(query)));
  }
  absl::StatusOr<std::vector<Dictionary::Entry>> suggestions =
      dict.Suggest(query, 5);
  if (!suggestions.ok()) {
    FRAMERPC_CHECK(absl::IsInvalidArgument(suggestions.status()))
        << suggestions.status();
    return;
  }
  FRAMERPC_CHECK_LE(suggestions->size(), 5u);
  const std::string prefix =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(query));
  for (const Dictionary::Entry& e : *suggestions) {
    FRAMERPC_CHECK(absl::StartsWith(absl::AsciiStrToLower(e.word), prefix));
  }
}

}  // namespace
}  // namespace framerpc::fuzzing

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = framerpc::fuzzing;
  using framerpc::translate::Dictionary;
  const absl::string_view contents(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::shared_ptr<const Dictionary>> parsed =
      Dictionary::Parse(contents, "fuzz.tsv");
  if (!parsed.ok()) {
    FRAMERPC_CHECK(absl::IsInvalidArgument(parsed.status())) << parsed.status();
    FRAMERPC_CHECK(absl::StartsWith(parsed.status().message(), "fuzz.tsv"))
        << parsed.status();
    return 0;
  }
  const Dictionary& dict = **parsed;
  FRAMERPC_CHECK_GT(dict.size(), 0u);
  FRAMERPC_CHECK_EQ(dict.source(), "fuzz.tsv");

  // Every entry, in dictionary order (Suggest of "" walks it from the start;
  // fuzz inputs are small, so kMaxSuggestLimit covers most of them).
  absl::StatusOr<std::vector<Dictionary::Entry>> all =
      dict.Suggest("", Dictionary::kMaxSuggestLimit);
  FRAMERPC_CHECK(all.ok()) << all.status();
  FRAMERPC_CHECK_EQ(
      all->size(), std::min<size_t>(dict.size(), Dictionary::kMaxSuggestLimit));
  for (size_t i = 0; i < all->size(); ++i) {
    const Dictionary::Entry& entry = (*all)[i];
    if (i > 0) {
      FRAMERPC_CHECK(fz::InOrder((*all)[i - 1], entry))
          << "Suggest order: '" << (*all)[i - 1].word << "' before '"
          << entry.word << "'";
    }
    FRAMERPC_CHECK(Dictionary::ValidateWord(entry.word).ok()) << entry;
    FRAMERPC_CHECK(!entry.translation.empty()) << entry;
    FRAMERPC_CHECK(!fz::HasControl(entry.translation)) << entry;
    FRAMERPC_CHECK(absl::StripAsciiWhitespace(entry.word) == entry.word);
    absl::StatusOr<Dictionary::Entry> found = dict.Lookup(entry.word);
    FRAMERPC_CHECK(found.ok()) << found.status();
    // An entry with exactly the query's bytes wins over case variants.
    FRAMERPC_CHECK(*found == entry) << *found << " for " << entry;
  }

  // Queries from the input itself: its first line, and its first bytes.
  const absl::string_view first_line =
      contents.substr(0, std::min(contents.find('\n'), contents.size()));
  fz::CheckQuery(dict, first_line);
  fz::CheckQuery(dict, first_line.substr(0, first_line.find('\t')));
  fz::CheckQuery(dict, contents.substr(0, 3));
  return 0;
}
