// Copyright 2026 The framerpc Authors.
//
// Tests of the code protoc-gen-framerpc generates, on
// protos/a/b/c/services.proto: the shape of the classes (checked at compile
// time), the behaviour of the service base class, and the text of the
// generated header.

#include <cstddef>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "a/b/c/services.framerpc.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "no_services.framerpc.h"

namespace {

using ::a::b::c::EchoRequest;
using ::a::b::c::EchoResponse;
using ::a::b::c::Envelope;
using ::a::b::c::Envelope_Letter;

// ---- Shape of the generated classes (compile time). ----

using Echo = ::a::b::c::Echo;

static_assert(Echo::kServiceName == "a.b.c.Echo");
static_assert(::a::b::c::Lookup::kServiceName == "a.b.c.Lookup");
static_assert(::a::b::c::Empty::kServiceName == "a.b.c.Empty");

static_assert(std::is_abstract_v<Echo::StubInterface>);
static_assert(std::has_virtual_destructor_v<Echo::StubInterface>);
static_assert(std::is_base_of_v<Echo::StubInterface, Echo::Stub>);
static_assert(std::is_final_v<Echo::Stub>);
static_assert(!std::is_abstract_v<Echo::Stub>);
static_assert(
    std::is_constructible_v<Echo::Stub, std::shared_ptr<framerpc::Channel>>);
static_assert(!std::is_convertible_v<std::shared_ptr<framerpc::Channel>,
                                     Echo::Stub>);  // explicit
static_assert(std::is_base_of_v<framerpc::Service, Echo::Service>);
static_assert(!std::is_abstract_v<Echo::Service>);
static_assert(std::is_default_constructible_v<Echo::Service>);

// A method named like its service: Echo.Echo.
static_assert(
    std::is_same_v<decltype(&Echo::StubInterface::Echo),
                   absl::StatusOr<EchoResponse> (Echo::StubInterface::*)(
                       const EchoRequest&, const framerpc::CallOptions&)>);
static_assert(std::is_same_v<
              decltype(&Echo::StubInterface::EchoAsync),
              void (Echo::StubInterface::*)(
                  const EchoRequest&, framerpc::CallOptions,
                  absl::AnyInvocable<void(absl::StatusOr<EchoResponse>)>)>);
static_assert(
    std::is_same_v<decltype(&Echo::Stub::Echo),
                   absl::StatusOr<EchoResponse> (Echo::Stub::*)(
                       const EchoRequest&, const framerpc::CallOptions&)>);
static_assert(std::is_same_v<decltype(&Echo::Service::Echo),
                             absl::Status (Echo::Service::*)(
                                 framerpc::ServerContext&, const EchoRequest&,
                                 EchoResponse*)>);
static_assert(std::is_same_v<decltype(&Echo::Service::EchoAsync),
                             void (Echo::Service::*)(
                                 framerpc::ServerContext&, const EchoRequest&,
                                 EchoResponse*, framerpc::Responder)>);

// The options argument of the blocking call has a default.
static_assert(requires(Echo::StubInterface & stub, const EchoRequest& request) {
  { stub.Echo(request) } -> std::same_as<absl::StatusOr<EchoResponse>>;
});

// Nested message types of this file: Envelope.Letter is Envelope_Letter.
static_assert(std::is_same_v<decltype(&Echo::Service::Open),
                             absl::Status (Echo::Service::*)(
                                 framerpc::ServerContext&,
                                 const Envelope_Letter&, Envelope*)>);

// Types from another file and package, nested ones included.
using Lookup = ::a::b::c::Lookup;
static_assert(
    std::is_same_v<
        decltype(&Lookup::StubInterface::Find),
        absl::StatusOr<::other::pkg::Outer_Inner> (Lookup::StubInterface::*)(
            const ::other::pkg::Shared&, const framerpc::CallOptions&)>);

// A method named like a C++ keyword gets a trailing underscore in C++.
static_assert(std::is_same_v<decltype(&Lookup::Service::delete_),
                             absl::Status (Lookup::Service::*)(
                                 framerpc::ServerContext&, const EchoRequest&,
                                 EchoResponse*)>);

// A service without methods still has all three classes.
static_assert(
    std::is_base_of_v<::a::b::c::Empty::StubInterface, ::a::b::c::Empty::Stub>);
static_assert(std::is_base_of_v<framerpc::Service, ::a::b::c::Empty::Service>);

// ---- Behaviour of the service base class. ----

// Stands in for the server runtime's call: records how the call finished.
class FakeCall final : public framerpc::internal::ServerCallHandle {
 public:
  FakeCall()
      : context_("a.b.c.Echo", "Echo", "127.0.0.1:5000", absl::InfiniteFuture(),
                 {}) {}

