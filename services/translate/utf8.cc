// Copyright 2026 The framerpc Authors.

#include "services/translate/utf8.h"

#include <cstdint>
#include <cstring>

namespace framerpc::translate {
namespace {

inline bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// Returns the length of the well-formed sequence at `p` (which has `left` > 0
// bytes), or 0 when it is ill-formed. The ranges are Table 3-7 of the Unicode
// Standard ("Well-Formed UTF-8 Byte Sequences"): the restricted second byte
// after E0, ED, F0 and F4 is what rules out overlongs, surrogates and code
// points above U+10FFFF.
size_t SequenceLength(const uint8_t* p, size_t left) {
  const uint8_t lead = p[0];
  if (lead < 0x80) return 1;
  size_t length;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead < 0xC2) {
    return 0;  // A stray continuation byte, or the overlong C0 / C1.
  } else if (lead < 0xE0) {
    length = 2;
  } else if (lead < 0xF0) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // Overlong below U+0800.
    if (lead == 0xED) second_max = 0x9F;  // Surrogates U+D800..U+DFFF.
  } else if (lead < 0xF5) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // Overlong below U+10000.
    if (lead == 0xF4) second_max = 0x8F;  // Above U+10FFFF.
  } else {
    return 0;  // F5..FF would encode above U+10FFFF.
  }
  if (left < length) return 0;
  if (p[1] < second_min || p[1] > second_max) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (!IsContinuation(p[i])) return 0;
  }
  return length;
}

}  // namespace

size_t FindInvalidUtf8(absl::string_view text) {
  const auto* data = reinterpret_cast<const uint8_t*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    // Most dictionary text is ASCII: skip it eight bytes at a time.
    while (i + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, data + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= size) break;
    const size_t length = SequenceLength(data + i, size - i);
    if (length == 0) return i;
    i += length;
  }
  return absl::string_view::npos;
}

}  // namespace framerpc::translate
