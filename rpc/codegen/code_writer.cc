// Copyright 2026 The framerpc Authors.

#include "rpc/codegen/code_writer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace framerpc::codegen {

void CodeWriter::Line(absl::string_view text) {
  if (!text.empty()) text_.append(indent_, ' ');
  absl::StrAppend(&text_, text, "\n");
}

void CodeWriter::BlankLine() {
  if (text_.empty() || absl::EndsWith(text_, "\n\n") ||
      absl::EndsWith(text_, ":\n")) {
    return;
  }
  text_.append("\n");
}

void CodeWriter::AccessLabel(absl::string_view label) {
  absl::StrAppend(&text_, std::string(std::max(indent_ - 1, 0), ' '), label,
                  ":\n");
}

void CodeWriter::Indent() { indent_ += 2; }

void CodeWriter::Outdent() { indent_ = std::max(indent_ - 2, 0); }

void CodeWriter::Comment(absl::string_view text) {
  const int width = std::max(kColumnLimit - indent_ - 3, 20);
  for (absl::string_view paragraph_line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(paragraph_line, "  ")) {  // Code: kept as it is.
      Line(absl::StrCat("// ", paragraph_line));
      continue;
    }
    std::string line;
    for (absl::string_view word :
         absl::StrSplit(paragraph_line, ' ', absl::SkipEmpty())) {
      if (!line.empty() &&
          static_cast<int>(line.size() + 1 + word.size()) > width) {
        Line(absl::StrCat("// ", line));
        line.clear();
      }
      absl::StrAppend(&line, line.empty() ? "" : " ", word);
    }
    Line(line.empty() ? "//" : absl::StrCat("// ", line));
  }
}

void CodeWriter::CommentLines(const std::vector<std::string>& lines) {
  for (absl::string_view line : lines) {
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty()) {
      Line("//");
      continue;
    }
    // A "\" at the end of a // comment would splice the next source line
    // into the comment (and trip -Wcomment).
    const char* const guard = absl::EndsWith(line, "\\") ? "." : "";
    Line(absl::StrCat("//", absl::StartsWith(line, " ") ? "" : " ", line,
                      guard));
  }
}

void CodeWriter::Declaration(absl::string_view head,
                             const std::vector<std::string>& params,
                             absl::string_view tail) {
  const std::string one_line =
      absl::StrCat(head, "(", absl::StrJoin(params, ", "), ")", tail);
  if (indent_ + static_cast<int>(one_line.size()) <= kColumnLimit ||
      params.empty()) {
    Line(one_line);
    return;
  }
  // Like clang-format: all parameters on one continuation line; else one
  // per line, aligned after the "(" when they fit there, else indented by
  // four.
  const std::string continuation(indent_ + 4, ' ');
  const std::string packed =
      absl::StrCat(continuation, absl::StrJoin(params, ", "), ")", tail);
  if (static_cast<int>(packed.size()) <= kColumnLimit) {
    Line(absl::StrCat(head, "("));
    absl::StrAppend(&text_, packed, "\n");
    return;
  }
  const int align = indent_ + static_cast<int>(head.size()) + 1;
  bool aligned_fits = true;
  for (size_t i = 0; i < params.size(); ++i) {
    const size_t trailer = i + 1 == params.size() ? 1 + tail.size() : 1;
    if (align + static_cast<int>(params[i].size() + trailer) > kColumnLimit) {
      aligned_fits = false;
    }
  }
  const std::string separator = absl::StrCat(
      ",\n", aligned_fits ? std::string(align, ' ') : continuation);
  std::string text = absl::StrCat(std::string(indent_, ' '), head, "(");
  if (!aligned_fits) absl::StrAppend(&text, "\n", continuation);
  absl::StrAppend(&text, absl::StrJoin(params, separator), ")", tail, "\n");
  text_.append(text);
}

}  // namespace framerpc::codegen
