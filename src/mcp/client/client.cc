#include "mcp/client/client.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "base/check.h"
#include "mcp/protocol/str_cat.h"

namespace wg::mcp {
namespace json = boost::json;
namespace asio = boost::asio;

namespace {
std::unexpected<RpcError> local_error(std::string message) {
  return std::unexpected(RpcError{static_cast<std::int32_t>(RpcCode::InternalError), std::move(message), std::nullopt});
}
}  // namespace

Client::Client(asio::any_io_executor executor, std::unique_ptr<ClientTransport> transport, ClientOptions options)
    : strand_(asio::make_strand(std::move(executor))), transport_(std::move(transport)), options_(std::move(options)) {
  WG_CHECK(transport_ != nullptr);
}

std::shared_ptr<Client> Client::create(asio::any_io_executor executor, std::unique_ptr<ClientTransport> transport,
                                       ClientOptions options) {
  return std::shared_ptr<Client>(new Client(std::move(executor), std::move(transport), std::move(options)));
}

Client::~Client() = default;

void Client::on_request(RequestHandler handler) {
  asio::dispatch(strand_, [self = shared_from_this(), handler = std::move(handler)]() mutable {
    self->request_handler_ = std::move(handler);
  });
}

void Client::on_notification(NotificationHandler handler) {
  asio::dispatch(strand_, [self = shared_from_this(), handler = std::move(handler)]() mutable {
    self->notification_handler_ = std::move(handler);
  });
}

void Client::on_closed(std::function<void(const Error&)> handler) {
  asio::dispatch(strand_, [self = shared_from_this(), handler = std::move(handler)]() mutable {
    self->closed_handler_ = std::move(handler);
  });
}

void Client::start_transport() {
  if (started_) return;
  started_ = true;
  // The transport calls back on its own thread (e.g. the stdio reader).
  // Only a weak pointer and a copy of the strand cross over; the Client is
  // locked on the strand. Locking it on the reader thread could make that
  // thread drop the last reference, and the Client's destructor would then
  // join the reader from the reader itself.
  std::weak_ptr<Client> weak = weak_from_this();
  auto strand = strand_;
  transport_->start(
      [weak, strand](std::string text) {
        asio::post(strand, [weak, text = std::move(text)] {
          if (auto self = weak.lock()) self->receive(text);
        });
      },
      [weak, strand](Error error) {
        asio::post(strand, [weak, error = std::move(error)] {
          auto self = weak.lock();
          if (!self || self->closed_) return;
          self->closed_ = true;
          self->fail_all(str_cat("upstream closed: ", error.message()));
          if (self->closed_handler_) self->closed_handler_(error);
        });
      });
}

void Client::initialize(RpcReplyHandler done) {
  asio::dispatch(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    self->start_transport();
    json::object params{
        {"protocolVersion", self->options_.protocol_version},
        {"capabilities", self->options_.capabilities},
        {"clientInfo", json::object{{"name", self->options_.name}, {"version", self->options_.version}}}};
    self->request("initialize", std::move(params), [self, done = std::move(done)](RpcReply reply) mutable {
      if (!reply) return done(std::move(reply));
      // Spec: basic/lifecycle "Version Negotiation": disconnect when the
      // server answers with a version we do not support.
      const json::value* v = reply->if_contains("protocolVersion");
      if (!v || !v->is_string() || !is_supported_protocol_version(v->get_string())) {
        self->close();
        return done(local_error(str_cat("upstream answered an unsupported protocol version ",
                                        v && v->is_string() ? std::string(v->get_string()) : std::string("(none)"))));
      }
      self->protocol_version_ = std::string(v->get_string());
      if (const json::value* c = reply->if_contains("capabilities"); c && c->is_object()) {
        self->server_capabilities_ = c->get_object();
      }
      if (const json::value* i = reply->if_contains("serverInfo"); i && i->is_object()) {
        self->server_info_ = i->get_object();
      }
      self->transport_->set_protocol_version(self->protocol_version_);
      self->notify("notifications/initialized");
      done(std::move(reply));
    });
  });
}

