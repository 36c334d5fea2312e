// Copyright 2026 The framerpc Authors.

#include "services/translate/dictionary.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "services/translate/utf8.h"

namespace framerpc::translate {
namespace {

constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";

inline bool IsControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

inline bool HasAsciiUpper(absl::string_view text) {
  return std::any_of(text.begin(), text.end(), absl::ascii_isupper);
}

// Writes the ASCII lower-cased `text` to `out`, which has room for it.
inline void AsciiLowerInto(absl::string_view text, char* out) {
  for (char c : text)
    *out++ = absl::ascii_tolower(static_cast<unsigned char>(c));
}

size_t FindControl(absl::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsControl(text[i])) return i;
  }
  return absl::string_view::npos;
}

std::string HexByte(char c) {
  return absl::StrFormat("0x%02X", static_cast<unsigned char>(c));
}

// Checks a query (`what` is "word" or "prefix"). On success `*trimmed` is
// `raw` without surrounding ASCII whitespace. Offsets in messages count from
// the start of `raw`.
absl::Status CheckQuery(absl::string_view raw, absl::string_view what,
                        bool allow_empty, absl::string_view* trimmed) {
  const absl::string_view text = absl::StripAsciiWhitespace(raw);
  if (text.empty() && !allow_empty) {
    return absl::InvalidArgumentError(
        raw.empty() ? absl::StrCat(what, " is empty")
                    : absl::StrCat(what, " is only whitespace"));
  }
  if (text.size() > Dictionary::kMaxWordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is ", text.size(),
                                                   " bytes long; the limit is ",
                                                   Dictionary::kMaxWordBytes));
  }
  // Report whichever problem comes first, so the offset is the first bad one.
  const size_t bad_utf8 = FindInvalidUtf8(text);
  const size_t control = FindControl(text);
  const size_t base = static_cast<size_t>(text.data() - raw.data());
  if (bad_utf8 != absl::string_view::npos &&
      (control == absl::string_view::npos || bad_utf8 < control)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not valid UTF-8: bad byte ",
                     HexByte(text[bad_utf8]), " at offset ", base + bad_utf8));
  }
  if (control != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " contains control character ",
                     HexByte(text[control]), " at offset ", base + control));
  }
  *trimmed = text;
  return absl::OkStatus();
}

// Splits one entry line (no LF, no trailing CR, not blank, not a comment)
// into its trimmed word and translation. Returns "" on success, else why the
// line is malformed (columns are 1-based byte positions in the line).
std::string SplitLine(absl::string_view line, absl::string_view* word,
                      absl::string_view* translation) {
  const size_t bad_utf8 = FindInvalidUtf8(line);
  if (bad_utf8 != absl::string_view::npos) {
    return absl::StrCat("invalid UTF-8 (byte ", HexByte(line[bad_utf8]),
                        ") at column ", bad_utf8 + 1);
  }
  const size_t tab = line.find('\t');
  if (tab == absl::string_view::npos) {
    return "no TAB between word and translation";
  }
  *word = absl::StripAsciiWhitespace(line.substr(0, tab));
  *translation = absl::StripAsciiWhitespace(line.substr(tab + 1));
  if (word->empty()) return "empty word";
  if (translation->empty()) return "empty translation";
  if (word->size() > Dictionary::kMaxWordBytes) {
    return absl::StrCat("word is ", word->size(), " bytes long; the limit is ",
                        Dictionary::kMaxWordBytes);
  }
  const size_t in_word = FindControl(*word);
  if (in_word != absl::string_view::npos) {
    return absl::StrCat("control character ", HexByte((*word)[in_word]),
                        " in the word at column ",
                        (word->data() - line.data()) + in_word + 1);
  }
  const size_t in_translation = FindControl(*translation);
  if (in_translation != absl::string_view::npos) {
    const char c = (*translation)[in_translation];
    return absl::StrCat(
        c == '\t' ? "a second TAB"
                  : absl::StrCat("control character ", HexByte(c)),
        " in the translation at column ",
        (translation->data() - line.data()) + in_translation + 1);
  }
  return "";
}

