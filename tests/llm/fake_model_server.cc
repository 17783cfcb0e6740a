#include "llm/fake_model_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

namespace wg::llm::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

FakeReply FakeReply::text_reply(std::string text) {
  FakeReply r;
  r.text = std::move(text);
  return r;
}

FakeReply FakeReply::tool_use(std::vector<FakeToolCall> calls, std::string text) {
  FakeReply r;
  r.text = std::move(text);
  r.tool_calls = std::move(calls);
  return r;
}

FakeReply FakeReply::error(unsigned status, std::string message, std::optional<unsigned> retry_after_seconds) {
  FakeReply r;
  r.kind = Kind::HttpError;
  r.status = status;
  r.body = std::move(message);
  if (retry_after_seconds) r.headers.emplace_back("Retry-After", std::to_string(*retry_after_seconds));
  return r;
}

FakeReply FakeReply::raw(unsigned status, std::string body, std::string content_type) {
  FakeReply r;
  r.kind = Kind::Raw;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

FakeReply FakeReply::hang() {
  FakeReply r;
  r.kind = Kind::Hang;
  return r;
}

FakeReply&& FakeReply::with_stop_reason(std::string reason) && {
  stop_reason = std::move(reason);
  return std::move(*this);
}

FakeReply&& FakeReply::with_usage(std::uint64_t input, std::uint64_t output) && {
  input_tokens = input;
  output_tokens = output;
  return std::move(*this);
}

std::string RecordedRequest::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

enum class Format { Anthropic, OpenAi };

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Splits into about `parts` pieces without cutting a UTF-8 sequence.
std::vector<std::string> split(std::string_view s, std::size_t piece) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = std::min(s.size(), pos + std::max<std::size_t>(piece, 1));
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
    out.emplace_back(s.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::string stop_reason_of(const FakeReply& r) {
  if (!r.stop_reason.empty()) return r.stop_reason;
  return r.tool_calls.empty() ? "end_turn" : "tool_use";
}

std::string finish_reason_of(const FakeReply& r) {
  const std::string s = stop_reason_of(r);
  if (s == "end_turn") return "stop";
  if (s == "tool_use") return "tool_calls";
  if (s == "max_tokens") return "length";
  return s;
}

json::value input_of(const FakeToolCall& c) { return c.input.is_null() ? json::value(json::object()) : c.input; }

std::string anthropic_json(const FakeReply& r, const std::string& model) {
  json::array content;
  if (!r.text.empty()) content.push_back(json::object{{"type", "text"}, {"text", r.text}});
  for (const FakeToolCall& c : r.tool_calls) {
    content.push_back(json::object{{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", input_of(c)}});
  }
  return json::serialize(
      json::object{{"id", "msg_fake"},
                   {"type", "message"},
                   {"role", "assistant"},
                   {"model", model},
                   {"content", std::move(content)},
                   {"stop_reason", stop_reason_of(r)},
                   {"stop_sequence", nullptr},
                   {"usage", json::object{{"input_tokens", r.input_tokens}, {"output_tokens", r.output_tokens}}}});
}

std::vector<std::string> anthropic_events(const FakeReply& r, const std::string& model) {
  std::vector<std::string> out;
  auto event = [&out](std::string_view name, const json::object& data) {
    out.push_back("event: " + std::string(name) + "\ndata: " + json::serialize(data) + "\n\n");
  };
  event("message_start",
        json::object{{"type", "message_start"},
                     {"message",
                      json::object{{"id", "msg_fake"},
                                   {"type", "message"},
                                   {"role", "assistant"},
                                   {"model", model},
                                   {"content", json::array()},
                                   {"stop_reason", nullptr},
                                   {"usage", json::object{{"input_tokens", r.input_tokens}, {"output_tokens", 1}}}}}});
  out.push_back(": keep-alive comment\n\n");
  event("ping", json::object{{"type", "ping"}});
  std::uint64_t index = 0;
  if (!r.text.empty()) {
    event("content_block_start", json::object{{"type", "content_block_start"},
                                              {"index", index},
                                              {"content_block", json::object{{"type", "text"}, {"text", ""}}}});
    for (const std::string& piece : split(r.text, (r.text.size() + 2) / 3)) {
      event("content_block_delta", json::object{{"type", "content_block_delta"},
                                                {"index", index},
                                                {"delta", json::object{{"type", "text_delta"}, {"text", piece}}}});
    }
    event("content_block_stop", json::object{{"type", "content_block_stop"}, {"index", index}});
    ++index;
  }
  for (const FakeToolCall& c : r.tool_calls) {
    event(
        "content_block_start",
        json::object{{"type", "content_block_start"},
                     {"index", index},
                     {"content_block",
                      json::object{{"type", "tool_use"}, {"id", c.id}, {"name", c.name}, {"input", json::object()}}}});
    std::vector<std::string> fragments{""};  // the API starts with an empty fragment
    for (std::string& f : split(json::serialize(input_of(c)), 5)) fragments.push_back(std::move(f));
    for (const std::string& f : fragments) {
      event("content_block_delta",
            json::object{{"type", "content_block_delta"},
                         {"index", index},
                         {"delta", json::object{{"type", "input_json_delta"}, {"partial_json", f}}}});
    }
    event("content_block_stop", json::object{{"type", "content_block_stop"}, {"index", index}});
    ++index;
  }
  event("message_delta",
        json::object{{"type", "message_delta"},
                     {"delta", json::object{{"stop_reason", stop_reason_of(r)}, {"stop_sequence", nullptr}}},
                     {"usage", json::object{{"output_tokens", r.output_tokens}}}});
  event("message_stop", json::object{{"type", "message_stop"}});
  return out;
}

json::object openai_usage(const FakeReply& r) {
  return json::object{{"prompt_tokens", r.input_tokens},
                      {"completion_tokens", r.output_tokens},
                      {"total_tokens", r.input_tokens + r.output_tokens}};
}

std::string openai_json(const FakeReply& r, const std::string& model) {
  json::object message{{"role", "assistant"}};
  message["content"] = r.text.empty() ? json::value(nullptr) : json::value(r.text);
  if (!r.tool_calls.empty()) {
    json::array calls;
    for (const FakeToolCall& c : r.tool_calls) {
      calls.push_back(
          json::object{{"id", c.id},
                       {"type", "function"},
                       {"function", json::object{{"name", c.name}, {"arguments", json::serialize(input_of(c))}}}});
    }
    message["tool_calls"] = std::move(calls);
  }
  return json::serialize(json::object{
      {"id", "chatcmpl-fake"},
      {"object", "chat.completion"},
      {"created", 0},
      {"model", model},
      {"choices", json::array{json::object{
                      {"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason_of(r)}}}},
      {"usage", openai_usage(r)}});
}

std::vector<std::string> openai_events(const FakeReply& r, const std::string& model, bool include_usage) {
  std::vector<std::string> out;
  auto chunk = [&](json::object delta, json::value finish) {
    json::object c{{"id", "chatcmpl-fake"}, {"object", "chat.completion.chunk"}, {"created", 0}, {"model", model}};
    c["choices"] = json::array{json::object{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}};
    out.push_back("data: " + json::serialize(c) + "\n\n");
  };
  chunk(json::object{{"role", "assistant"}, {"content", ""}}, nullptr);
  for (const std::string& piece : split(r.text, (r.text.size() + 2) / 3)) {
    chunk(json::object{{"content", piece}}, nullptr);
  }
  for (std::size_t j = 0; j < r.tool_calls.size(); ++j) {
    const FakeToolCall& c = r.tool_calls[j];
    chunk(json::object{{"tool_calls",
                        json::array{json::object{{"index", j},
                                                 {"id", c.id},
                                                 {"type", "function"},
                                                 {"function", json::object{{"name", c.name}, {"arguments", ""}}}}}}},
          nullptr);
    for (const std::string& f : split(json::serialize(input_of(c)), 5)) {
      chunk(json::object{{"tool_calls",
                          json::array{json::object{{"index", j}, {"function", json::object{{"arguments", f}}}}}}},
            nullptr);
    }
  }
  chunk(json::object(), json::value(finish_reason_of(r)));
  if (include_usage) {
    json::object u{{"id", "chatcmpl-fake"}, {"object", "chat.completion.chunk"}, {"created", 0},
                   {"model", model},        {"choices", json::array()},          {"usage", openai_usage(r)}};
    out.push_back("data: " + json::serialize(u) + "\n\n");
  }
  out.push_back("data: [DONE]\n\n");
  return out;
}

std::string error_json(Format format, unsigned status, const std::string& message) {
  if (format == Format::Anthropic) {
    std::string type = "api_error";
    if (status == 400)
      type = "invalid_request_error";
    else if (status == 401)
      type = "authentication_error";
    else if (status == 403)
      type = "permission_error";
    else if (status == 404)
      type = "not_found_error";
    else if (status == 429)
      type = "rate_limit_error";
    else if (status == 529)
      type = "overloaded_error";
    return json::serialize(
        json::object{{"type", "error"}, {"error", json::object{{"type", type}, {"message", message}}}});
  }
  return json::serialize(
      json::object{{"error", json::object{{"message", message},
                                          {"type", status == 429 ? "rate_limit_exceeded" : "server_error"},
                                          {"code", nullptr}}}});
}

}  // namespace

struct FakeModelServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::steady_timer release{io};  // never expires; cancel() releases held connections. io thread only.
  std::thread thread;
  std::string base_url;

  mutable std::mutex mu;  // guards queue and requests
  std::deque<FakeReply> queue;
  std::vector<RecordedRequest> requests;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io, serve(std::move(socket)), [](std::exception_ptr) {});
    }
  }

  asio::awaitable<void> write_all(beast::tcp_stream& stream, const std::string& bytes, beast::error_code& ec) {
    co_await asio::async_write(stream, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    beast::error_code ec;
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const auto& req = parser.get();
    RecordedRequest rec;
    rec.method = std::string(req.method_string());
    rec.target = std::string(req.target());
    for (const auto& field : req) rec.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    rec.body = req.body();
    boost::system::error_code jec;
    rec.json = json::parse(rec.body, jec);
    if (jec) rec.json = nullptr;

    std::optional<FakeReply> scripted;
    {
      std::lock_guard lock(mu);
      requests.push_back(rec);
      if (!queue.empty()) {
        scripted = std::move(queue.front());
        queue.pop_front();
      }
    }
    const bool anthropic = rec.target.ends_with("/v1/messages");
    const bool openai = rec.target.ends_with("/chat/completions");
    const Format format = anthropic ? Format::Anthropic : Format::OpenAi;
    bool streaming = false, include_usage = false;
    std::string model = "fake-model";
    if (rec.json.is_object()) {
      const json::object& o = rec.json.get_object();
      if (auto* s = o.if_contains("stream"); s != nullptr && s->is_bool()) streaming = s->get_bool();
      if (auto* m = o.if_contains("model"); m != nullptr && m->is_string()) model = std::string(m->get_string());
      if (auto* so = o.if_contains("stream_options"); so != nullptr && so->is_object()) {
        if (auto* iu = so->get_object().if_contains("include_usage"); iu != nullptr && iu->is_bool()) {
          include_usage = iu->get_bool();
        }
      }
    }

    http::response<http::string_body> res;
    res.version(11);
    res.keep_alive(false);
    res.set(http::field::server, "wasmgate-fake-model");
    if (!anthropic && !openai) {
      res.result(404);
      res.set(http::field::content_type, "application/json");
      res.body() = error_json(Format::OpenAi, 404, "fake model server: no route for " + rec.target);
    } else if (!scripted) {
      res.result(500);
      res.set(http::field::content_type, "application/json");
      res.body() = error_json(format, 500, "fake model server: no scripted reply left");
    } else if (scripted->kind == FakeReply::Kind::Hang) {
      // Hold the connection, answering nothing, until released or stopped.
      co_await release.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      co_return;
    } else if (scripted->kind == FakeReply::Kind::HttpError || scripted->kind == FakeReply::Kind::Raw) {
      res.result(scripted->status);
      res.set(http::field::content_type, scripted->content_type);
      for (const auto& [name, value] : scripted->headers) res.set(name, value);
      res.body() = scripted->kind == FakeReply::Kind::Raw ? scripted->body
                                                          : error_json(format, scripted->status, scripted->body);
    } else if (!streaming) {
      res.result(200);
      res.set(http::field::content_type, "application/json");
      res.body() = anthropic ? anthropic_json(*scripted, model) : openai_json(*scripted, model);
    } else {
      // A chunked event stream, one chunk (and one write) per event, so the
      // client sees the reply arrive in pieces.
      std::string head =
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
      co_await write_all(stream, head, ec);
      const auto events =
          anthropic ? anthropic_events(*scripted, model) : openai_events(*scripted, model, include_usage);
      for (const std::string& e : events) {
        if (ec) co_return;
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", e.size());
        co_await write_all(stream, std::string(size) + e + "\r\n", ec);
      }
      if (!ec) co_await write_all(stream, "0\r\n\r\n", ec);
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      co_return;
    }
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }
};

Result<std::unique_ptr<FakeModelServer>> FakeModelServer::start() {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(ErrorCode::Io, "fake model server: listen on 127.0.0.1: " + ec.message());
  impl->base_url = "http://127.0.0.1:" + std::to_string(impl->acceptor.local_endpoint().port());
  impl->release.expires_at(asio::steady_timer::time_point::max());
  Impl* raw = impl.get();
  asio::co_spawn(raw->io, raw->accept_loop(), [](std::exception_ptr) {});
  raw->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<FakeModelServer>(new FakeModelServer(std::move(impl)));
}

FakeModelServer::FakeModelServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FakeModelServer::~FakeModelServer() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeModelServer::base_url() const { return impl_->base_url; }

void FakeModelServer::push(FakeReply reply) {
  std::lock_guard lock(impl_->mu);
  impl_->queue.push_back(std::move(reply));
}

std::size_t FakeModelServer::pending_replies() const {
  std::lock_guard lock(impl_->mu);
  return impl_->queue.size();
}

std::vector<RecordedRequest> FakeModelServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->requests;
}

void FakeModelServer::release_held() {
  asio::post(impl_->io, [impl = impl_.get()] { impl->release.cancel(); });
}

}  // namespace wg::llm::testing
