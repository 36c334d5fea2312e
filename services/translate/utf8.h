// Copyright 2026 The framerpc Authors.
//
// A strict UTF-8 validator (RFC 3629), used by the dictionary to check both
// the files it loads and the words it is asked about.
//
//   size_t bad = FindInvalidUtf8(text);
//   if (bad != absl::string_view::npos) { /* text[bad] starts a bad sequence */
//   }
//
// "Strict" means: overlong encodings (C0 80, E0 80 80, ...), UTF-16
// surrogates (U+D800..U+DFFF, encoded ED A0 80..ED BF BF), code points above
// U+10FFFF (F4 90 80 80 and up, F5..FF lead bytes), stray continuation bytes
// and sequences cut short are all rejected. NUL and other control characters
// are valid UTF-8; rejecting them is the caller's policy.
//
// Thread safety: pure functions; safe from any thread.

#ifndef FRAMERPC_SERVICES_TRANSLATE_UTF8_H_
#define FRAMERPC_SERVICES_TRANSLATE_UTF8_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace framerpc::translate {

// Returns the byte offset of the first byte of the first ill-formed sequence
// in `text`, or absl::string_view::npos when all of `text` is well-formed
// UTF-8. A sequence cut short by the end of `text` is reported at its lead
// byte.
size_t FindInvalidUtf8(absl::string_view text);

// Returns true when all of `text` is well-formed UTF-8.
inline bool IsValidUtf8(absl::string_view text) {
  return FindInvalidUtf8(text) == absl::string_view::npos;
}

}  // namespace framerpc::translate

#endif  // FRAMERPC_SERVICES_TRANSLATE_UTF8_H_
