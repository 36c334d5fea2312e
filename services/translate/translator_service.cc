// Copyright 2026 The framerpc Authors.

#include "services/translate/translator_service.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"

namespace framerpc::translate {

absl::Status TranslatorService::Translate(
    ServerContext& /*context*/, const dict::v1::TranslateRequest& request,
    dict::v1::TranslateResponse* response) {
  std::shared_ptr<const Dictionary> dictionary = holder_->Get();
  absl::StatusOr<Dictionary::Entry> entry = dictionary->Lookup(request.word());
  if (!entry.ok()) return entry.status();
  response->set_word(std::string(entry->word));
  response->set_translation(std::string(entry->translation));
  return absl::OkStatus();
}

absl::Status TranslatorService::TranslateBatch(
    ServerContext& /*context*/, const dict::v1::TranslateBatchRequest& request,
    dict::v1::TranslateBatchResponse* response) {
  if (request.words_size() > kMaxBatchWords) {
    return absl::InvalidArgumentError(
        absl::StrCat("a batch holds at most ", kMaxBatchWords, " words, not ",
                     request.words_size()));
  }
  std::shared_ptr<const Dictionary> dictionary = holder_->Get();
  response->mutable_results()->Reserve(request.words_size());
  for (const std::string& word : request.words()) {
    dict::v1::TranslateResult* result = response->add_results();
    result->set_query(word);
    absl::StatusOr<Dictionary::Entry> entry = dictionary->Lookup(word);
    if (entry.ok()) {
      result->set_word(std::string(entry->word));
      result->set_translation(std::string(entry->translation));
    } else {
      result->set_status_code(static_cast<int>(entry.status().code()));
      result->set_status_message(std::string(entry.status().message()));
    }
  }
  return absl::OkStatus();
}

absl::Status TranslatorService::Suggest(ServerContext& /*context*/,
                                        const dict::v1::SuggestRequest& request,
                                        dict::v1::SuggestResponse* response) {
  if (request.limit() > static_cast<uint32_t>(Dictionary::kMaxSuggestLimit)) {
    return absl::InvalidArgumentError(absl::StrCat("limit must be at most ",
                                                   Dictionary::kMaxSuggestLimit,
                                                   ", not ", request.limit()));
  }
  const int limit = request.limit() == 0 ? Dictionary::kDefaultSuggestLimit
                                         : static_cast<int>(request.limit());
  std::shared_ptr<const Dictionary> dictionary = holder_->Get();
  absl::StatusOr<std::vector<Dictionary::Entry>> entries =
      dictionary->Suggest(request.prefix(), limit);
  if (!entries.ok()) return entries.status();
  for (const Dictionary::Entry& entry : *entries) {
    dict::v1::Entry* out = response->add_entries();
    out->set_word(std::string(entry.word));
    out->set_translation(std::string(entry.translation));
  }
  return absl::OkStatus();
}

absl::Status TranslatorService::Info(ServerContext& /*context*/,
                                     const dict::v1::InfoRequest& /*request*/,
                                     dict::v1::InfoResponse* response) {
  std::shared_ptr<const Dictionary> dictionary = holder_->Get();
  response->set_entry_count(dictionary->size());
  response->set_source(dictionary->source());
  response->set_load_time_unix_us(absl::ToUnixMicros(dictionary->load_time()));
  response->set_load_duration_us(
      absl::ToInt64Microseconds(dictionary->load_duration()));
  return absl::OkStatus();
}

}  // namespace framerpc::translate
