// Copyright 2026 The framerpc Authors.

#include "tests/chaos/load_generator.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framerpc/testing.framerpc.h"
#include "rpc/call_options.h"
#include "rpc/metadata.h"

namespace framerpc::testing {
namespace {

constexpr size_t kMaxSamples = 10;
constexpr size_t kMaxMessageKinds = 40;

// The documented outcomes of a call when servers die, freeze, drain and
// restart (docs/connections.md, "What happens to a call"): OK;
// UNAVAILABLE when no endpoint is up, the connection is lost (heartbeat
// timeout, reset, EOF) or the server shuts down; DEADLINE_EXCEEDED when the
// deadline passes. CANCELLED is documented only for a caller's cancel or a
// destroyed channel, which this test never does.
bool Documented(absl::StatusCode code) {
  return code == absl::StatusCode::kOk ||
         code == absl::StatusCode::kUnavailable ||
         code == absl::StatusCode::kDeadlineExceeded;
}

// The kind of a failure: its message with every digit replaced by '#' and
// the backoff notes "(next attempt in ...)" dropped, so that messages that
// differ only in ports, ids or durations count as one; "every endpoint is
// down" (which lists each endpoint's last error) counts as one kind.
std::string MessageKind(const absl::Status& status) {
  absl::string_view message = status.message();
  constexpr absl::string_view kAllDown = "every endpoint is down";
  if (absl::StartsWith(message, kAllDown)) message = kAllDown;
  std::string kind =
      absl::StrCat(absl::StatusCodeToString(status.code()), ": ", message);
  for (size_t note;
       (note = kind.find(" (next attempt in ")) != std::string::npos;) {
    const size_t end = kind.find(')', note);
    kind.erase(note,
               end == std::string::npos ? std::string::npos : end + 1 - note);
  }
  for (char& c : kind) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) c = '#';
  }
  return kind;
}

void Merge(const LoadReport& from, LoadReport& to) {
  to.issued += from.issued;
  to.completed += from.completed;
  to.blocking += from.blocking;
  to.async += from.async;
  to.overrun_requests += from.overrun_requests;
  for (size_t i = 0; i < to.by_code.size(); ++i) {
    to.by_code[i] += from.by_code[i];
  }
  to.duplicates += from.duplicates;
  to.wrong_code += from.wrong_code;
  to.cross_talk += from.cross_talk;
  to.overrun_ok += from.overrun_ok;
  to.early_deadline += from.early_deadline;
  for (const std::string& sample : from.samples) {
    if (to.samples.size() < kMaxSamples) to.samples.push_back(sample);
  }
  to.worst_lateness = std::max(to.worst_lateness, from.worst_lateness);
  to.earliest_deadline_exceeded =
      std::min(to.earliest_deadline_exceeded, from.earliest_deadline_exceeded);
  to.worst_duration = std::max(to.worst_duration, from.worst_duration);
  to.started_after_mark += from.started_after_mark;
  to.failed_after_mark += from.failed_after_mark;
  to.last_failed_start_after_mark = std::max(to.last_failed_start_after_mark,
                                             from.last_failed_start_after_mark);
  for (const auto& [port, time] : from.first_ok_after_mark) {
    auto [it, inserted] = to.first_ok_after_mark.emplace(port, time);
    if (!inserted) it->second = std::min(it->second, time);
  }
  for (const auto& [kind, count] : from.messages) {
    to.messages[kind] += count;
  }
}

}  // namespace

LoadGenerator::LoadGenerator(std::shared_ptr<Channel> channel,
                             LoadOptions options)
    : channel_(std::move(channel)), options_(options) {
  for (int i = 0; i < options_.threads; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

LoadGenerator::~LoadGenerator() {
  stop_.store(true);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void LoadGenerator::Start() {
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this, i] { Run(i); });
  }
}

void LoadGenerator::MarkRecoveryStart(absl::Time t) {
  mark_ns_.store(absl::ToUnixNanos(t));
}