// Reads all of `path` into `*contents`.
absl::Status ReadFile(const std::string& path, std::string* contents) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot open dictionary file '", path, "'"));
  }
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  auto too_large = [&path] {
    return absl::ResourceExhaustedError(
        absl::StrCat("dictionary file '", path, "' is larger than ",
                     Dictionary::kMaxContentsBytes, " bytes"));
  };
  std::string buffer;
  struct stat info;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
    if (static_cast<uint64_t>(info.st_size) > Dictionary::kMaxContentsBytes) {
      return too_large();
    }
    // One spare byte, so the read that sees EOF needs no regrowth.
    buffer.resize(static_cast<size_t>(info.st_size) + 1);
  }
  size_t used = 0;
  while (true) {
    if (used == buffer.size()) {
      if (used > Dictionary::kMaxContentsBytes) return too_large();
      buffer.resize(std::max<size_t>(64 * 1024, 2 * used));
    }
    const ssize_t n = ::read(fd, buffer.data() + used, buffer.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(
          errno, absl::StrCat("cannot read dictionary file '", path, "'"));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > Dictionary::kMaxContentsBytes) return too_large();
  buffer.resize(used);
  *contents = std::move(buffer);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Dictionary>> Dictionary::LoadFile(
    const std::string& path) {
  const absl::Time start = absl::Now();
  std::string contents;
  FRAMERPC_RETURN_IF_ERROR(ReadFile(path, &contents));
  return Build(std::move(contents), path, start);
}

absl::StatusOr<std::shared_ptr<const Dictionary>> Dictionary::Parse(
    absl::string_view contents, absl::string_view source_name) {
  const absl::Time start = absl::Now();
  if (contents.size() > kMaxContentsBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(source_name, ": dictionary text is ", contents.size(),
                     " bytes, more than the limit of ", kMaxContentsBytes));
  }
  return Build(std::string(contents), source_name, start);
}

absl::StatusOr<std::shared_ptr<const Dictionary>> Dictionary::Build(
    std::string contents, absl::string_view source_name, absl::Time start) {
  std::shared_ptr<Dictionary> dictionary(new Dictionary());
  dictionary->source_ = std::string(source_name);
  dictionary->storage_ = std::move(contents);
  FRAMERPC_RETURN_IF_ERROR(dictionary->ParseAndIndex());
  dictionary->load_time_ = absl::Now();
  dictionary->load_duration_ = dictionary->load_time_ - start;
  if (!dictionary->duplicates_.empty()) {
    FRAMERPC_LOG(WARNING) << dictionary->source_ << ": ignored "
                          << dictionary->duplicates_.size()
                          << " repeated word(s), kept the first of each; "
                          << dictionary->duplicates_.front();
  }
  return std::shared_ptr<const Dictionary>(std::move(dictionary));
}

