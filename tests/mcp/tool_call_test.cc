// ToolCall::on_finish: the observer app/'s policy gate uses to record a
// call's outcome (src/app/serve.cc gated_call). It must run exactly once,
// with the result given to finish(), before the response is sent, whether
// the tool succeeds, returns an isError result, fails with an Error, or
// finishes later (possibly on another thread, after a cancel or close).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <thread>

#include "mcp/protocol/jsonrpc.h"
#include "mcp/server/session.h"

namespace wg::mcp {
namespace {

namespace json = boost::json;

class CapturingOutbound : public Outbound {
 public:
  void send(std::string message) override {
    std::lock_guard lock(mutex);
    messages.push_back(std::move(message));
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return messages.size();
  }
  std::mutex mutex;  // guards messages (the observer may read from another thread)
  std::vector<std::string> messages;
};

// What one observer saw.
struct Observation {
  Result<ToolResult> result;
  std::thread::id thread;
  std::size_t messages_sent_before;  // outbound size when the observer ran
};

class ToolCallFinishTest : public ::testing::Test {
 protected:
  ToolCallFinishTest() { session_ = server_.open_session(io_.get_executor(), out_); }

  void drain() {
    io_.restart();
    io_.poll();
  }

  void send(const std::string& text) {
    session_->receive(text);
    drain();
  }

  void initialize() {
    send(encode_request(RequestId(std::int64_t{1000}), "initialize",
                        json::object{{"protocolVersion", "2025-11-25"},
                                     {"capabilities", json::object{}},
                                     {"clientInfo", json::object{{"name", "t"}, {"version", "1"}}}}));
    send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    ASSERT_EQ(out_->size(), 1u);
  }

  // Registers an async tool `name` that installs the observer (as
  // app/serve.cc does, before any work) and then runs `body`.
  void add_observed_tool(const std::string& name, std::function<void(std::shared_ptr<ToolCall>)> body) {
    ToolSpec spec;
    spec.name = name;
    spec.description = "observed";
    ASSERT_TRUE(server_
                    .add_async_tool(spec,
                                    [this, body = std::move(body)](std::shared_ptr<ToolCall> call) {
                                      call->on_finish([this](const Result<ToolResult>& r) {
                                        std::lock_guard lock(mutex_);
                                        observed_.push_back(Observation{r, std::this_thread::get_id(), out_->size()});
                                      });
                                      body(std::move(call));
                                    })
                    .has_value());
    drain();  // delivers notifications/tools/list_changed now, not amid the call
  }

  void call_tool(const std::string& name, std::int64_t id) {
    send(encode_request(RequestId(id), "tools/call", json::object{{"name", name}, {"arguments", json::object{}}}));
  }

  std::vector<Observation> observed() {
    std::lock_guard lock(mutex_);
    return observed_;
  }

  // The response to request `id`, or null when none was sent.
  json::value response(std::int64_t id) {
    std::lock_guard lock(out_->mutex);
    for (const std::string& m : out_->messages) {
      json::value v = json::parse(m);
      if (const json::value* i = v.as_object().if_contains("id"); i && *i == id) return v;
    }
    return nullptr;
  }

