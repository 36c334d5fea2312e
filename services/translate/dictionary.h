// Copyright 2026 The framerpc Authors.
//
// Dictionary: an immutable English→Chinese word list for the example
// Translate service, loaded from a TSV file (or the small built-in list) and
// queried by exact word (Lookup) or by prefix (Suggest). No RPC dependency.
//
//   FRAMERPC_ASSIGN_OR_RETURN(std::shared_ptr<const Dictionary> dict,
//                             Dictionary::LoadFile("/srv/ecdict-mini.tsv"));
//   FRAMERPC_ASSIGN_OR_RETURN(Dictionary::Entry entry, dict->Lookup(" Hello"));
//   // entry.word == "hello", entry.translation == "int. 你好; 喂"
//
// File format (see services/translate/README.md): UTF-8 text, one
// `word<TAB>translation` entry per line, LF line endings (a CR before the LF
// is dropped), an optional UTF-8 byte-order mark at the very start. Lines
// whose first byte is '#' and lines that are empty or only whitespace are
// skipped. ASCII whitespace around the word and around the translation is
// trimmed. A line is malformed, and fails the whole load, when it has no TAB,
// an empty word or translation, invalid UTF-8, a control character (C0 or
// DEL; so also a second TAB) in the word or the translation, or a word longer
// than kMaxWordBytes. A word repeated with exactly the same bytes keeps its
// first entry; the later ones are reported by duplicates(). A file without
// any entry is an error.
//
// Matching rule. A query is trimmed of surrounding ASCII whitespace and then
// matched ignoring ASCII letter case (A-Z = a-z; other letters, digits, inner
// spaces, hyphens and apostrophes must match exactly). When several entries
// differ only in ASCII case, an entry whose word has exactly the bytes of the
// (trimmed) query wins; otherwise the one that comes first in the file wins.
// With "Polish" on line 3 and "polish" on line 7: "Polish" → line 3,
// "polish" → line 7, "POLISH" and "pOlish" → line 3.
//
// Dictionary order (used by Suggest): entries sorted by their ASCII
// lower-cased word, compared bytewise (so by code point), ties between words
// that differ only in case broken by the exact bytes ('P' < 'p', so "Polish"
// comes before "polish").
//
// Thread safety: a Dictionary is immutable once built; every method may be
// called from any number of threads at once without synchronization.
//
// Ownership: the factories return std::shared_ptr<const Dictionary>; the
// dictionary owns one copy of the file contents, and every string_view it
// hands out (Entry::word, Entry::translation) points into that copy.
//
// Lifetime: views returned by Lookup() and Suggest() stay valid for as long
// as the Dictionary lives; hold the shared_ptr while you use them.

#ifndef FRAMERPC_SERVICES_TRANSLATE_DICTIONARY_H_
#define FRAMERPC_SERVICES_TRANSLATE_DICTIONARY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace framerpc::translate {

class Dictionary {
 public:
  // The longest word, in bytes (after trimming), that a file may contain and
  // a query may ask for.
  static constexpr size_t kMaxWordBytes = 256;
  // Suggest() limits.
  static constexpr int kDefaultSuggestLimit = 10;
  static constexpr int kMaxSuggestLimit = 100;
  // The largest file or string Parse() and LoadFile() accept, in bytes.
  static constexpr size_t kMaxContentsBytes = size_t{1} << 30;
  // At most this many malformed lines are spelled out in a load error.
  static constexpr int kMaxReportedErrors = 5;

  // One entry. Both views point into the Dictionary's own storage and are
  // valid while the Dictionary lives.
  struct Entry {
    absl::string_view word;
    absl::string_view translation;

    friend bool operator==(const Entry&, const Entry&) = default;
    // Prints "word<TAB>translation", as in the file.
    friend std::ostream& operator<<(std::ostream& os, const Entry& entry) {
      return os << entry.word << '\t' << entry.translation;
    }
  };

  // Reads and parses the file at `path`; source() is `path`.
  // Returns:
  //   - the errno-derived code (NOT_FOUND, PERMISSION_DENIED, ...) with the
  //     path and strerror text when the file cannot be opened or read;
  //   - RESOURCE_EXHAUSTED when it is larger than kMaxContentsBytes;
  //   - INVALID_ARGUMENT as Parse() does.
  static absl::StatusOr<std::shared_ptr<const Dictionary>> LoadFile(
      const std::string& path);

