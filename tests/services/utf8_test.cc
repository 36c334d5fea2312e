// Copyright 2026 The framerpc Authors.

#include "services/translate/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace framerpc::translate {
namespace {

constexpr size_t kValid = absl::string_view::npos;

struct Case {
  const char* name;
  std::string text;
  size_t expected;  // Offset of the first bad byte, or kValid.
};

TEST(Utf8Test, AcceptsWellFormedTextAndRejectsEveryIllFormedKind) {
  const Case cases[] = {
      {"empty", "", kValid},
      {"ascii", "hello, world", kValid},
      {"nul and controls are valid UTF-8", std::string("a\0\x01\x7F", 4),
       kValid},
      {"two-byte U+00E9", "caf\xC3\xA9", kValid},
      {"three-byte CJK", "\xE4\xBD\xA0\xE5\xA5\xBD", kValid},
      {"smallest three-byte U+0800", "\xE0\xA0\x80", kValid},
      {"last before surrogates U+D7FF", "\xED\x9F\xBF", kValid},
      {"first after surrogates U+E000", "\xEE\x80\x80", kValid},
      {"smallest four-byte U+10000", "\xF0\x90\x80\x80", kValid},
      {"emoji U+1F600", "\xF0\x9F\x98\x80", kValid},
      {"largest U+10FFFF", "\xF4\x8F\xBF\xBF", kValid},
      {"long ascii then CJK", std::string(40, 'x') + "\xE4\xB8\x96", kValid},
      {"stray continuation", "ab\x80", 2},
      {"overlong two-byte C0", "\xC0\xAF", 0},
      {"overlong two-byte C1", "x\xC1\xBF", 1},
      {"overlong three-byte", "\xE0\x80\xAF", 0},
      {"overlong three-byte top", "\xE0\x9F\xBF", 0},
      {"overlong four-byte", "\xF0\x80\x80\xAF", 0},
      {"overlong four-byte top", "\xF0\x8F\xBF\xBF", 0},
      {"surrogate U+D800", "ok\xED\xA0\x80", 2},
      {"surrogate U+DFFF", "\xED\xBF\xBF", 0},
      {"above U+10FFFF", "\xF4\x90\x80\x80", 0},
      {"lead byte F5", "\xF5\x80\x80\x80", 0},
      {"lead byte FF", "\xFF", 0},
      {"truncated two-byte at end", "abc\xC3", 3},
      {"truncated three-byte at end", "\xE4\xBD", 0},
      {"truncated four-byte at end", "\xF0\x9F\x98", 0},
      {"bad continuation", "\xE4\x41\xA0", 0},
      {"bad third byte", "\xE4\xBD\x41", 0},
      {"bad byte after long ascii run", std::string(17, 'a') + "\xFE", 17},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FindInvalidUtf8(c.text), c.expected) << c.name;
    EXPECT_EQ(IsValidUtf8(c.text), c.expected == kValid) << c.name;
  }
}

TEST(Utf8Test, AcceptsEveryScalarValueAndNoSurrogate) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    std::string s;
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(IsValidUtf8(s), !surrogate) << std::hex << "U+" << cp;
  }
}

}  // namespace
}  // namespace framerpc::translate
