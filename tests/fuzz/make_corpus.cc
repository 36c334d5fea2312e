// Copyright 2026 The framerpc Authors.
//
// Writes (or checks) the seed corpus of the fuzzers in tests/fuzz/corpus:
// valid frames of every type, valid Echo and Translator calls, and a few
// malformed inputs for each fuzzer. The corpus files are checked in; this
// program is how they were made and how they are kept in step with the
// protocol:
//
//   fuzz_make_corpus tests/fuzz/corpus          # (re)write the seeds
//   fuzz_make_corpus --check tests/fuzz/corpus  # exit 1 if one differs
//
// The input layouts are documented at the top of each fuzzer's source.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "dict/v1/translate.pb.h"
#include "echo.pb.h"
#include "framerpc/wire.pb.h"
#include "transport/frame.h"
#include "transport/frame_codec.h"

namespace framerpc::fuzzing {
namespace {

using transport::FrameCodec;
using transport::FrameType;

// One seed: a path under the corpus dir, and its bytes.
using Seed = std::pair<std::string, std::string>;

std::string Frame(FrameType type, absl::string_view meta,
                  absl::string_view payload) {
  std::string out;
  FrameCodec::Encode(type, meta, payload, &out);
  return out;
}

// A fixed header with arbitrary fields (for invalid frames).
std::string RawHeader(uint32_t magic, uint8_t version, uint8_t type,
                      uint32_t meta_length, uint32_t payload_length) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out += char(magic >> shift);
  out += char(version);
  out += char(type);
  out += std::string(2, '\0');
  for (int shift = 24; shift >= 0; shift -= 8)
    out += char(meta_length >> shift);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += char(payload_length >> shift);
  }
  return out;
}

std::string Request(uint64_t id, const std::string& service,
                    const std::string& method,
                    const google::protobuf::MessageLite& request,
                    uint64_t timeout_us = 0) {
  wire::RequestHeader header;
  header.set_call_id(id);
  header.set_service(service);
  header.set_method(method);
  header.set_timeout_us(timeout_us);
  return Frame(FrameType::kRequest, header.SerializeAsString(),
               request.SerializeAsString());
}

std::string Settings() {
  wire::Settings settings;
  settings.set_keepalive_interval_us(1000000);
  settings.set_keepalive_timeout_us(3000000);
  settings.set_max_frame_size(16 << 20);
  settings.set_max_concurrent_calls(100);
  return Frame(FrameType::kSettings, settings.SerializeAsString(), "");
}

std::string Cancel(uint64_t id) {
  wire::Cancel cancel;
  cancel.set_call_id(id);
  return Frame(FrameType::kCancel, cancel.SerializeAsString(), "");
}

std::string GoAway() {
  wire::GoAway goaway;
  goaway.set_code(wire::GoAway::NO_ERROR);
  goaway.set_last_call_id(7);
  goaway.set_reason("client going away");
  return Frame(FrameType::kGoAway, goaway.SerializeAsString(), "");
}

std::string Response(uint64_t id) {
  wire::ResponseHeader header;
  header.set_call_id(id);
  header.set_status_code(5);
  header.set_status_message("no entry for 'xyzzy'");
  return Frame(FrameType::kResponse, header.SerializeAsString(), "");
}

std::string Ping() { return Frame(FrameType::kPing, "", "01234567"); }
std::string Pong() { return Frame(FrameType::kPong, "", "01234567"); }

// The preamble of tests/fuzz/fuzz_support.h.
std::string Preamble(uint8_t options, uint8_t a, uint8_t b, uint8_t c,
                     uint8_t d) {
  return std::string{char(options), char(a), char(b), char(c), char(d)};
}
const std::string kWhole = Preamble(0, 0, 0, 0, 0);
const std::string kBytewise = Preamble(0, 1, 1, 1, 1);
const std::string kMixed = Preamble(0, 3, 16, 1, 7);

const char kEcho[] = "framerpc.echo.v1.Echo";
const char kTranslator[] = "framerpc.dict.v1.Translator";

std::string EchoCall(uint64_t id, const std::string& message) {
  echo::v1::EchoRequest request;
  request.set_message(message);
  return Request(id, kEcho, "Echo", request, 250000);
}