absl::Status Dictionary::ParseAndIndex() {
  struct Line {
    absl::string_view word;
    absl::string_view translation;
    uint32_t line;
  };
  absl::string_view text = storage_;
  absl::ConsumePrefix(&text, kByteOrderMark);

  // Pass 1: split the lines and check them.
  std::vector<Line> lines;
  lines.reserve(std::count(text.begin(), text.end(), '\n') + 1);
  std::vector<std::string> errors;
  size_t error_count = 0;
  size_t folded_bytes = 0;
  uint32_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    absl::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == absl::string_view::npos ? text.size()
                                                          : newline + 1);
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty() || line.front() == '#' ||
        absl::StripAsciiWhitespace(line).empty()) {
      continue;
    }
    absl::string_view word;
    absl::string_view translation;
    std::string reason = SplitLine(line, &word, &translation);
    if (!reason.empty()) {
      if (++error_count <= kMaxReportedErrors) {
        errors.push_back(absl::StrCat(source_, ":", line_number, ": ", reason));
      }
      continue;
    }
    if (HasAsciiUpper(word)) folded_bytes += word.size();
    lines.push_back(Line{word, translation, line_number});
  }
  if (error_count > 0) {
    std::string message = absl::StrCat(
        source_, ": ", error_count, " malformed line",
        error_count == 1 ? "" : "s", ": ", absl::StrJoin(errors, "; "));
    if (error_count > errors.size()) {
      absl::StrAppend(&message, "; and ", error_count - errors.size(), " more");
    }
    return absl::InvalidArgumentError(message);
  }
  if (lines.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ": no entries (only comments or blank lines)"));
  }

  // Pass 2: fold the keys, drop repeated words, build the hash index. folded_
  // gets its final size first, so views into it stay valid.
  folded_.resize(folded_bytes);
  char* folded_end = folded_.data();
  records_.reserve(lines.size());
  by_key_.reserve(lines.size());
  for (const Line& line : lines) {
    absl::string_view key = line.word;
    if (HasAsciiUpper(line.word)) {
      AsciiLowerInto(line.word, folded_end);
      key = absl::string_view(folded_end, line.word.size());
      folded_end += line.word.size();
    }
    const auto index = static_cast<uint32_t>(records_.size());
    auto [it, inserted] = by_key_.try_emplace(key, index);
    if (!inserted) {
      // Same key: either a repeat of the exact word, or a case variant,
      // which is chained after the others in file order.
      uint32_t last = it->second;
      bool repeated = false;
      for (uint32_t r = it->second; r != kNoRecord;
           r = records_[r].next_same_key) {
        if (records_[r].word == line.word) {
          duplicates_.push_back(absl::StrCat(
              source_, ":", line.line, ": duplicate word '", line.word,
              "' (first at line ", records_[r].line, "), kept the first"));
          repeated = true;
          break;
        }
        last = r;
      }
      if (repeated) continue;
      records_[last].next_same_key = index;
    }
    records_.push_back(
        Record{line.word, line.translation, key, line.line, kNoRecord});
  }

  // Pass 3: the sorted index for Suggest().
  sorted_.resize(records_.size());
  std::iota(sorted_.begin(), sorted_.end(), uint32_t{0});
  std::sort(sorted_.begin(), sorted_.end(), [this](uint32_t a, uint32_t b) {
    const Record& x = records_[a];
    const Record& y = records_[b];
    if (x.key != y.key) return x.key < y.key;
    return x.word < y.word;
  });
  return absl::OkStatus();
}

absl::Status Dictionary::ValidateWord(absl::string_view word) {
  absl::string_view trimmed;
  return CheckQuery(word, "word", /*allow_empty=*/false, &trimmed);
}

absl::StatusOr<Dictionary::Entry> Dictionary::Lookup(
    absl::string_view word) const {
  absl::string_view query;
  FRAMERPC_RETURN_IF_ERROR(
      CheckQuery(word, "word", /*allow_empty=*/false, &query));
  char folded[kMaxWordBytes];
  AsciiLowerInto(query, folded);
  const auto it = by_key_.find(absl::string_view(folded, query.size()));
  if (it == by_key_.end()) {
    return absl::NotFoundError(absl::StrCat("no entry for '", query, "'"));
  }
  const Record& first = records_[it->second];
  // The case rule: an exact-bytes match wins, else the first in file order.
  if (first.next_same_key != kNoRecord) {
    for (uint32_t r = it->second; r != kNoRecord;
         r = records_[r].next_same_key) {
      if (records_[r].word == query) return ToEntry(records_[r]);
    }
  }
  return ToEntry(first);
}

absl::StatusOr<std::vector<Dictionary::Entry>> Dictionary::Suggest(
    absl::string_view prefix, int limit) const {
  if (limit < 1 || limit > kMaxSuggestLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limit must be between 1 and ", kMaxSuggestLimit, ", got ", limit));
  }
  absl::string_view query;
  FRAMERPC_RETURN_IF_ERROR(
      CheckQuery(prefix, "prefix", /*allow_empty=*/true, &query));
  char buffer[kMaxWordBytes];
  AsciiLowerInto(query, buffer);
  const absl::string_view folded(buffer, query.size());

  std::vector<Entry> entries;
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), folded,
                             [this](uint32_t index, absl::string_view key) {
                               return records_[index].key < key;
                             });
  for (; it != sorted_.end() && entries.size() < static_cast<size_t>(limit) &&
         absl::StartsWith(records_[*it].key, folded);
       ++it) {
    entries.push_back(ToEntry(records_[*it]));
  }
  return entries;
}

}  // namespace framerpc::translate
