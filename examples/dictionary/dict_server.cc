// Copyright 2026 The framerpc Authors.
//
// dict_server: serves framerpc.dict.v1.Translator, English → Chinese.
//
//   dict_server [--address 127.0.0.1:7000] [--dict PATH] [--threads N]
//
// Without --dict it serves the small built-in dictionary. SIGHUP reloads
// --dict (a file that fails to load leaves the old dictionary serving);
// SIGINT and SIGTERM shut down gracefully.

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/common/signals.h"
#include "rpc/server.h"
#include "services/translate/dictionary.h"
#include "services/translate/dictionary_holder.h"
#include "services/translate/translator_service.h"

ABSL_FLAG(std::string, address, "127.0.0.1:7000",
          "where to listen, host:port (port 0 picks a free one)");
ABSL_FLAG(std::string, dict, "",
          "dictionary file, word<TAB>translation per line (default: the "
          "built-in dictionary)");
ABSL_FLAG(int, threads, 0, "I/O threads (0 = one per core)");

namespace {

using framerpc::translate::Dictionary;
using framerpc::translate::DictionaryHolder;

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "dict_server: %s\n", status.ToString().c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves English→Chinese translations.\nUsage: dict_server [--address "
      "127.0.0.1:7000] [--dict PATH] [--threads N]");
  absl::ParseCommandLine(argc, argv);

  // 1. Block the signals we handle before any thread starts.
  framerpc::examples::ShutdownSignals signals({SIGHUP});

  // 2. The dictionary: a file, or the built-in one.
  std::unique_ptr<DictionaryHolder> holder;
  const std::string path = absl::GetFlag(FLAGS_dict);
  if (path.empty()) {
    holder = std::make_unique<DictionaryHolder>(Dictionary::BuiltIn(), "");
  } else {
    absl::StatusOr<std::unique_ptr<DictionaryHolder>> opened =
        DictionaryHolder::Open(path);
    if (!opened.ok()) return Fail(opened.status());
    holder = std::move(*opened);
  }

  // 3. The service and the server.
  framerpc::translate::TranslatorService translator(holder.get());
  framerpc::ServerOptions options;
  options.address = absl::GetFlag(FLAGS_address);
  options.io_threads = absl::GetFlag(FLAGS_threads);
  framerpc::Server server(options);
  if (absl::Status status = server.AddService(&translator); !status.ok()) {
    return Fail(status);
  }
  absl::StatusOr<int> port = server.Start();
  if (!port.ok()) return Fail(port.status());

  const std::string listen_address =
      options.address.substr(0, options.address.rfind(':'));
  const size_t entries = holder->Get()->size();
  std::printf("serving %zu %s from %s on %s:%d\n", entries,
              entries == 1 ? "entry" : "entries",
              holder->Get()->source().c_str(), listen_address.c_str(), *port);
  std::fflush(stdout);

  // 4. Serve: SIGHUP reloads, SIGINT/SIGTERM stop.
  while (true) {
    const int signal = signals.Wait();
    if (signal != SIGHUP) break;
    if (holder->path().empty()) {
      std::fprintf(stderr, "dict_server: SIGHUP ignored: no --dict file\n");
      continue;
    }
    absl::Status reloaded = holder->Reload();
    if (reloaded.ok()) {
      const size_t count = holder->Get()->size();
      std::printf("reloaded %zu %s from %s\n", count,
                  count == 1 ? "entry" : "entries", holder->path().c_str());
    } else {
      std::fprintf(stderr,
                   "dict_server: reload failed, still serving the "
                   "old dictionary: %s\n",
                   reloaded.ToString().c_str());
    }
    std::fflush(stdout);
  }
  std::printf("dict_server: shutting down\n");
  std::fflush(stdout);
  server.Shutdown(absl::Seconds(5));
  server.Wait();
  return 0;
}