std::vector<Seed> FrameDecoderSeeds() {
  const std::string all_types = Settings() + EchoCall(1, "hi") + Response(1) +
                                Cancel(1) + Ping() + Pong() + GoAway();
  const std::string d = "frame_decoder_fuzzer/";
  return {
      {d + "request", kWhole + EchoCall(1, "hi")},
      {d + "response", kWhole + Response(1)},
      {d + "cancel", kWhole + Cancel(1)},
      {d + "ping", kWhole + Ping()},
      {d + "pong", kWhole + Pong()},
      {d + "goaway", kWhole + GoAway()},
      {d + "goaway_empty", kWhole + Frame(FrameType::kGoAway, "", "")},
      {d + "settings", kWhole + Settings()},
      {d + "settings_empty", kWhole + Frame(FrameType::kSettings, "", "")},
      {d + "all_types_whole", kWhole + all_types},
      {d + "all_types_bytewise", kBytewise + all_types},
      {d + "all_types_mixed", kMixed + all_types},
      {d + "all_types_paused", Preamble(4, 5, 0, 2, 9) + all_types},
      {d + "limit_64", Preamble(1, 0, 0, 0, 0) + EchoCall(1, "hi") +
                           EchoCall(2, std::string(100, 'x'))},
      {d + "truncated", kMixed + EchoCall(1, "hello").substr(0, 30)},
      {d + "header_only", kWhole + EchoCall(1, "hello").substr(0, 16)},
      {d + "bad_magic", kWhole + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
      {d + "bad_version",
       kWhole + Ping() + RawHeader(0x46525043, 2, 4, 0, 8) + "01234567"},
      {d + "unknown_type", kWhole + RawHeader(0x46525043, 1, 8, 0, 0)},
      {d + "type_zero", kWhole + RawHeader(0x46525043, 1, 0, 0, 0)},
      {d + "oversized", kWhole + RawHeader(0x46525043, 1, 1, 1, 0xffffffff)},
      {d + "request_without_header",
       kWhole + Frame(FrameType::kRequest, "", "x")},
      {d + "ping_short", kWhole + Frame(FrameType::kPing, "", "0123")},
      {d + "ping_with_meta", kWhole + Frame(FrameType::kPing, "m", "01234567")},
      {d + "cancel_with_payload", kWhole + Frame(FrameType::kCancel, "m", "p")},
      {d + "settings_with_payload",
       kWhole + Frame(FrameType::kSettings, "", "p")},
  };
}

std::vector<Seed> HeaderSeeds() {
  wire::RequestHeader request;
  request.set_call_id(1);
  request.set_service(kEcho);
  request.set_method("Echo");
  request.set_timeout_us(250000);
  // One entry per map: the order of several would vary between runs.
  (*request.mutable_metadata())["trace-id"] = "abc123";
  wire::ResponseHeader response;
  response.set_call_id(1);
  response.set_status_code(12);
  response.set_status_message("unknown service 'no.such.Service'");
  (*response.mutable_metadata())["server"] = "framerpc";
  wire::Cancel cancel;
  cancel.set_call_id(0xffffffffffffffffu);
  wire::GoAway goaway;
  goaway.set_code(wire::GoAway::PROTOCOL_ERROR);
  goaway.set_last_call_id(42);
  goaway.set_reason("bad magic 0x47455420 (not a framerpc peer?)");
  wire::Settings settings;
  settings.set_keepalive_interval_us(1000000);
  settings.set_keepalive_timeout_us(3000000);
  settings.set_max_frame_size(16 << 20);
  settings.set_max_concurrent_calls(1000);
  const std::string d = "header_fuzzer/";
  const std::string request_bytes = request.SerializeAsString();
  return {
      {d + "request", '\0' + request_bytes},
      {d + "response", '\1' + response.SerializeAsString()},
      {d + "cancel", '\2' + cancel.SerializeAsString()},
      {d + "goaway", '\3' + goaway.SerializeAsString()},
      {d + "settings", '\4' + settings.SerializeAsString()},
      {d + "request_empty", std::string(1, '\0')},
      {d + "request_truncated",
       '\0' + request_bytes.substr(0, request_bytes.size() / 2)},
      // Field 2 (service) with invalid UTF-8, and an overlong varint.
      {d + "request_bad_utf8", std::string("\0\x12\x02\xff\xfe", 5)},
      {d + "cancel_bad_varint",
       std::string("\2\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 13)},
      {d + "goaway_unknown_code", std::string("\3\x08\x63", 3)},
      // For ParseRequestHeader's fast path and its fallbacks to protobuf:
      // the common header, non-ASCII names, an unknown field, an overlong
      // varint, a repeated field (the last wins), a wrong wire type.
      {d + "request_common",
       std::string("\0\x08\x07\x12\x01S\x1a\x01M\x20\xe8\x07", 12)},
      {d + "request_non_ascii", std::string("\0\x08\x01\x12\x03"
                                            "d\xc3\xa9\x1a\x01M",
                                            11)},
      {d + "request_unknown_field",
       std::string("\0\x08\x01\x12\x01S\x1a\x01M\x78\x05", 11)},
      {d + "request_overlong_varint",
       std::string("\0\x08\x81\x80\x00\x12\x01S", 8)},
      {d + "request_repeated_field",
       std::string("\0\x08\x01\x08\x02\x12\x01S\x12\x01T", 11)},
      {d + "request_wrong_wire_type", std::string("\0\x08\x01\x10\x05", 5)},
      {d + "request_max_values",
       std::string("\0\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
                   "\x20\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
                   23)},
  };
}

std::vector<Seed> ServerReceiveSeeds() {
  dict::v1::TranslateRequest translate;
  translate.set_word("hello");
  dict::v1::TranslateRequest unknown_word;
  unknown_word.set_word("xyzzy");
  dict::v1::TranslateRequest bad_word;
  bad_word.set_word(std::string("\xff\x01", 2));
  dict::v1::TranslateBatchRequest batch;
  batch.add_words("good");
  batch.add_words(" World ");
  batch.add_words("");
  batch.add_words("xyzzy");
  dict::v1::SuggestRequest suggest;
  suggest.set_prefix("go");
  suggest.set_limit(3);
  dict::v1::SuggestRequest suggest_bad_limit;
  suggest_bad_limit.set_prefix("a");
  suggest_bad_limit.set_limit(1000);
  dict::v1::InfoRequest info;
  echo::v1::EchoRequest echo;
  echo.set_message("hi");
  wire::RequestHeader with_metadata;
  with_metadata.set_call_id(9);
  with_metadata.set_service(kEcho);
  with_metadata.set_method("Echo");
  (*with_metadata.mutable_metadata())["trace-id"] = "0123456789abcdef";

  const std::string calls =
      Settings() + EchoCall(1, "hi") +
      Request(2, kTranslator, "Translate", translate, 1000000) +
      Request(3, kTranslator, "TranslateBatch", batch) +
      Request(4, kTranslator, "Suggest", suggest) +
      Request(5, kTranslator, "Info", info) + Ping() + Cancel(1) + GoAway();
  const std::string d = "server_receive_fuzzer/";
  return {
      {d + "echo", kWhole + Settings() + EchoCall(1, "hi")},
      {d + "translate",
       kWhole + Settings() + Request(1, kTranslator, "Translate", translate)},
      {d + "translate_not_found",
       kWhole + Request(1, kTranslator, "Translate", unknown_word)},
      {d + "translate_invalid_word",
       kWhole + Request(1, kTranslator, "Translate", bad_word)},
      {d + "translate_batch",
       kWhole + Request(1, kTranslator, "TranslateBatch", batch)},
      {d + "suggest", kWhole + Request(1, kTranslator, "Suggest", suggest)},
      {d + "suggest_bad_limit",
       kWhole + Request(1, kTranslator, "Suggest", suggest_bad_limit)},
      {d + "info", kWhole + Request(1, kTranslator, "Info", info)},
      {d + "all_calls_whole", kWhole + calls},
      {d + "all_calls_bytewise", Preamble(32, 1, 1, 1, 1) + calls},
      {d + "all_calls_mixed", Preamble(32, 3, 16, 1, 7) + calls},
      {d + "all_calls_backpressure", Preamble(1 | 4 | 32, 40, 0, 0, 0) + calls},
      {d + "all_calls_draining", Preamble(16, 0, 0, 0, 0) + calls},
      {d + "sweep",
       Preamble(64, 0, 0, 0, 0) + calls + EchoCall(8, "hi").substr(0, 20)},
      {d + "sweep_heartbeat_timeout", Preamble(128, 0, 0, 0, 0) + calls},
      {d + "small_frame_limit", Preamble(1, 0, 0, 0, 0) + calls},
      {d + "metadata",
       Preamble(8, 0, 0, 0, 0) + Frame(FrameType::kRequest,
                                       with_metadata.SerializeAsString(),
                                       echo.SerializeAsString())},
      {d + "ping_pong", kWhole + Ping() + Ping() + Pong()},
      {d + "cancel_unknown", kWhole + Cancel(77) + EchoCall(77, "x")},
      {d + "unknown_service",
       kWhole + Request(1, "no.such.Service", "M", echo)},
      {d + "unknown_method", kWhole + Request(1, kEcho, "Shout", echo)},
      {d + "unparseable_request",
       kWhole + Frame(FrameType::kRequest, with_metadata.SerializeAsString(),
                      "\xff\xff\xff")},
      {d + "call_id_zero", kWhole + EchoCall(0, "hi")},
      {d + "call_id_reused", kWhole + EchoCall(3, "a") + EchoCall(3, "b")},
      {d + "response_to_server", kWhole + Response(1)},
      {d + "bad_request_header",
       kWhole + Frame(FrameType::kRequest, "\x0a\xff", "")},
      {d + "bad_settings", kWhole + Frame(FrameType::kSettings, "\x08", "")},
      {d + "garbage", kWhole + EchoCall(1, "hi") + "GET / HTTP/1.1\r\n\r\n"},
      {d + "oversized", kWhole + RawHeader(0x46525043, 1, 1, 1, 0x7fffffff)},
      {d + "partial_frame", kWhole + EchoCall(1, "hi").substr(0, 20)},
  };
}

std::vector<Seed> DictionarySeeds() {
  const std::string d = "dictionary_loader_fuzzer/";
  return {
      {d + "basic.tsv", "hello\tint. 你好\nworld\tn. 世界\n"},
      {d + "bom_crlf.tsv", "\xEF\xBB\xBFgood\tadj. 好的\r\nbye\tint. 再见\r\n"},
      {d + "comments.tsv",
       "# English to Chinese\n\n   \nbook\tn. 书\n#not\ta word\n"},
      {d + "case_and_duplicates.tsv",
       "Polish\tadj. 波兰的\nbook\tn. 书\npolish\tv. 擦亮\nbook\tn. 书本\n"},
      {d + "whitespace.tsv",
       "  ice cream \t n. 冰淇淋  \nmother-in-law\tn. 岳母\n"},
      {d + "no_tab.tsv", "hello world\n"},
      {d + "empty_fields.tsv", "\tn. 空\nword\t\n"},
      {d + "two_tabs.tsv", "a\tb\tc\n"},
      {d + "bad_utf8.tsv", "caf\xC3\tn. 咖啡馆\n"},
      {d + "control_char.tsv", "be\x01ll\tn. 铃\n"},
      {d + "long_word.tsv", std::string(300, 'w') + "\tn. 长\n"},
      {d + "no_entries.tsv", "# nothing here\n"},
      {d + "no_final_newline.tsv", "cat\tn. 猫"},
  };
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)),
                     std::istreambuf_iterator<char>());
}

