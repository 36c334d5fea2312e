// Copyright 2026 The framerpc Authors.

#include "rpc/codegen/cpp_names.h"

#include <google/protobuf/compiler/code_generator.h>
#include <google/protobuf/compiler/cpp/names.h>
#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace framerpc::codegen {
namespace {

// C++20 keywords and alternative tokens: names that cannot be identifiers.
bool IsCppKeyword(absl::string_view name) {
  static const auto* const kKeywords =
      new absl::flat_hash_set<absl::string_view>{
          "alignas",       "alignof",     "and",
          "and_eq",        "asm",         "auto",
          "bitand",        "bitor",       "bool",
          "break",         "case",        "catch",
          "char",          "char8_t",     "char16_t",
          "char32_t",      "class",       "co_await",
          "co_return",     "co_yield",    "compl",
          "concept",       "const",       "consteval",
          "constexpr",     "constinit",   "const_cast",
          "continue",      "decltype",    "default",
          "delete",        "do",          "double",
          "dynamic_cast",  "else",        "enum",
          "explicit",      "export",      "extern",
          "false",         "float",       "for",
          "friend",        "goto",        "if",
          "inline",        "int",         "long",
          "mutable",       "namespace",   "new",
          "noexcept",      "not",         "not_eq",
          "nullptr",       "operator",    "or",
          "or_eq",         "private",     "protected",
          "public",        "register",    "reinterpret_cast",
          "requires",      "return",      "short",
          "signed",        "sizeof",      "static",
          "static_assert", "static_cast", "struct",
          "switch",        "template",    "this",
          "thread_local",  "throw",       "true",
          "try",           "typedef",     "typeid",
          "typename",      "union",       "unsigned",
          "using",         "virtual",     "void",
          "volatile",      "wchar_t",     "while",
          "xor",           "xor_eq",
      };
  return kKeywords->contains(name);
}

}  // namespace

std::string CppIdentifier(absl::string_view name) {
  return IsCppKeyword(name) ? absl::StrCat(name, "_") : std::string(name);
}

std::string CppNamespace(const google::protobuf::FileDescriptor& file) {
  if (file.package().empty()) return "";
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(file.package(), '.')) {
    parts.push_back(CppIdentifier(part));
  }
  return absl::StrJoin(parts, "::");
}

std::string QualifiedMessageClass(const google::protobuf::Descriptor& message) {
  return google::protobuf::compiler::cpp::QualifiedClassName(&message);
}

std::string FileStem(const google::protobuf::FileDescriptor& file) {
  return google::protobuf::compiler::StripProto(file.name());
}

std::string IncludeGuard(const google::protobuf::FileDescriptor& file) {
  std::string guard =
      absl::StrCat("FRAMERPC_GENERATED_", FileStem(file), "_FRAMERPC_H_");
  for (char& c : guard) {
    c = absl::ascii_isalnum(static_cast<unsigned char>(c))
            ? absl::ascii_toupper(static_cast<unsigned char>(c))
            : '_';
  }
  return guard;
}

}  // namespace framerpc::codegen