void LoadGenerator::Run(int index) {
  Shard& shard = *shards_[index];
  std::seed_seq seq{options_.seed, static_cast<uint64_t>(index)};
  absl::BitGen gen(seq);
  TestService::Stub stub(channel_);
  uint64_t sequence = 0;
  while (!stop_.load()) {
    const bool async = absl::Bernoulli(gen, 0.5);
    if (async) {
      // Wait for a free slot of this thread's window (or for Stop).
      absl::MutexLock lock(&shard.mu);
      auto slot_free = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu) {
        return shard.async_in_flight < options_.async_window || stop_.load();
      };
      while (!shard.mu.AwaitWithTimeout(absl::Condition(&slot_free),
                                        absl::Milliseconds(100))) {
      }
      if (stop_.load()) break;
    }

    // What the call asks of the server.
    const uint64_t id = (static_cast<uint64_t>(index) << 40) | sequence++;
    TestRequest request;
    bool overrun = false;
    std::string payload = absl::StrCat("c", id, "-");
    const double kind = absl::Uniform(gen, 0.0, 1.0);
    if (kind < 0.01 && overrun_calls_.load()) {
      overrun = true;
      request.set_sleep_ms(static_cast<uint32_t>(
          absl::ToInt64Milliseconds(options_.timeout * 1.25)));
    } else if (kind < 0.09) {
      request.set_sleep_ms(absl::Uniform(gen, 1u, 101u));
    }
    const size_t length = kind >= 0.09 && kind < 0.10
                              ? size_t{64} << 10
                              : absl::Uniform(gen, size_t{0}, size_t{257});
    while (payload.size() < length) {
      payload.push_back(static_cast<char>(absl::Uniform(gen, 0, 256)));
    }
    request.set_payload(payload);

    const absl::Time start = absl::Now();
    // Deadlines vary per call, between half the timeout and all of it.
    const absl::Time deadline =
        start + options_.timeout * absl::Uniform(gen, 0.5, 1.0);
    {
      absl::MutexLock lock(&shard.mu);
      shard.pending.emplace(id, start);
      ++shard.report.issued;
      ++(async ? shard.report.async : shard.report.blocking);
      if (overrun) ++shard.report.overrun_requests;
      if (async) ++shard.async_in_flight;
      if (absl::ToUnixNanos(start) >= mark_ns_.load()) {
        ++shard.report.started_after_mark;
      }
    }
    CallOptions options;
    options.deadline = deadline;
    if (async) {
      auto metadata = std::make_unique<Metadata>();
      options.response_metadata = metadata.get();
      // The callback runs on an I/O thread (or here, when the call fails
      // before it is sent); Complete() only takes the shard's lock briefly.
      stub.EchoAsync(
          request, std::move(options),
          [this, &shard, id, start, deadline, overrun,
           expected = std::move(payload), metadata = std::move(metadata)](
              absl::StatusOr<TestResponse> response) {
            auto port = metadata->find("server-port");
            Outcome outcome{id,
                            start,
                            deadline,
                            overrun,
                            response.status(),
                            &expected,
                            response.ok() ? &response->payload() : nullptr,
                            port == metadata->end() ? "" : port->second};
            Complete(shard, outcome, /*async=*/true);
          });
    } else {
      Metadata metadata;
      options.response_metadata = &metadata;
      absl::StatusOr<TestResponse> response = stub.Echo(request, options);
      auto port = metadata.find("server-port");
      Outcome outcome{id,
                      start,
                      deadline,
                      overrun,
                      response.status(),
                      &payload,
                      response.ok() ? &response->payload() : nullptr,
                      port == metadata.end() ? "" : port->second};
      Complete(shard, outcome, /*async=*/false);
      // A client that keeps failing at once would otherwise spin and starve
      // the servers of the two cores: a real client would back off too.
      if (!response.ok()) absl::SleepFor(absl::Milliseconds(1));
    }
  }
}

void LoadGenerator::Complete(Shard& shard, const Outcome& outcome, bool async) {
  const absl::Time done = absl::Now();
  absl::MutexLock lock(&shard.mu);
  LoadReport& report = shard.report;
  auto sample = [&](absl::string_view what) {
    if (report.samples.size() < kMaxSamples) {
      report.samples.push_back(absl::StrCat("call ", outcome.id, ": ", what,
                                            ": ", outcome.status.ToString()));
    }
  };
  if (shard.pending.erase(outcome.id) == 0) {
    ++report.duplicates;
    sample("completed twice");
    return;
  }
  if (async) --shard.async_in_flight;
  ++report.completed;
  const absl::StatusCode code = outcome.status.code();
  ++report.by_code[static_cast<size_t>(code) < report.by_code.size()
                       ? static_cast<size_t>(code)
                       : 2];  // UNKNOWN
  if (!Documented(code)) {
    ++report.wrong_code;
    sample("undocumented status");
  }
  if (!outcome.status.ok()) {
    std::string kind = MessageKind(outcome.status);
    if (report.messages.size() < kMaxMessageKinds ||
        report.messages.contains(kind)) {
      ++report.messages[std::move(kind)];
    }
  }
  const absl::Duration lateness = done - outcome.deadline;
  report.worst_lateness = std::max(report.worst_lateness, lateness);
  report.worst_duration = std::max(report.worst_duration, done - outcome.start);
  if (code == absl::StatusCode::kDeadlineExceeded) {
    report.earliest_deadline_exceeded =
        std::min(report.earliest_deadline_exceeded, lateness);
    if (lateness < absl::ZeroDuration()) {
      ++report.early_deadline;
      sample(absl::StrCat("DEADLINE_EXCEEDED ", absl::FormatDuration(-lateness),
                          " before the deadline"));
    }
  }
  if (outcome.status.ok()) {
    if (outcome.overrun) {
      ++report.overrun_ok;
      sample("OK although the server answered after the deadline");
    }
    if (*outcome.payload != *outcome.expected) {
      ++report.cross_talk;
      sample(absl::StrCat("answer is not this call's echo: got ",
                          outcome.payload->substr(0, 24)));
    }
  }
  if (absl::ToUnixNanos(outcome.start) >= mark_ns_.load()) {
    if (!outcome.status.ok()) {
      ++report.failed_after_mark;
      report.last_failed_start_after_mark =
          std::max(report.last_failed_start_after_mark, outcome.start);
    } else if (!outcome.server_port.empty()) {
      auto [it, inserted] =
          report.first_ok_after_mark.emplace(outcome.server_port, done);
      if (!inserted) it->second = std::min(it->second, done);
    }
  }
}

bool LoadGenerator::StopAndDrain(absl::Duration timeout) {
  stop_.store(true);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  const absl::Time deadline = absl::Now() + timeout;
  bool drained = true;
  for (const std::unique_ptr<Shard>& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    auto empty = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard->mu) {
      return shard->pending.empty();
    };
    drained &= shard->mu.AwaitWithDeadline(absl::Condition(&empty), deadline);
  }
  return drained;
}

std::vector<std::string> LoadGenerator::Outstanding() const {
  std::vector<std::string> calls;
  const absl::Time now = absl::Now();
  for (const std::unique_ptr<Shard>& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    for (const auto& [id, start] : shard->pending) {
      calls.push_back(absl::StrCat("call ", id, " started ",
                                   absl::FormatDuration(now - start), " ago"));
    }
  }
  return calls;
}

LoadReport LoadGenerator::Report() const {
  LoadReport total;
  for (const std::unique_ptr<Shard>& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    Merge(shard->report, total);
  }
  return total;
}

}  // namespace framerpc::testing
