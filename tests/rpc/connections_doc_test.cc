// Copyright 2026 The framerpc Authors.
//
// docs/connections.md states the defaults of ChannelOptions and
// ServerOptions in a table; this test reads the table and compares each row
// with the code, so the doc cannot drift.

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "rpc/channel.h"
#include "rpc/server.h"

namespace framerpc {
namespace {

std::string Format(absl::Duration d) { return absl::FormatDuration(d); }
std::string Format(int v) { return absl::StrCat(v); }
std::string Format(double v) { return absl::StrCat(v); }

// Every "| `Name.field` | `value` | ..." row of the doc.
std::map<std::string, std::string> DocumentedDefaults() {
  std::ifstream file(FRAMERPC_SOURCE_DIR "/docs/connections.md");
  std::map<std::string, std::string> rows;
  std::string line;
  while (std::getline(file, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() < 4) continue;
    absl::string_view name = absl::StripAsciiWhitespace(cells[1]);
    absl::string_view value = absl::StripAsciiWhitespace(cells[2]);
    if (!absl::ConsumePrefix(&name, "`") || !absl::ConsumeSuffix(&name, "`") ||
        !absl::ConsumePrefix(&value, "`") ||
        !absl::ConsumeSuffix(&value, "`")) {
      continue;
    }
    rows[std::string(name)] = std::string(value);
  }
  return rows;
}

TEST(ConnectionsDocTest, DefaultsTableMatchesTheCode) {
  const ChannelOptions channel;
  const ServerOptions server;
  const std::map<std::string, std::string> expected = {
      {"ChannelOptions.keepalive_interval", Format(channel.keepalive_interval)},
      {"ChannelOptions.keepalive_timeout", Format(channel.keepalive_timeout)},
      {"ChannelOptions.max_connections", Format(channel.max_connections)},
      {"ChannelOptions.max_calls_per_connection",
       Format(channel.max_calls_per_connection)},
      {"ChannelOptions.idle_timeout", Format(channel.idle_timeout)},
      {"ChannelOptions.initial_backoff", Format(channel.initial_backoff)},
      {"ChannelOptions.backoff_multiplier", Format(channel.backoff_multiplier)},
      {"ChannelOptions.max_backoff", Format(channel.max_backoff)},
      {"ChannelOptions.backoff_jitter", Format(channel.backoff_jitter)},
      {"ChannelOptions.connect_timeout", Format(channel.connect_timeout)},
      {"ChannelOptions.default_timeout", Format(channel.default_timeout)},
      {"ServerOptions.keepalive_interval", Format(server.keepalive_interval)},
      {"ServerOptions.keepalive_timeout", Format(server.keepalive_timeout)},
      {"ServerOptions.max_connections", Format(server.max_connections)},
      {"ServerOptions.idle_timeout", Format(server.idle_timeout)},
  };
  EXPECT_EQ(DocumentedDefaults(), expected);
}

}  // namespace
}  // namespace framerpc
