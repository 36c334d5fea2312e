// Copyright 2026 The framerpc Authors.
//
// CodeWriter: builds the text of one generated C++ file, line by line, with
// Google-style indentation, comments wrapped at 80 columns and declarations
// broken the way clang-format would break them. The generators say what to
// write; CodeWriter decides how it is laid out.
//
//   CodeWriter out;
//   out.Line("class Foo {");
//   out.Indent();
//   out.Comment("Does the thing.");
//   out.Declaration("void Bar", {"int a", "int b"}, ";");
//
// Thread safety: none; one writer per file being generated.

#ifndef FRAMERPC_RPC_CODEGEN_CODE_WRITER_H_
#define FRAMERPC_RPC_CODEGEN_CODE_WRITER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace framerpc::codegen {

class CodeWriter {
 public:
  // Column limit of the generated code.
  static constexpr int kColumnLimit = 80;

  // Writes `text` (which must not contain a newline) at the current
  // indentation. An empty `text` writes an empty line.
  void Line(absl::string_view text);

  // Writes one empty line, unless the previous line is empty or opens a
  // block: keeps blank lines single without every caller checking.
  void BlankLine();

  // Writes an access specifier ("public") one space less indented than the
  // current indentation, i.e. one space in from the class when called after
  // the Indent() that starts the class's members.
  void AccessLabel(absl::string_view label);

  // Indents or outdents the following lines by two spaces.
  void Indent();
  void Outdent();

  // Writes `text` as a `//` comment, word-wrapped to the column limit.
  // A "\n" in `text` starts a new comment line; "\n\n" a new paragraph. A
  // line that starts with two spaces (a code example) is not wrapped.
  void Comment(absl::string_view text);

  // Writes `lines` as `//` comment lines, unchanged but for a space after
  // the `//`: for comments copied from a .proto, whose author chose the
  // layout.
  void CommentLines(const std::vector<std::string>& lines);

  // Writes `head(param, param, ...)tail`, e.g. head "void Foo", tail ";".
  // On one line when it fits; otherwise, as clang-format would, with the
  // parameters together on the next line, or one per line aligned after the
  // "(", or one per line indented by four. A parameter longer than a line
  // is not broken.
  void Declaration(absl::string_view head,
                   const std::vector<std::string>& params,
                   absl::string_view tail);

  // The text written so far.
  const std::string& text() const { return text_; }

 private:
  int indent_ = 0;
  std::string text_;
};

}  // namespace framerpc::codegen

#endif  // FRAMERPC_RPC_CODEGEN_CODE_WRITER_H_
