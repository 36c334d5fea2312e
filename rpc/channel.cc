// Copyright 2026 The framerpc Authors.

#include "rpc/channel.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/message_lite.h"
#include "rpc/channel_impl.h"
#include "transport/endpoint.h"

namespace framerpc {
namespace internal {

absl::Status ValidateChannelOptions(const ChannelOptions& options) {
  if (options.max_frame_size < 1024 ||
      options.max_frame_size > (size_t{2} << 30)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ChannelOptions.max_frame_size must be in 1 KiB..2 GiB, not ",
        options.max_frame_size));
  }
  if (options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ChannelOptions.connect_timeout must be positive");
  }
  if (options.default_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ChannelOptions.default_timeout must be positive");
  }
  if (options.keepalive_interval <= absl::ZeroDuration() ||
      options.keepalive_timeout <= options.keepalive_interval) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ChannelOptions needs 0 < keepalive_interval < keepalive_timeout, "
        "not ",
        absl::FormatDuration(options.keepalive_interval), " and ",
        absl::FormatDuration(options.keepalive_timeout)));
  }
  if (options.max_connections < 1 || options.max_connections > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("ChannelOptions.max_connections must be in 1..64, not ",
                     options.max_connections));
  }
  if (options.max_calls_per_connection < 1 ||
      options.max_calls_per_connection > 1000000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ChannelOptions.max_calls_per_connection must be in 1..1000000, not ",
        options.max_calls_per_connection));
  }
  if (options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ChannelOptions.idle_timeout must be positive");
  }
  if (options.initial_backoff <= absl::ZeroDuration() ||
      options.max_backoff < options.initial_backoff ||
      options.backoff_multiplier < 1.0 || options.backoff_jitter < 0 ||
      options.backoff_jitter >= 1) {
    return absl::InvalidArgumentError(
        "ChannelOptions backoff needs 0 < initial_backoff <= max_backoff, "
        "backoff_multiplier >= 1 and 0 <= backoff_jitter < 1");
  }
  return absl::OkStatus();
}

}  // namespace internal

absl::StatusOr<std::shared_ptr<Channel>> Channel::Create(
    absl::string_view target, ChannelOptions options) {
  if (absl::Status status = internal::ValidateChannelOptions(options);
      !status.ok()) {
    return status;
  }
  std::vector<transport::Endpoint> endpoints;
  for (absl::string_view part : absl::StrSplit(target, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty endpoint in target '", target, "'"));
    }
    absl::StatusOr<std::vector<transport::Endpoint>> resolved =
        transport::Endpoint::Resolve(part);
    if (!resolved.ok()) return resolved.status();
    for (transport::Endpoint& endpoint : *resolved) {
      if (std::find(endpoints.begin(), endpoints.end(), endpoint) ==
          endpoints.end()) {
        endpoints.push_back(std::move(endpoint));
      }
    }
  }
  if (endpoints.empty()) {
    return absl::UnavailableError(
        absl::StrCat("'", target, "' resolved to no address"));
  }
  auto impl = std::make_shared<Impl>(std::string(target), std::move(endpoints),
                                     options);
  return std::shared_ptr<Channel>(new Channel(std::move(impl)));
}

Channel::Channel(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Channel::~Channel() { impl_->Shutdown(); }

const std::string& Channel::target() const { return impl_->target(); }

std::vector<std::string> Channel::endpoints() const {
  return impl_->endpoint_names();
}

void Channel::StartCall(const RpcMethod& method,
                        const google::protobuf::MessageLite& request,
                        const CallOptions& options, RawCompletion done) {
  impl_->StartCall(method, request, options, std::move(done));
}

absl::Status Channel::CallBlocking(const RpcMethod& method,
                                   const google::protobuf::MessageLite& request,
                                   const CallOptions& options,
                                   google::protobuf::MessageLite* response) {
  absl::Notification done;
  absl::Status result;
  impl_->StartCall(
      method, request, options,
      [&](const absl::Status& status, absl::string_view payload) {
        result = status;
        if (status.ok() &&
            !response->ParseFromArray(payload.data(),
                                      static_cast<int>(payload.size()))) {
          result = absl::InternalError(absl::StrCat(
              "could not parse the response of ", method.service, "/",
              method.method, " as ", response->GetTypeName()));
        }
        done.Notify();
      });
  done.WaitForNotification();
  return result;
}

}  // namespace framerpc
