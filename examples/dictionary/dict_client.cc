// Copyright 2026 The framerpc Authors.
//
// dict_client: asks a dict_server for translations.
//
//   dict_client hello world love          # one call per word
//   dict_client --batch hello world       # one TranslateBatch call
//   dict_client < words.txt               # one word per line from stdin
//   dict_client --suggest hel --limit 5   # words starting with "hel"
//
// Prints one line per word, in order: the word, a TAB, then the
// translation, or NOT_FOUND, or INVALID_ARGUMENT. Exit status: 0 when every
// word was found, 1 when some were not, 2 on a usage or connection error
// (with the status message on stderr).

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "dict/v1/translate.framerpc.h"
#include "rpc/channel.h"

ABSL_FLAG(std::string, server, "127.0.0.1:7000", "server address, host:port");
ABSL_FLAG(bool, batch, false, "send all words in one TranslateBatch call");
ABSL_FLAG(std::string, suggest, "",
          "list the words that start with this prefix instead of translating");
ABSL_FLAG(int, limit, 10, "with --suggest: how many entries at most (1..100)");
ABSL_FLAG(bool, info, false, "print what the server serves");
ABSL_FLAG(absl::Duration, deadline, absl::Seconds(5),
          "time allowed for each call");
ABSL_FLAG(int, count, 1,
          "translate the words this many times (with latencies when > 1)");
ABSL_FLAG(absl::Duration, interval, absl::ZeroDuration(),
          "pause between rounds of --count");
ABSL_FLAG(absl::Duration, keepalive_interval, absl::Seconds(1),
          "send a PING after this long without hearing from the server");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(3),
          "declare the connection dead after this long without a frame");
ABSL_FLAG(int, max_connections, 4, "connections per server endpoint");

