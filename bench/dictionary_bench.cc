// Copyright 2026 The framerpc Authors.
//
// Dictionary costs: loading ecdict-mini.tsv (30,000 entries), a Lookup that
// hits (mixed case, padded), one that misses, and Suggest.
//
//   build/.../bench/dictionary_bench --benchmark_min_time=0.5

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "services/translate/dictionary.h"

namespace framerpc::translate {
namespace {

std::string EcdictPath() {
  return std::string(FRAMERPC_SHARED_DATA_DIR) + "/ecdict-mini.tsv";
}

bool HaveEcdict() { return ::access(EcdictPath().c_str(), R_OK) == 0; }

// ecdict-mini when present, else the built-in dictionary.
std::shared_ptr<const Dictionary> BenchDictionary() {
  static const auto* const dictionary = [] {
    if (HaveEcdict()) {
      auto loaded = Dictionary::LoadFile(EcdictPath());
      if (loaded.ok()) return new std::shared_ptr<const Dictionary>(*loaded);
    }
    return new std::shared_ptr<const Dictionary>(Dictionary::BuiltIn());
  }();
  return *dictionary;
}

// Queries for the words of `dictionary`, spelled differently from the file
// (upper case, padded), so that the lookup does its normalization work.
std::vector<std::string> HitQueries(const Dictionary& dictionary) {
  std::vector<std::string> queries;
  for (char c = 'a'; c <= 'z'; ++c) {
    auto entries = dictionary.Suggest(std::string(1, c), 100);
    if (!entries.ok()) continue;
    for (const Dictionary::Entry& entry : *entries) {
      queries.push_back(
          absl::StrCat(" ", absl::AsciiStrToUpper(entry.word), " "));
    }
  }
  return queries;
}

void BM_LoadFile(benchmark::State& state) {
  if (!HaveEcdict()) {
    state.SkipWithError(("missing " + EcdictPath()).c_str());
    return;
  }
  size_t entries = 0;
  for (auto _ : state) {
    auto dictionary = Dictionary::LoadFile(EcdictPath());
    if (!dictionary.ok()) {
      state.SkipWithError(dictionary.status().ToString().c_str());
      return;
    }
    entries = (*dictionary)->size();
    benchmark::DoNotOptimize(*dictionary);
  }
  state.counters["entries"] = static_cast<double>(entries);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(entries));
}
BENCHMARK(BM_LoadFile)->Unit(benchmark::kMillisecond);

void BM_LookupHit(benchmark::State& state) {
  std::shared_ptr<const Dictionary> dictionary = BenchDictionary();
  const std::vector<std::string> queries = HitQueries(*dictionary);
  size_t i = 0;
  for (auto _ : state) {
    auto entry = dictionary->Lookup(queries[i]);
    benchmark::DoNotOptimize(entry);
    if (++i == queries.size()) i = 0;
  }
  state.SetLabel(dictionary->source());
}
BENCHMARK(BM_LookupHit);

void BM_LookupMiss(benchmark::State& state) {
  std::shared_ptr<const Dictionary> dictionary = BenchDictionary();
  // Misses build a NOT_FOUND status with a message, which allocates.
  const std::vector<std::string> queries = {"xyzzy", "qwertyuiop", "zzzzzz",
                                            "notaword", "Blorft"};
  size_t i = 0;
  for (auto _ : state) {
    auto entry = dictionary->Lookup(queries[i]);
    benchmark::DoNotOptimize(entry);
    if (++i == queries.size()) i = 0;
  }
  state.SetLabel(dictionary->source());
}
BENCHMARK(BM_LookupMiss);

void BM_Suggest(benchmark::State& state) {
  std::shared_ptr<const Dictionary> dictionary = BenchDictionary();
  const int limit = static_cast<int>(state.range(0));
  const std::vector<std::string> prefixes = {"a",   "Th", "comp",  "un",
                                             "pre", "st", "INTER", "re"};
  size_t i = 0;
  for (auto _ : state) {
    auto entries = dictionary->Suggest(prefixes[i], limit);
    benchmark::DoNotOptimize(entries);
    if (++i == prefixes.size()) i = 0;
  }
  state.SetLabel(dictionary->source());
}
BENCHMARK(BM_Suggest)->Arg(10)->Arg(100);

}  // namespace
}  // namespace framerpc::translate

BENCHMARK_MAIN();