RequestId Client::request(std::string method, json::object params, RpcReplyHandler done,
                          std::optional<std::chrono::milliseconds> timeout) {
  WG_CHECK(done != nullptr);
  const RequestId id(next_id_.fetch_add(1));
  asio::dispatch(strand_, [self = shared_from_this(), id, method = std::move(method), params = std::move(params),
                           done = std::move(done), timeout]() mutable {
    if (self->closed_) return done(local_error(str_cat(method, ": the upstream connection is closed")));
    self->start_transport();
    const auto limit = timeout.value_or(self->options_.request_timeout);
    Pending pending{std::move(done), std::make_unique<asio::steady_timer>(self->strand_, limit)};
    pending.timer->async_wait([weak = self->weak_from_this(), id, method, limit](const boost::system::error_code& ec) {
      auto s = weak.lock();
      if (ec || !s) return;
      auto it = s->pending_.find(id);
      if (it == s->pending_.end()) return;
      RpcReplyHandler cb = std::move(it->second.done);
      s->pending_.erase(it);
      // Spec: basic/utilities/cancellation.
      s->transport_->send(encode_notification("notifications/cancelled",
                                              json::object{{"requestId", id.to_json()}, {"reason", "timed out"}}));
      cb(local_error(str_cat(method, ": no response within ", limit.count(), " ms")));
    });
    self->pending_.emplace(id, std::move(pending));
    self->transport_->send(encode_request(id, method, params));
  });
  return id;
}

void Client::cancel(RequestId id, std::string reason) {
  asio::dispatch(strand_, [self = shared_from_this(), id = std::move(id), reason = std::move(reason)] {
    auto it = self->pending_.find(id);
    if (it == self->pending_.end()) return;
    RpcReplyHandler cb = std::move(it->second.done);
    it->second.timer->cancel();
    self->pending_.erase(it);
    // The handler runs before the upstream hears of it, so whatever the
    // handler does (e.g. release a reservation) precedes the upstream's
    // reaction.
    cb(local_error(str_cat("cancelled: ", reason)));
    // Spec: basic/utilities/cancellation.
    if (!self->closed_) {
      self->transport_->send(encode_notification("notifications/cancelled",
                                                 json::object{{"requestId", id.to_json()}, {"reason", reason}}));
    }
  });
}

void Client::notify(std::string method, json::object params) {
  asio::dispatch(strand_, [self = shared_from_this(), method = std::move(method), params = std::move(params)] {
    if (self->closed_) return;
    self->start_transport();
    self->transport_->send(encode_notification(method, params));
  });
}

void Client::close() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    if (self->closed_) return;
    self->closed_ = true;
    self->fail_all("the client closed the connection");
    self->transport_->close();
  });
}

void Client::fail_all(const std::string& why) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    p.timer->cancel();
    p.done(local_error(why));
  }
}

void Client::receive(const std::string& text) {
  if (closed_) return;
  const BatchMode batches = protocol_allows_batches(protocol_version_) ? BatchMode::Allowed : BatchMode::Refused;
  Decoded decoded = decode(text, batches, options_.limits);
  for (DecodedItem& item : decoded.items) {
    if (Fault* fault = std::get_if<Fault>(&item)) {
      // An upstream that breaks the envelope rules gets an error back when
      // it was a request; otherwise the message is dropped.
      if (fault->id) transport_->send(encode_fault(*fault));
      continue;
    }
    Message& m = std::get<Message>(item);
    switch (m.kind) {
      case MessageKind::Response:
      case MessageKind::ErrorResponse: {
        if (!m.id) break;
        auto it = pending_.find(*m.id);
        if (it == pending_.end()) break;  // late or unknown
        RpcReplyHandler cb = std::move(it->second.done);
        it->second.timer->cancel();
        pending_.erase(it);
        if (m.kind == MessageKind::Response) {
          cb(m.result.get_object());
        } else {
          cb(std::unexpected(m.error));
        }
        break;
      }
      case MessageKind::Notification:
        if (notification_handler_) notification_handler_(m.method, m.params);
        break;
      case MessageKind::Request: handle_request(m); break;
    }
  }
}

void Client::handle_request(const Message& m) {
  std::weak_ptr<Client> weak = weak_from_this();
  const RequestId id = *m.id;
  RpcReplyHandler reply = [weak, id](RpcReply r) {
    auto self = weak.lock();
    if (!self) return;
    asio::dispatch(self->strand_, [self, id, r = std::move(r)] {
      if (self->closed_) return;
      self->transport_->send(
          r ? encode_result(id, *r)
            : encode_error(id, static_cast<RpcCode>(r.error().code), r.error().message, r.error().data));
    });
  };
  if (request_handler_) return request_handler_(m.method, m.params, std::move(reply));
  if (m.method == "ping") return reply(json::object{});  // spec: basic/utilities/ping
  reply(std::unexpected(RpcError{static_cast<std::int32_t>(RpcCode::MethodNotFound),
                                 str_cat("Method not found: ", m.method), std::nullopt}));
}

}  // namespace wg::mcp