int Run(bool check, const std::filesystem::path& dir) {
  std::vector<Seed> seeds;
  for (auto* make : {&FrameDecoderSeeds, &HeaderSeeds, &ServerReceiveSeeds,
                     &DictionarySeeds}) {
    for (Seed& seed : make()) seeds.push_back(std::move(seed));
  }
  int bad = 0;
  for (const auto& [name, bytes] : seeds) {
    const std::filesystem::path path = dir / name;
    if (check) {
      if (!std::filesystem::exists(path) || ReadFile(path) != bytes) {
        std::fprintf(stderr, "%s is missing or out of date\n", path.c_str());
        ++bad;
      }
      continue;
    }
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  if (bad > 0) {
    std::fprintf(stderr,
                 "%d seed(s) differ: run fuzz_make_corpus tests/fuzz/corpus\n",
                 bad);
    return 1;
  }
  std::fprintf(stderr, "%zu seeds %s\n", seeds.size(),
               check ? "up to date" : "written");
  return 0;
}

}  // namespace
}  // namespace framerpc::fuzzing

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::string(argv[1]) == "--check";
  if (argc != 2 && !check) {
    std::fprintf(stderr, "usage: %s [--check] CORPUS_DIR\n", argv[0]);
    return 2;
  }
  return framerpc::fuzzing::Run(check, argv[argc - 1]);
}
