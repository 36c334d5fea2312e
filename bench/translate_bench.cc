// Copyright 2026 The framerpc Authors.
//
// Per-call cost of Translator.Translate: server side only (the handler,
// TranslatorService::Translate, called directly with a ServerContext: the
// holder snapshot, the lookup and filling the response), for a hit and a
// miss; and, for comparison, a whole blocking round trip over loopback
// (Server + Channel + generated stub), with handlers on the worker pool and
// inline on the I/O thread.
//
//   build/.../bench/translate_bench --benchmark_min_time=0.5
//
// Uses ecdict-mini.tsv from the shared data folder next to the checkout when
// it is there, else the built-in dictionary (the label says which).

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "dict/v1/translate.framerpc.h"
#include "rpc/call_options.h"
#include "rpc/channel.h"
#include "rpc/server.h"
#include "rpc/server_context.h"
#include "services/translate/dictionary.h"
#include "services/translate/dictionary_holder.h"
#include "services/translate/translator_service.h"

namespace framerpc::translate {
namespace {

namespace dict = ::framerpc::dict::v1;

std::string EcdictPath() {
  return std::string(FRAMERPC_SHARED_DATA_DIR) + "/ecdict-mini.tsv";
}

// The holder every benchmark serves: ecdict-mini when present, else the
// built-in dictionary. Built once.
const DictionaryHolder& BenchHolder() {
  static const DictionaryHolder* const holder = [] {
    if (::access(EcdictPath().c_str(), R_OK) == 0) {
      absl::StatusOr<std::unique_ptr<DictionaryHolder>> opened =
          DictionaryHolder::Open(EcdictPath());
      if (opened.ok()) return opened->release();
    }
    return new DictionaryHolder(Dictionary::BuiltIn(), "");
  }();
  return *holder;
}

// Requests for words the dictionary has, as a client would send them (the
// stored spelling), spread over the alphabet.
std::vector<dict::TranslateRequest> HitRequests() {
  std::shared_ptr<const Dictionary> dictionary = BenchHolder().Get();
  std::vector<dict::TranslateRequest> requests;
  for (char c = 'a'; c <= 'z'; ++c) {
    auto entries = dictionary->Suggest(std::string(1, c), 100);
    if (!entries.ok()) continue;
    for (const Dictionary::Entry& entry : *entries) {
      requests.emplace_back().set_word(std::string(entry.word));
    }
  }
  return requests;
}

std::vector<dict::TranslateRequest> MissRequests() {
  std::vector<dict::TranslateRequest> requests;
  for (const char* word :
       {"xyzzy", "qwertyuiop", "zzzzzz", "notaword", "Blorft"}) {
    requests.emplace_back().set_word(word);
  }
  return requests;
}

// The handler alone, as the server runs it: one ServerContext for the call,
// a fresh response per call.
void RunHandler(benchmark::State& state,
                const std::vector<dict::TranslateRequest>& requests,
                bool expect_ok) {
  TranslatorService service(&BenchHolder());
  ServerContext context("framerpc.dict.v1.Translator", "Translate",
                        "127.0.0.1:40000", absl::InfiniteFuture(), {});
  size_t i = 0;
  for (auto _ : state) {
    dict::TranslateResponse response;
    absl::Status status = service.Translate(context, requests[i], &response);
    if (status.ok() != expect_ok) {
      state.SkipWithError(
          absl::StrCat(requests[i].word(), ": ", status.ToString()).c_str());
      return;
    }
    benchmark::DoNotOptimize(response);
    benchmark::DoNotOptimize(status);
    if (++i == requests.size()) i = 0;
  }
  state.SetLabel(BenchHolder().Get()->source());
}

void BM_HandlerTranslateHit(benchmark::State& state) {
  RunHandler(state, HitRequests(), /*expect_ok=*/true);
}
BENCHMARK(BM_HandlerTranslateHit);

// A miss builds a NOT_FOUND status with a message, which allocates.
void BM_HandlerTranslateMiss(benchmark::State& state) {
  RunHandler(state, MissRequests(), /*expect_ok=*/false);
}
BENCHMARK(BM_HandlerTranslateMiss);

// A blocking stub call over 127.0.0.1, one at a time: the latency a single
// client sees. Arg 0: handlers on the worker pool (dict_server's setting);
// arg 1: inline on the I/O thread.
void BM_LoopbackTranslateHit(benchmark::State& state) {
  const bool inline_handlers = state.range(0) == 1;
  TranslatorService service(&BenchHolder());
  ServerOptions options;
  options.address = "127.0.0.1:0";
  options.handler_threads = inline_handlers
                                ? ServerOptions::HandlerThreads::kInline
                                : ServerOptions::HandlerThreads::kWorkerPool;
  Server server(options);
  absl::Status added = server.AddService(&service);
  absl::StatusOr<int> port =
      added.ok() ? server.Start() : absl::StatusOr<int>(added);
  if (!port.ok()) {
    state.SkipWithError(port.status().ToString().c_str());
    return;
  }
  absl::StatusOr<std::shared_ptr<Channel>> channel =
      Channel::Create(absl::StrCat("127.0.0.1:", *port));
  if (!channel.ok()) {
    state.SkipWithError(channel.status().ToString().c_str());
    return;
  }
  dict::Translator::Stub stub(*channel);
  const std::vector<dict::TranslateRequest> requests = HitRequests();
  const CallOptions call_options = CallOptions().set_timeout(absl::Seconds(10));
  // Connect before timing.
  if (absl::StatusOr<dict::TranslateResponse> warm =
          stub.Translate(requests[0], call_options);
      !warm.ok()) {
    state.SkipWithError(warm.status().ToString().c_str());
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    absl::StatusOr<dict::TranslateResponse> reply =
        stub.Translate(requests[i], call_options);
    if (!reply.ok()) {
      state.SkipWithError(reply.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(reply);
    if (++i == requests.size()) i = 0;
  }
  state.SetLabel(absl::StrCat(inline_handlers ? "inline" : "worker pool", ", ",
                              BenchHolder().Get()->source()));
  // The stub and channel go first (declared last), then the server stops.
}
BENCHMARK(BM_LoopbackTranslateHit)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace
}  // namespace framerpc::translate

BENCHMARK_MAIN();
