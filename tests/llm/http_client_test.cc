// Retries, timeouts, limits and transport errors, through a provider (the
// path the agent loop takes) and through the client directly.
#include "llm/http_client.h"

#include <gtest/gtest.h>

#include "llm/anthropic.h"
#include "llm/fake_model_server.h"
#include "llm/openai.h"
#include "llm/test_support.h"

namespace wg::llm {
namespace {
using namespace std::chrono_literals;
using testing::FakeModelServer;
using testing::FakeReply;

class RetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = FakeModelServer::start();
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    server_ = std::move(*s);
  }
  ProviderOptions options() { return testing::fake_options("anthropic", server_->base_url(), sleeps_); }
  static Request request() {
    Request r;
    r.messages.push_back(Message::user_text("hi"));
    return r;
  }

  std::shared_ptr<testing::SleepLog> sleeps_ = std::make_shared<testing::SleepLog>();
  std::unique_ptr<FakeModelServer> server_;
};

TEST_F(RetryTest, RetriesA429HonouringRetryAfterThenSucceeds) {
  server_->push(FakeReply::error(429, "rate limited", 7));
  server_->push(FakeReply::text_reply("finally"));
  AnthropicProvider provider(options());
  auto r = provider.complete(request());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->text(), "finally");
  EXPECT_EQ(sleeps_->waits, (std::vector<std::chrono::milliseconds>{7000ms}));
  EXPECT_EQ(server_->requests().size(), 2u);
}

TEST_F(RetryTest, CapsRetryAfterAtTheConfiguredMaximum) {
  server_->push(FakeReply::error(429, "rate limited", 3600));
  server_->push(FakeReply::text_reply("ok"));
  auto o = options();
  o.retry.max_retry_after = 5s;
  AnthropicProvider provider(o);
  ASSERT_TRUE(provider.complete(request()).has_value());
  EXPECT_EQ(sleeps_->waits, (std::vector<std::chrono::milliseconds>{5000ms}));
}

TEST_F(RetryTest, Retries5xxWithExponentialBackoffAndJitterThenSucceeds) {
  for (int round = 0; round < 2; ++round) {
    server_->push(FakeReply::error(500, "internal"));
    server_->push(FakeReply::error(503, "unavailable"));
    server_->push(FakeReply::error(529, "Overloaded"));
    server_->push(FakeReply::text_reply("ok"));
  }
  AnthropicProvider provider(options());  // initial backoff 500 ms, seed 42
  ASSERT_TRUE(provider.complete(request()).has_value());
  const auto first = sleeps_->waits;
  ASSERT_EQ(first.size(), 3u);
  for (std::size_t i = 0; i < first.size(); ++i) {
    const auto base = 500ms * (1 << i);
    EXPECT_GE(first[i], base / 2) << i;
    EXPECT_LE(first[i], base) << i;
  }
  // Same seed, same waits: the jitter is reproducible.
  sleeps_->waits.clear();
  ASSERT_TRUE(provider.complete(request()).has_value());
  EXPECT_EQ(sleeps_->waits, first);
  EXPECT_EQ(server_->requests().size(), 8u);
}

TEST_F(RetryTest, GivesUpAfterMaxRetriesWithTheLastError) {
  for (int i = 0; i < 3; ++i) server_->push(FakeReply::error(503, "try later " + std::to_string(i)));
  auto o = options();
  o.retry.max_retries = 2;
  OpenAiProvider provider([&] {
    o.base_url = server_->openai_base_url();
    o.name = "openai";
    return o;
  }());
  auto r = provider.complete(request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "openai: HTTP 503: try later 2");
  EXPECT_EQ(sleeps_->waits.size(), 2u);
  EXPECT_EQ(server_->requests().size(), 3u);
  EXPECT_EQ(server_->pending_replies(), 0u);
}

