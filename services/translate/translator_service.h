// Copyright 2026 The framerpc Authors.
//
// TranslatorService: framerpc.dict.v1.Translator over a DictionaryHolder.
//
//   auto holder = std::make_unique<DictionaryHolder>(Dictionary::BuiltIn(),
//   ""); TranslatorService translator(holder.get());
//   server.AddService(&translator);
//
// Every call works on one snapshot of the holder's dictionary, so a reload
// while calls are in flight never mixes two dictionaries in one answer.
//
// Thread safety: any number of calls may run at once.
// Lifetime: `holder` is borrowed and must outlive the service.

#ifndef FRAMERPC_SERVICES_TRANSLATE_TRANSLATOR_SERVICE_H_
#define FRAMERPC_SERVICES_TRANSLATE_TRANSLATOR_SERVICE_H_

#include "dict/v1/translate.framerpc.h"
#include "services/translate/dictionary_holder.h"

namespace framerpc::translate {

class TranslatorService final : public dict::v1::Translator::Service {
 public:
  // Most words one TranslateBatch may carry.
  static constexpr int kMaxBatchWords = 1000;

  explicit TranslatorService(const DictionaryHolder* holder)
      : holder_(holder) {}

  absl::Status Translate(ServerContext& context,
                         const dict::v1::TranslateRequest& request,
                         dict::v1::TranslateResponse* response) override;
  absl::Status TranslateBatch(
      ServerContext& context, const dict::v1::TranslateBatchRequest& request,
      dict::v1::TranslateBatchResponse* response) override;
  absl::Status Suggest(ServerContext& context,
                       const dict::v1::SuggestRequest& request,
                       dict::v1::SuggestResponse* response) override;
  absl::Status Info(ServerContext& context,
                    const dict::v1::InfoRequest& request,
                    dict::v1::InfoResponse* response) override;

 private:
  const DictionaryHolder* const holder_;
};

}  // namespace framerpc::translate

#endif  // FRAMERPC_SERVICES_TRANSLATE_TRANSLATOR_SERVICE_H_
