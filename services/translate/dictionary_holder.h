// Copyright 2026 The framerpc Authors.
//
// DictionaryHolder: the dictionary a server is serving right now, which can
// be reloaded from its file while requests are in flight.
//
//   FRAMERPC_ASSIGN_OR_RETURN(std::unique_ptr<DictionaryHolder> holder,
//                             DictionaryHolder::Open("/srv/dict.tsv"));
//   std::shared_ptr<const Dictionary> dict = holder->Get();  // per request
//   ... later, e.g. on SIGHUP (wired by the caller, not here):
//   absl::Status status = holder->Reload();  // old one keeps serving on error
//
// Thread safety: every method may be called from any thread at once. Get()
// takes a short reader lock; Reload() reads and parses the file without
// holding it, so lookups never wait for a load. Concurrent Reload() calls
// are serialized.
//
// Ownership: the holder shares ownership of the current dictionary with
// every snapshot handed out by Get(). A snapshot keeps its dictionary alive
// after a Reload() has replaced it; the old one is freed when the last
// snapshot goes away.
//
// Lifetime: the holder must outlive calls on it, not the snapshots.

#ifndef FRAMERPC_SERVICES_TRANSLATE_DICTIONARY_HOLDER_H_
#define FRAMERPC_SERVICES_TRANSLATE_DICTIONARY_HOLDER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/translate/dictionary.h"

namespace framerpc::translate {

class DictionaryHolder {
 public:
  // Loads `path` and holds the result; Reload() reads `path` again.
  // Returns the error of Dictionary::LoadFile() when the first load fails.
  static absl::StatusOr<std::unique_ptr<DictionaryHolder>> Open(
      std::string path);

  // Holds `initial`. Reload() reads `path`; with an empty `path` (e.g. when
  // serving Dictionary::BuiltIn()) there is nothing to reload.
  // REQUIRES: initial != nullptr.
  DictionaryHolder(std::shared_ptr<const Dictionary> initial, std::string path);

  DictionaryHolder(const DictionaryHolder&) = delete;
  DictionaryHolder& operator=(const DictionaryHolder&) = delete;

  // The current dictionary. Never null. The snapshot stays valid (and
  // unchanged) however many reloads happen while the caller holds it.
  std::shared_ptr<const Dictionary> Get() const ABSL_LOCKS_EXCLUDED(mu_);

  // Loads path() again and, on success, swaps the new dictionary in: later
  // Get() calls return it, and a warning is logged if it has duplicates. On
  // failure the current dictionary keeps serving, the reason is logged, and
  // the error of Dictionary::LoadFile() is returned. Returns
  // FAILED_PRECONDITION when path() is empty.
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(reload_mu_, mu_);

  // The file Reload() reads; empty when there is none.
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  // Held for the whole of a Reload(), so reloads finish in call order.
  absl::Mutex reload_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::shared_ptr<const Dictionary> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace framerpc::translate

#endif  // FRAMERPC_SERVICES_TRANSLATE_DICTIONARY_HOLDER_H_