  // Parses `contents` (the format above); `source_name` (a path, or e.g.
  // "built-in") prefixes every message and becomes source(). The dictionary
  // keeps its own copy of `contents`; neither argument is borrowed.
  // Returns INVALID_ARGUMENT when any line is malformed, with
  // "source:line: reason" for the first kMaxReportedErrors such lines and
  // "and N more" for the rest, or when there is no entry at all;
  // RESOURCE_EXHAUSTED when `contents` is larger than kMaxContentsBytes.
  // Duplicate words do not fail the parse: see duplicates().
  static absl::StatusOr<std::shared_ptr<const Dictionary>> Parse(
      absl::string_view contents, absl::string_view source_name);

  // The small hand-written dictionary compiled into the library (about 200
  // common words, English→Simplified Chinese); source() is "built-in".
  // Built once, on first use; every call returns the same instance.
  static std::shared_ptr<const Dictionary> BuiltIn();

  // Checks a query word without looking it up. Surrounding ASCII whitespace
  // is ignored. Returns INVALID_ARGUMENT, with the reason, when the word is
  // empty or only whitespace, longer than kMaxWordBytes, not well-formed
  // UTF-8 (see utf8.h; the message names the byte and its offset), or holds
  // a control character (C0 or DEL; the message names the byte and offset).
  // Offsets count bytes from the start of `word` as given, untrimmed.
  static absl::Status ValidateWord(absl::string_view word);

  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;

  // Finds the entry for `word` under the matching rule above. Does not
  // allocate on success (an error status allocates its message).
  // Returns INVALID_ARGUMENT as ValidateWord() does; NOT_FOUND
  // "no entry for 'word'" (the trimmed word) when nothing matches.
  absl::StatusOr<Entry> Lookup(absl::string_view word) const;

  // Returns up to `limit` entries whose word starts with `prefix`, compared
  // ignoring ASCII case after trimming surrounding whitespace from `prefix`,
  // in dictionary order (above). An empty or whitespace-only prefix matches
  // every entry, so it returns the first `limit` entries; because of the
  // trimming, "good " is the same prefix as "good". Cost:
  // O(log size() + limit) — a binary search in a sorted index, then a walk.
  // Returns INVALID_ARGUMENT when `limit` is outside [1, kMaxSuggestLimit],
  // or when the prefix is longer than kMaxWordBytes, not well-formed UTF-8,
  // or holds a control character. No match is an empty vector, not an error.
  absl::StatusOr<std::vector<Entry>> Suggest(
      absl::string_view prefix, int limit = kDefaultSuggestLimit) const;

  // Number of entries (duplicates not counted).
  size_t size() const { return records_.size(); }

  // The path the dictionary was loaded from, or the `source_name` given to
  // Parse() ("built-in" for BuiltIn()).
  const std::string& source() const { return source_; }

  // When loading finished, and how long it took (reading the file, if any,
  // plus parsing and indexing).
  absl::Time load_time() const { return load_time_; }
  absl::Duration load_duration() const { return load_duration_; }

  // One message per ignored repeated word, in file order:
  // "source:12: duplicate word 'x' (first at line 3), kept the first".
  const std::vector<std::string>& duplicates() const { return duplicates_; }

 private:
  struct Record {
    absl::string_view word;
    absl::string_view translation;
    // The ASCII lower-cased word: `word` itself when it has no upper-case
    // letter, else a view into folded_.
    absl::string_view key;
    // Line number in the source, for messages.
    uint32_t line;
    // Next record (in file order) with the same key, or kNoRecord.
    uint32_t next_same_key;
  };
  static constexpr uint32_t kNoRecord = UINT32_MAX;

  Dictionary() = default;

  // Parses storage_ and builds the indexes. `start` is when loading began.
  static absl::StatusOr<std::shared_ptr<const Dictionary>> Build(
      std::string contents, absl::string_view source_name, absl::Time start);
  absl::Status ParseAndIndex();

  Entry ToEntry(const Record& record) const {
    return Entry{record.word, record.translation};
  }

  std::string source_;
  // The text parsed: every word and translation is a view into it.
  std::string storage_;
  // Lower-cased copies of the words that have upper-case letters.
  std::string folded_;
  // Entries in file order, without duplicates.
  std::vector<Record> records_;
  // Key → index in records_ of the first entry with that key.
  absl::flat_hash_map<absl::string_view, uint32_t> by_key_;
  // Indexes in records_, in dictionary order.
  std::vector<uint32_t> sorted_;
  std::vector<std::string> duplicates_;
  absl::Time load_time_;
  absl::Duration load_duration_;
};

}  // namespace framerpc::translate

#endif  // FRAMERPC_SERVICES_TRANSLATE_DICTIONARY_H_