namespace {

namespace dict = framerpc::dict::v1;

constexpr int kAllFound = 0;
constexpr int kSomeNotFound = 1;
constexpr int kError = 2;

framerpc::CallOptions Options() {
  framerpc::CallOptions options;
  options.timeout = absl::GetFlag(FLAGS_deadline);
  return options;
}

// Prints the outcome of one word; returns false when the call itself failed
// (anything but found, NOT_FOUND or INVALID_ARGUMENT).
// `latency` is printed after the result when it is not zero.
bool PrintResult(const std::string& word, const absl::Status& status,
                 const std::string& translation, bool* all_found,
                 absl::Duration latency = absl::ZeroDuration()) {
  const std::string suffix =
      latency == absl::ZeroDuration()
          ? ""
          : absl::StrFormat("\t(%.3f ms)", absl::ToDoubleMilliseconds(latency));
  if (status.ok()) {
    std::printf("%s\t%s%s\n", word.c_str(), translation.c_str(),
                suffix.c_str());
  } else if (absl::IsNotFound(status) || absl::IsInvalidArgument(status)) {
    *all_found = false;
    std::printf("%s\t%s%s\n", word.c_str(),
                absl::StatusCodeToString(status.code()).c_str(),
                suffix.c_str());
  } else if (absl::GetFlag(FLAGS_count) > 1) {
    // Watching a failover: report the failure and keep going.
    std::printf("%s\t%s%s\n", word.c_str(), status.ToString().c_str(),
                suffix.c_str());
  } else {
    std::fprintf(stderr, "dict_client: %s\n", status.ToString().c_str());
    return false;
  }
  std::fflush(stdout);
  return true;
}

int TranslateEach(dict::Translator::Stub& stub,
                  const std::vector<std::string>& words) {
  bool all_found = true;
  const int count = absl::GetFlag(FLAGS_count);
  for (int round = 0; round < count; ++round) {
    if (round > 0) absl::SleepFor(absl::GetFlag(FLAGS_interval));
    for (const std::string& word : words) {
      dict::TranslateRequest request;
      request.set_word(word);
      const absl::Time start = absl::Now();
      absl::StatusOr<dict::TranslateResponse> reply =
          stub.Translate(request, Options());
      const absl::Duration latency =
          count > 1 ? absl::Now() - start : absl::ZeroDuration();
      if (!PrintResult(word, reply.status(),
                       reply.ok() ? reply->translation() : "", &all_found,
                       latency)) {
        return kError;
      }
    }
  }
  return all_found ? kAllFound : kSomeNotFound;
}

int TranslateBatch(dict::Translator::Stub& stub,
                   const std::vector<std::string>& words) {
  dict::TranslateBatchRequest request;
  for (const std::string& word : words) request.add_words(word);
  absl::StatusOr<dict::TranslateBatchResponse> reply =
      stub.TranslateBatch(request, Options());
  if (!reply.ok()) {
    std::fprintf(stderr, "dict_client: %s\n",
                 reply.status().ToString().c_str());
    return kError;
  }
  bool all_found = true;
  for (const dict::TranslateResult& result : reply->results()) {
    const absl::Status status(
        static_cast<absl::StatusCode>(result.status_code()),
        result.status_message());
    PrintResult(result.query(), status, result.translation(), &all_found);
  }
  return all_found ? kAllFound : kSomeNotFound;
}

// Answers each line of stdin as it comes; a prompt only on a terminal.
int TranslateStdin(dict::Translator::Stub& stub) {
  const bool interactive = isatty(STDIN_FILENO) == 1;
  bool all_found = true;
  std::string line;
  while (true) {
    if (interactive) {
      std::printf("> ");
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    line = std::string(absl::StripAsciiWhitespace(line));
    dict::TranslateRequest request;
    request.set_word(line);
    absl::StatusOr<dict::TranslateResponse> reply =
        stub.Translate(request, Options());
    if (!PrintResult(line, reply.status(),
                     reply.ok() ? reply->translation() : "", &all_found)) {
      return kError;
    }
  }
  if (interactive) std::printf("\n");
  return all_found ? kAllFound : kSomeNotFound;
}

int Suggest(dict::Translator::Stub& stub, const std::string& prefix) {
  dict::SuggestRequest request;
  request.set_prefix(prefix);
  const int limit = absl::GetFlag(FLAGS_limit);
  if (limit < 1 || limit > 100) {
    std::fprintf(stderr, "dict_client: --limit must be in 1..100, not %d\n",
                 limit);
    return kError;
  }
  request.set_limit(static_cast<uint32_t>(limit));
  absl::StatusOr<dict::SuggestResponse> reply =
      stub.Suggest(request, Options());
  if (!reply.ok()) {
    std::fprintf(stderr, "dict_client: %s\n",
                 reply.status().ToString().c_str());
    return kError;
  }
  for (const dict::Entry& entry : reply->entries()) {
    std::printf("%s\t%s\n", entry.word().c_str(), entry.translation().c_str());
  }
  return reply->entries_size() > 0 ? kAllFound : kSomeNotFound;
}

int Info(dict::Translator::Stub& stub) {
  absl::StatusOr<dict::InfoResponse> reply = stub.Info({}, Options());
  if (!reply.ok()) {
    std::fprintf(stderr, "dict_client: %s\n",
                 reply.status().ToString().c_str());
    return kError;
  }
  std::printf("%llu entries from %s, loaded in %.1f ms\n",
              static_cast<unsigned long long>(reply->entry_count()),
              reply->source().c_str(), reply->load_duration_us() / 1000.0);
  return kAllFound;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Translates English words to Chinese with a dict_server.\n"
      "Usage: dict_client [--server 127.0.0.1:7000] [--batch] WORD...\n"
      "       dict_client < words.txt\n"
      "       dict_client --suggest PREFIX [--limit N]\n"
      "Exit status: 0 all found, 1 some not found, 2 usage or connection "
      "error.");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> words(args.begin() + 1, args.end());

  // 1. A channel to the server, and the generated stub over it.
  framerpc::ChannelOptions channel_options;
  channel_options.keepalive_interval = absl::GetFlag(FLAGS_keepalive_interval);
  channel_options.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  channel_options.max_connections = absl::GetFlag(FLAGS_max_connections);
  absl::StatusOr<std::shared_ptr<framerpc::Channel>> channel =
      framerpc::Channel::Create(absl::GetFlag(FLAGS_server), channel_options);
  if (!channel.ok()) {
    std::fprintf(stderr, "dict_client: %s\n",
                 channel.status().ToString().c_str());
    return kError;
  }
  dict::Translator::Stub stub(*channel);

  // 2. One of the modes.
  if (absl::GetFlag(FLAGS_info)) return Info(stub);
  if (!absl::GetFlag(FLAGS_suggest).empty()) {
    return Suggest(stub, absl::GetFlag(FLAGS_suggest));
  }
  if (words.empty()) {
    if (absl::GetFlag(FLAGS_batch)) {
      std::fprintf(stderr, "dict_client: --batch needs words\n");
      return kError;
    }
    return TranslateStdin(stub);
  }
  return absl::GetFlag(FLAGS_batch) ? TranslateBatch(stub, words)
                                    : TranslateEach(stub, words);
}