  framerpc::ServerContext& context() override { return context_; }

  void Finish(const absl::Status& status,
              const google::protobuf::MessageLite* response) override {
    ++finish_count;
    this->status = status;
    if (response != nullptr) response_bytes = response->SerializeAsString();
  }

  int finish_count = 0;
  absl::Status status = absl::UnknownError("not finished");
  std::string response_bytes;

 private:
  framerpc::ServerContext context_;
};

// A Responder that answers `call` with `*response` (owned by the caller).
framerpc::Responder MakeResponder(std::shared_ptr<FakeCall> call,
                                  const EchoResponse* response) {
  return framerpc::Responder(std::move(call), nullptr, response);
}

TEST(GeneratedServiceTest, RegistersItsNameAndEveryMethod) {
  Echo::Service service;
  EXPECT_EQ(service.name(), "a.b.c.Echo");
  EXPECT_NE(service.FindMethod("Echo"), nullptr);
  EXPECT_NE(service.FindMethod("Open"), nullptr);
  EXPECT_EQ(service.FindMethod("Missing"), nullptr);

  // On the wire the keyword method keeps its .proto name.
  Lookup::Service lookup;
  EXPECT_NE(lookup.FindMethod("delete"), nullptr);
  EXPECT_EQ(lookup.FindMethod("delete_"), nullptr);
}

TEST(GeneratedServiceTest, DefaultSyncMethodAnswersUnimplemented) {
  Echo::Service service;
  FakeCall call;
  EchoRequest request;
  EchoResponse response;
  absl::Status status = service.Echo(call.context(), request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(status.message(),
            "method a.b.c.Echo/Echo is not implemented by this server");
}

TEST(GeneratedServiceTest, DefaultAsyncMethodFinishesWithSyncStatus) {
  Echo::Service service;
  auto call = std::make_shared<FakeCall>();
  EchoRequest request;
  EchoResponse response;
  service.EchoAsync(call->context(), request, &response,
                    MakeResponder(call, &response));
  EXPECT_EQ(call->finish_count, 1);
  EXPECT_EQ(call->status.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(call->status.message(),
            "method a.b.c.Echo/Echo is not implemented by this server");
}

// A service that implements Echo the synchronous way.
class UppercaseEcho final : public Echo::Service {
 public:
  absl::Status Echo(framerpc::ServerContext& context,
                    const EchoRequest& request,
                    EchoResponse* response) override {
    context.response_metadata()["seen"] = "yes";
    if (request.message().empty()) {
      return absl::InvalidArgumentError("empty message");
    }
    response->set_message(request.message() + "!");
    return absl::OkStatus();
  }
};

TEST(GeneratedServiceTest, DefaultAsyncMethodSendsResponseOfOverriddenSync) {
  UppercaseEcho service;
  auto call = std::make_shared<FakeCall>();
  EchoRequest request;
  request.set_message("hi");
  EchoResponse response;
  service.EchoAsync(call->context(), request, &response,
                    MakeResponder(call, &response));
  ASSERT_EQ(call->finish_count, 1);
  EXPECT_TRUE(call->status.ok()) << call->status;
  EchoResponse sent;
  ASSERT_TRUE(sent.ParseFromString(call->response_bytes));
  EXPECT_EQ(sent.message(), "hi!");
  EXPECT_EQ(call->context().response_metadata().at("seen"), "yes");
}

TEST(GeneratedServiceTest, RegisteredHandlerParsesRequestAndCallsOverride) {
  UppercaseEcho service;
  const framerpc::internal::MethodHandler* handler = service.FindMethod("Echo");
  ASSERT_NE(handler, nullptr);

  auto call = std::make_shared<FakeCall>();
  EchoRequest request;
  request.set_message("wire");
  handler->Run(call, request.SerializeAsString());
  ASSERT_EQ(call->finish_count, 1);
  EXPECT_TRUE(call->status.ok()) << call->status;
  EchoResponse sent;
  ASSERT_TRUE(sent.ParseFromString(call->response_bytes));
  EXPECT_EQ(sent.message(), "wire!");

  auto failing_call = std::make_shared<FakeCall>();
  handler->Run(failing_call, EchoRequest().SerializeAsString());
  EXPECT_EQ(failing_call->status, absl::InvalidArgumentError("empty message"));
  EXPECT_TRUE(failing_call->response_bytes.empty());
}

// A call that offers InlineStorage() gets the request and response built
// in it; they stay valid until Finish() and are destroyed with the call.
TEST(GeneratedServiceTest, MessagesLiveInTheCallsStorageWhenItOffersRoom) {
  class RoomyCall final : public framerpc::internal::ServerCallHandle {
   public:
    explicit RoomyCall(int* destroyed) : destroyed_(destroyed) {}
    ~RoomyCall() override {
      if (destroy_ != nullptr) {
        destroy_(room_);
        ++*destroyed_;
      }
    }
    framerpc::ServerContext& context() override { return context_; }
    void Finish(const absl::Status& status,
                const google::protobuf::MessageLite* response) override {
      this->status = status;
      if (response != nullptr) {
        // The response is the one built in the room.
        EXPECT_GE(reinterpret_cast<const unsigned char*>(response), room_);
        EXPECT_LT(reinterpret_cast<const unsigned char*>(response),
                  room_ + sizeof(room_));
        response_bytes = response->SerializeAsString();
      }
    }
    void* InlineStorage(size_t size, size_t align,
                        void (*destroy)(void*)) override {
      EXPECT_EQ(destroy_, nullptr) << "asked twice";
      EXPECT_LE(size, sizeof(room_));
      EXPECT_LE(align, alignof(std::max_align_t));
      destroy_ = destroy;
      return room_;
    }
    absl::Status status = absl::UnknownError("not finished");
    std::string response_bytes;

   private:
    framerpc::ServerContext context_{
        "a.b.c.Echo", "Echo", "127.0.0.1:5000", absl::InfiniteFuture(), {}};
    int* const destroyed_;
    void (*destroy_)(void*) = nullptr;
    alignas(std::max_align_t) unsigned char room_[512];
  };
  UppercaseEcho service;
  int destroyed = 0;
  auto call = std::make_shared<RoomyCall>(&destroyed);
  EchoRequest request;
  // Longer than std::string's inline buffer: under LeakSanitizer, a request
  // that is never destroyed leaks its text.
  request.set_message("a message long enough to be on the heap");
  service.FindMethod("Echo")->Run(call, request.SerializeAsString());
  EXPECT_TRUE(call->status.ok()) << call->status;
  EchoResponse sent;
  ASSERT_TRUE(sent.ParseFromString(call->response_bytes));
  EXPECT_EQ(sent.message(), "a message long enough to be on the heap!");
  EXPECT_EQ(destroyed, 0);
  call.reset();
  EXPECT_EQ(destroyed, 1);
}

TEST(GeneratedServiceTest, AsyncOverrideAnswersLater) {
  class LaterEcho final : public Echo::Service {
   public:
    void EchoAsync(framerpc::ServerContext& /*context*/,
                   const EchoRequest& request, EchoResponse* response,
                   framerpc::Responder responder) override {
      response->set_message(request.message());
      pending = std::move(responder);
    }
    std::optional<framerpc::Responder> pending;
  };
  LaterEcho service;
  auto call = std::make_shared<FakeCall>();
  EchoRequest request;
  request.set_message("later");
  service.FindMethod("Echo")->Run(call, request.SerializeAsString());
  EXPECT_EQ(call->finish_count, 0);
  ASSERT_TRUE(service.pending.has_value());
  service.pending->Finish(absl::OkStatus());
  ASSERT_EQ(call->finish_count, 1);
  EchoResponse sent;
  ASSERT_TRUE(sent.ParseFromString(call->response_bytes));
  EXPECT_EQ(sent.message(), "later");
}

// ---- The client interface can be faked. ----

class FakeEchoStub final : public Echo::StubInterface {
 public:
  absl::StatusOr<EchoResponse> Echo(
      const EchoRequest& request,
      const framerpc::CallOptions& options = {}) override {
    last_timeout = options.timeout;
    EchoResponse response;
    response.set_message(request.message());
    return response;
  }
  void EchoAsync(
      const EchoRequest& request, framerpc::CallOptions options,
      absl::AnyInvocable<void(absl::StatusOr<EchoResponse>)> done) override {
    done(Echo(request, options));
  }
  absl::StatusOr<Envelope> Open(
      const Envelope_Letter& /*request*/,
      const framerpc::CallOptions& /*options*/ = {}) override {
    return absl::UnavailableError("fake");
  }
  void OpenAsync(
      const Envelope_Letter& request, framerpc::CallOptions options,
      absl::AnyInvocable<void(absl::StatusOr<Envelope>)> done) override {
    done(Open(request, options));
  }
  absl::Duration last_timeout;
};

// Code under test that takes the interface, as the header recommends.
std::string Shout(Echo::StubInterface& stub, const std::string& text) {
  EchoRequest request;
  request.set_message(text);
  absl::StatusOr<EchoResponse> response = stub.Echo(request);
  return response.ok() ? response->message() : "error";
}

TEST(GeneratedStubInterfaceTest, CanBeImplementedByAFake) {
  FakeEchoStub fake;
  EXPECT_EQ(Shout(fake, "hello"), "hello");
  EXPECT_EQ(fake.last_timeout, absl::ZeroDuration());

  std::string answer;
  fake.EchoAsync(EchoRequest(),
                 framerpc::CallOptions().set_timeout(absl::Seconds(2)),
                 [&answer](absl::StatusOr<EchoResponse> response) {
                   answer = response.ok() ? "ok" : "error";
                 });
  EXPECT_EQ(answer, "ok");
  EXPECT_EQ(fake.last_timeout, absl::Seconds(2));
}

// ---- The text of the generated header. ----

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(GeneratedHeaderTest, StartsWithDoNotEditBanner) {
  const std::string header = ReadFile(FRAMERPC_TEST_SERVICES_HEADER);
  ASSERT_FALSE(header.empty()) << FRAMERPC_TEST_SERVICES_HEADER;
  EXPECT_EQ(header.rfind("// Generated by protoc-gen-framerpc from "
                         "a/b/c/services.proto. DO NOT EDIT.\n"
                         "// source: a/b/c/services.proto\n",
                         0),
            0u)
      << header.substr(0, 200);
}

TEST(GeneratedHeaderTest, CopiesServiceAndMethodComments) {
  const std::string header = ReadFile(FRAMERPC_TEST_SERVICES_HEADER);
  // The service's comment, both paragraphs, spacing kept, on the class.
  EXPECT_NE(header.find("// Echoes messages back.\n"
                        "//\n"
                        "// A second paragraph, with   odd   spacing that "
                        "must survive as written.\n"
                        "class Echo final {\n"),
            std::string::npos)
      << header;
  // A multi-line method comment, in the client interface and in the
  // service, at the indentation of the nested classes.
  const std::string method_comment =
      "    // Returns the request's message.\n"
      "    // Second line of the method comment.\n";
  const size_t first = header.find(method_comment);
  ASSERT_NE(first, std::string::npos) << header;
  EXPECT_NE(header.find(method_comment, first + 1), std::string::npos);
  // A trailing comment.
  EXPECT_NE(header.find("    // Trailing comment of Open.\n"),
            std::string::npos);
  // A block comment.
  EXPECT_NE(header.find("// A block comment\n"), std::string::npos);
  EXPECT_NE(header.find("on the Lookup service.\nclass Lookup final {"),
            std::string::npos);
}

TEST(GeneratedHeaderTest, FileWithoutServicesGetsNearlyEmptyHeader) {
  const std::string header = ReadFile(FRAMERPC_TEST_NO_SERVICES_HEADER);
  EXPECT_EQ(header.rfind("// Generated by protoc-gen-framerpc from "
                         "no_services.proto. DO NOT EDIT.\n",
                         0),
            0u);
  EXPECT_NE(header.find("#include \"no_services.pb.h\"\n"), std::string::npos);
  EXPECT_EQ(header.find("class "), std::string::npos);
  EXPECT_EQ(header.find("namespace "), std::string::npos);
  // And it is usable: its messages come with it.
  ::a::b::nothing::Alone alone;
  alone.set_flag(true);
  EXPECT_TRUE(alone.flag());
}

}  // namespace