TEST_F(RetryTest, DoesNotRetryAClientError) {
  server_->push(FakeReply::error(400, "max_tokens: too large"));
  server_->push(FakeReply::text_reply("never sent"));
  AnthropicProvider provider(options());
  auto r = provider.complete(request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "anthropic: HTTP 400: max_tokens: too large");
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
  EXPECT_EQ(server_->requests().size(), 1u);
  EXPECT_TRUE(sleeps_->waits.empty());
}

TEST_F(RetryTest, TimesOutWhenTheServerHoldsTheConnection) {
  server_->push(FakeReply::hang());
  auto o = options();
  o.http.request_timeout = 300ms;
  AnthropicProvider provider(o);
  auto r = provider.complete(request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
  EXPECT_NE(r.error().message().find("anthropic: request to 127.0.0.1:"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("timed out after 300 ms"), std::string::npos) << r.error().message();
  EXPECT_EQ(server_->requests().size(), 1u);  // timeouts are not retried
  server_->release_held();
}

TEST_F(RetryTest, TimesOutAStreamedReplyWhenTheServerHolds) {
  server_->push(FakeReply::hang());
  auto o = options();
  o.http.request_timeout = 300ms;
  AnthropicProvider provider(o);
  StreamCallbacks callbacks;
  auto r = provider.complete(request(), &callbacks);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("timed out"), std::string::npos) << r.error().message();
  server_->release_held();
}

TEST_F(RetryTest, RejectsAReplyLargerThanTheBodyCap) {
  server_->push(FakeReply::text_reply(std::string(10'000, 'x')));
  auto o = options();
  o.http.max_response_bytes = 1000;
  AnthropicProvider provider(o);
  auto r = provider.complete(request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(r.error().message(), "anthropic: reply body exceeds 1000 bytes");
}

TEST(HttpClientTest, ConnectionRefusedIsAnIoErrorNamingTheAddress) {
  std::string url;
  {
    auto s = FakeModelServer::start();
    ASSERT_TRUE(s.has_value());
    url = (*s)->base_url() + "/v1/messages";
  }  // the port is closed now
  auto r = http_post(HttpRequest{url, {}, "{}"}, HttpOptions{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
  EXPECT_NE(r.error().message().find("connect to 127.0.0.1:"), std::string::npos) << r.error().message();
}

TEST(HttpClientTest, HttpsUrlsSpeakTlsAndFailTheHandshakeWithAPlainServer) {
  auto s = FakeModelServer::start();
  ASSERT_TRUE(s.has_value());
  std::string url = (*s)->base_url();
  url.replace(0, 4, "https");
  HttpOptions o;
  o.request_timeout = 20s;
  auto r = http_post(HttpRequest{url + "/v1/messages", {}, "{}"}, o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("TLS handshake with 127.0.0.1:"), std::string::npos) << r.error().message();
}

TEST(HttpClientTest, ParsesUrls) {
  auto a = parse_url("https://api.anthropic.com");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "api.anthropic.com");
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->target, "/");
  auto b = parse_url("http://[::1]:11434/v1/chat/completions?x=1");
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, "11434");
  EXPECT_EQ(b->target, "/v1/chat/completions?x=1");
  EXPECT_FALSE(parse_url("ftp://x").has_value());
  EXPECT_FALSE(parse_url("http://:80/").has_value());
  EXPECT_FALSE(parse_url("http://host:99999999/").has_value());
  EXPECT_FALSE(parse_url("http://user@host/").has_value());
}

TEST(HttpClientTest, ReadsRetryAfterInSecondsOrMilliseconds) {
  HttpResponse r;
  EXPECT_FALSE(retry_after(r).has_value());
  r.headers = {{"Retry-After", "12"}};
  EXPECT_EQ(retry_after(r), std::optional(std::chrono::milliseconds(12000)));
  r.headers = {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}};
  EXPECT_FALSE(retry_after(r).has_value());
  r.headers = {{"retry-after", "2"}, {"Retry-After-Ms", "250"}};
  EXPECT_EQ(retry_after(r), std::optional(std::chrono::milliseconds(250)));
}

}  // namespace
}  // namespace wg::llm
