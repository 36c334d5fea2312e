// Copyright 2026 The framerpc Authors.

#include "services/translate/dictionary_holder.h"

#include <utility>

#include "absl/time/time.h"
#include "base/logging.h"
#include "base/status_macros.h"

namespace framerpc::translate {

absl::StatusOr<std::unique_ptr<DictionaryHolder>> DictionaryHolder::Open(
    std::string path) {
  FRAMERPC_ASSIGN_OR_RETURN(std::shared_ptr<const Dictionary> dictionary,
                            Dictionary::LoadFile(path));
  return std::make_unique<DictionaryHolder>(std::move(dictionary),
                                            std::move(path));
}

DictionaryHolder::DictionaryHolder(std::shared_ptr<const Dictionary> initial,
                                   std::string path)
    : path_(std::move(path)), current_(std::move(initial)) {
  FRAMERPC_CHECK(current_ != nullptr) << "DictionaryHolder needs a dictionary";
}

std::shared_ptr<const Dictionary> DictionaryHolder::Get() const {
  absl::ReaderMutexLock lock(&mu_);
  return current_;
}

absl::Status DictionaryHolder::Reload() {
  if (path_.empty()) {
    return absl::FailedPreconditionError(
        "no dictionary file to reload from (serving a dictionary given in "
        "memory)");
  }
  absl::MutexLock reload_lock(&reload_mu_);
  absl::StatusOr<std::shared_ptr<const Dictionary>> loaded =
      Dictionary::LoadFile(path_);
  if (!loaded.ok()) {
    FRAMERPC_LOG(ERROR) << "dictionary reload failed, still serving the "
                           "previous one: "
                        << loaded.status();
    return loaded.status();
  }
  std::shared_ptr<const Dictionary> fresh = *std::move(loaded);
  std::shared_ptr<const Dictionary> previous;
  {
    absl::MutexLock lock(&mu_);
    previous = std::exchange(current_, fresh);
  }
  FRAMERPC_LOG(INFO) << "dictionary reloaded from " << path_ << ": "
                     << fresh->size() << " entries (was " << previous->size()
                     << ") in " << absl::FormatDuration(fresh->load_duration());
  // The old dictionary is released here, outside the lock; it is freed once
  // no snapshot from Get() holds it any more.
  return absl::OkStatus();
}

}  // namespace framerpc::translate