  boost::asio::io_context io_;
  Server server_;
  std::shared_ptr<CapturingOutbound> out_ = std::make_shared<CapturingOutbound>();
  std::shared_ptr<Session> session_;
  std::mutex mutex_;  // guards observed_
  std::vector<Observation> observed_;
};

std::string first_text(const json::value& response) {
  return std::string(response.at("result").at("content").at(0).at("text").as_string());
}

TEST_F(ToolCallFinishTest, ObserverSeesTheResultOnceBeforeTheResponseIsSent) {
  initialize();
  add_observed_tool("ok", [](std::shared_ptr<ToolCall> call) {
    call->finish(ToolResult::text("first"));
    call->finish(ToolResult::text("second"));  // ignored
  });
  const std::size_t before = out_->size();
  call_tool("ok", 1);

  auto seen = observed();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(seen[0].result.has_value());
  EXPECT_FALSE(seen[0].result->is_error);
  EXPECT_EQ(json::serialize(seen[0].result->content), R"([{"type":"text","text":"first"}])");
  json::value reply = response(1);
  ASSERT_FALSE(reply.is_null());
  EXPECT_EQ(first_text(reply), "first");
  // The response was not yet out when the observer ran.
  EXPECT_EQ(seen[0].messages_sent_before, before);
  EXPECT_EQ(out_->size(), before + 1);
}

TEST_F(ToolCallFinishTest, ObserverSeesAHandlerErrorThatBecomesAnIsErrorResult) {
  initialize();
  // A synchronous handler's Error, passed on the way serve.cc does.
  add_observed_tool("fails", [](std::shared_ptr<ToolCall> call) {
    call->finish([]() -> Result<ToolResult> { return make_error(ErrorCode::Internal, "disk on fire"); }());
  });
  call_tool("fails", 2);

  auto seen = observed();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_FALSE(seen[0].result.has_value());
  EXPECT_EQ(seen[0].result.error().code(), ErrorCode::Internal);
  EXPECT_NE(seen[0].result.error().message().find("disk on fire"), std::string::npos);
  json::value reply = response(2);
  ASSERT_FALSE(reply.is_null());
  EXPECT_EQ(reply.at("result").at("isError"), true);
  EXPECT_NE(first_text(reply).find("disk on fire"), std::string::npos);
}

TEST_F(ToolCallFinishTest, ObserverSeesAnIsErrorToolResultUnchanged) {
  initialize();
  add_observed_tool("refuses", [](std::shared_ptr<ToolCall> call) { call->finish(ToolResult::error("no such file")); });
  call_tool("refuses", 3);

  auto seen = observed();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(seen[0].result.has_value());
  EXPECT_TRUE(seen[0].result->is_error);
  EXPECT_EQ(response(3).at("result").at("isError"), true);
}

TEST_F(ToolCallFinishTest, ObserverRunsOnceOnTheThreadThatFinishesAnAsyncCall) {
  initialize();
  std::shared_ptr<ToolCall> parked;
  add_observed_tool("later", [&parked](std::shared_ptr<ToolCall> call) { parked = std::move(call); });
  call_tool("later", 4);
  ASSERT_NE(parked, nullptr);
  EXPECT_TRUE(observed().empty());
  EXPECT_TRUE(response(4).is_null());

  std::thread::id worker_id;
  std::thread worker([&] {
    worker_id = std::this_thread::get_id();
    parked->finish(ToolResult::text("done later"));
  });
  worker.join();
  parked->finish(ToolResult::text("too late"));  // ignored
  drain();

  auto seen = observed();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].thread, worker_id);
  ASSERT_TRUE(seen[0].result.has_value());
  EXPECT_EQ(json::serialize(seen[0].result->content), R"([{"type":"text","text":"done later"}])");
  json::value reply = response(4);
  ASSERT_FALSE(reply.is_null());
  EXPECT_EQ(first_text(reply), "done later");
}

TEST_F(ToolCallFinishTest, ConcurrentFinishesRunTheObserverExactlyOnce) {
  initialize();
  std::shared_ptr<ToolCall> parked;
  add_observed_tool("raced", [&parked](std::shared_ptr<ToolCall> call) { parked = std::move(call); });
  call_tool("raced", 5);
  ASSERT_NE(parked, nullptr);

  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&parked, i] { parked->finish(ToolResult::text("t" + std::to_string(i))); });
  }
  for (auto& t : threads) t.join();
  drain();

  auto seen = observed();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_TRUE(seen[0].result.has_value());
  json::value reply = response(5);
  ASSERT_FALSE(reply.is_null());
  // The observed result is the one that was sent.
  EXPECT_EQ(json::serialize(seen[0].result->content), json::serialize(reply.at("result").at("content")));
}

TEST_F(ToolCallFinishTest, ObserverRunsWhenACancelledCallFinishesButNoResponseIsSent) {
  initialize();
  std::shared_ptr<ToolCall> parked;
  add_observed_tool("slow", [&parked](std::shared_ptr<ToolCall> call) { parked = std::move(call); });
  call_tool("slow", 6);
  ASSERT_NE(parked, nullptr);
  send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}})");
  ASSERT_TRUE(parked->cancelled());

  parked->finish(ToolResult::text("finished anyway"));
  drain();

  // The gate must still learn the outcome (to release what before() reserved).
  auto seen = observed();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].result.has_value());
  EXPECT_TRUE(response(6).is_null());  // spec basic/utilities/cancellation: no response
}

TEST_F(ToolCallFinishTest, ObserverRunsWhenTheSessionClosedFirst) {
  initialize();
  std::shared_ptr<ToolCall> parked;
  add_observed_tool("orphan", [&parked](std::shared_ptr<ToolCall> call) { parked = std::move(call); });
  call_tool("orphan", 7);
  ASSERT_NE(parked, nullptr);
  session_->close();
  drain();
  EXPECT_TRUE(parked->cancelled());

  parked->finish(make_error(ErrorCode::Io, "gave up"));
  drain();

  auto seen = observed();
  ASSERT_EQ(seen.size(), 1u);
  ASSERT_FALSE(seen[0].result.has_value());
  EXPECT_EQ(seen[0].result.error().code(), ErrorCode::Io);
  EXPECT_TRUE(response(7).is_null());
}

TEST_F(ToolCallFinishTest, ObserverRunsWhenTheSessionIsGone) {
  initialize();
  std::shared_ptr<ToolCall> parked;
  add_observed_tool("outlives", [&parked](std::shared_ptr<ToolCall> call) { parked = std::move(call); });
  call_tool("outlives", 8);
  ASSERT_NE(parked, nullptr);
  session_->close();
  drain();
  session_.reset();  // the last owner: the call holds only a weak_ptr
  ASSERT_EQ(parked->session(), nullptr);

  parked->finish(ToolResult::text("nobody listens"));

  ASSERT_EQ(observed().size(), 1u);
}

}  // namespace
}  // namespace wg::mcp
