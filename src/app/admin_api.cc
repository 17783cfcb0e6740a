#include "app/admin_api.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include "agent/service.h"
#include "app/policy_runtime.h"
#include "mcp/protocol/strict_json.h"
#include "web/dashboard.h"

namespace wg::app {
namespace json = boost::json;

std::string iso8601(store::EpochMs ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

store::EpochMs now_ms(const AdminContext& c) {
  if (c.policy) return c.policy->clock.now().time_since_epoch().count();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

mcp::HttpReply json_reply(unsigned status, const json::value& body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Cache-Control", "no-store");
  headers.emplace_back("X-Content-Type-Options", "nosniff");
  return mcp::HttpReply{status, "application/json", json::serialize(body) + "\n", std::move(headers)};
}

mcp::HttpReply error_reply(unsigned status, std::string_view code, std::string_view message,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
  return json_reply(status, json::object{{"error", json::object{{"code", code}, {"message", message}}}},
                    std::move(headers));
}

mcp::HttpReply method_not_allowed(std::string_view method, std::string_view allow) {
  return error_reply(405, "method_not_allowed", std::string(method) + " is not allowed here; use " + std::string(allow),
                     {{"Allow", std::string(allow)}});
}

// "a=1&b=2" -> value of `key` (no percent-decoding: our parameters are plain).
std::optional<std::string_view> query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

mcp::HttpReply dashboard(const mcp::HttpRequestView& r) {
  if (r.method != "GET") return method_not_allowed(r.method, "GET");
  return mcp::HttpReply{200,
                        "text/html; charset=utf-8",
                        std::string(web::dashboard_html()),
                        {{"Content-Security-Policy", std::string(web::dashboard_csp())},
                         {"X-Frame-Options", "DENY"},
                         {"X-Content-Type-Options", "nosniff"},
                         {"Referrer-Policy", "no-referrer"},
                         {"Cache-Control", "no-store"}}};
}

mcp::HttpReply no_policy() {
  return error_reply(404, "no_policy", "no policy gate is running (started with --no-policy): nothing to show");
}

mcp::HttpReply status(const AdminContext& c, const mcp::HttpRequestView& r) {
  json::object s{
      {"name", "wasmgate"}, {"version", web::server_version()}, {"mode", c.mode}, {"authRequired", r.auth_required}};
  s["identity"] = r.identity ? json::value(*r.identity) : json::value(nullptr);
  if (!c.policy) {
    s["policy"] = nullptr;
    return json_reply(200, s);
  }
  json::object p{{"source", c.policy_source}};
  auto current = c.policy->holder->current();
  p["revision"] = current ? current->revision : std::string();
  p["hotReload"] = !c.policy->holder->path().empty();
  if (auto e = c.policy->holder->last_error()) {
    p["reloadError"] = e->message();
  } else {
    p["reloadError"] = nullptr;
  }
  s["policy"] = std::move(p);
  if (c.policy->audit) {
    s["audit"] = json::object{{"records", c.policy->audit->size()}, {"headHash", c.policy->audit->head_hash()}};
  }
  auto pending = c.policy->store->list_approvals(now_ms(c), store::ApprovalStatus::Pending);
  if (!pending) return error_reply(500, "internal", pending.error().message());
  s["approvals"] = json::object{{"pending", pending->size()}};
  return json_reply(200, s);
}

mcp::HttpReply list_approvals(const AdminContext& c, std::string_view query) {
  const auto all = query_param(query, "all");
  const bool every = all && (*all == "1" || *all == "true");
  if (all && !every && *all != "0" && *all != "false") {
    return error_reply(400, "bad_request", "all must be 1, true, 0 or false");
  }
  auto records =
      c.policy->store->list_approvals(now_ms(c), every ? std::nullopt : std::optional(store::ApprovalStatus::Pending));
  if (!records) return error_reply(500, "internal", records.error().message());
  json::array out;
  for (const auto& rec : *records) out.push_back(approval_json(rec));
  return json_reply(200, json::object{{"approvals", std::move(out)}});
}

mcp::HttpReply decide(const AdminContext& c, const mcp::HttpRequestView& r, std::string_view id,
                      store::ApprovalStatus verdict) {
  if (r.body.size() > c.limits.max_body_bytes) {
    return error_reply(413, "payload_too_large",
                       "request body exceeds " + std::to_string(c.limits.max_body_bytes) + " bytes");
  }
  std::string by;
  if (!r.body.empty()) {
    auto parsed = mcp::parse_strict(r.body);
    if (!parsed) return error_reply(400, "bad_request", "body is not valid JSON: " + parsed.error().message());
    if (!parsed->is_object()) return error_reply(400, "bad_request", "body must be a JSON object");
    for (const auto& [key, value] : parsed->get_object()) {
      if (key != "by")
        return error_reply(400, "bad_request", "unknown member \"" + std::string(key) + "\" (only \"by\")");
      if (!value.is_string() || value.get_string().empty() || value.get_string().size() > 128) {
        return error_reply(400, "bad_request", "\"by\" must be a string of 1 to 128 characters");
      }
      by = std::string(value.get_string());
    }
  }
  if (by.empty()) by = r.identity && !r.identity->empty() ? *r.identity : "admin-api";
  const store::EpochMs now = now_ms(c);
  auto record = c.policy->store->get_approval(id, now);
  if (!record) {
    if (record.error().code() == ErrorCode::NotFound) {
      return error_reply(404, "not_found", "no approval " + std::string(id));
    }
    return error_reply(500, "internal", record.error().message());
  }
  // The human in the loop must be someone else than the client whose call
  // asked for approval.
  if (r.identity && !r.identity->empty() && record->request.identity == *r.identity) {
    return error_reply(403, "forbidden",
                       "identity \"" + *r.identity + "\" requested this approval and cannot decide it");
  }
  if (auto st = c.policy->store->decide_approval(id, verdict, by, now); !st) {
    switch (st.error().code()) {
      case ErrorCode::NotFound: return error_reply(404, "not_found", st.error().message());
      case ErrorCode::Invalid: return error_reply(409, "conflict", st.error().message());
      default: return error_reply(500, "internal", st.error().message());
    }
  }
  auto decided = c.policy->store->get_approval(id, now);
  if (!decided) return error_reply(500, "internal", decided.error().message());
  return json_reply(200, json::object{{"approval", approval_json(*decided)}});
}

mcp::HttpReply audit(const AdminContext& c, std::string_view query) {
  std::size_t limit = 50;
  if (auto text = query_param(query, "limit")) {
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc() || end != text->data() + text->size() || limit == 0 || limit > c.limits.max_audit_records) {
      return error_reply(400, "bad_request",
                         "limit must be a number from 1 to " + std::to_string(c.limits.max_audit_records));
    }
  }
  auto records = tail_jsonl(c.audit_path, limit, c.limits.max_audit_tail_bytes);
  if (!records) return error_reply(500, "internal", records.error().message());
  json::object out{{"records", std::move(*records)}};
  if (c.policy->audit) out["total"] = c.policy->audit->size();
  return json_reply(200, out);
}

mcp::HttpReply agents(const AdminContext& c) {
  if (!c.agents) return error_reply(404, "not_found", "this server hosts no agents (wasmgate proxy)");
  auto listed = c.agents->list();
  if (!listed) return error_reply(500, "internal", listed.error().message());
  return json_reply(200, listed->structured);
}

mcp::HttpReply api(const AdminContext& c, const mcp::HttpRequestView& r, std::string_view path,
                   std::string_view query) {
  if (r.auth_required && !r.identity) {
    return error_reply(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer TOKEN)",
                       {{"WWW-Authenticate", "Bearer"}});
  }
  const bool get = r.method == "GET";
  if (path == "/api/status") return get ? status(c, r) : method_not_allowed(r.method, "GET");
  if (path == "/api/agents") return get ? agents(c) : method_not_allowed(r.method, "GET");
  if (path == "/api/audit") {
    if (!get) return method_not_allowed(r.method, "GET");
    return c.policy ? audit(c, query) : no_policy();
  }
  if (path == "/api/approvals") {
    if (!get) return method_not_allowed(r.method, "GET");
    return c.policy ? list_approvals(c, query) : no_policy();
  }
  constexpr std::string_view kPrefix = "/api/approvals/";
  if (path.starts_with(kPrefix)) {
    const std::string_view rest = path.substr(kPrefix.size());
    const std::size_t slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    const std::string_view action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (id.empty() || (action != "approve" && action != "deny")) {
      return error_reply(404, "not_found", "no such endpoint: " + std::string(path));
    }
    if (r.method != "POST") return method_not_allowed(r.method, "POST");
    // A form post from another site cannot carry this type without a CORS
    // preflight, which this server never answers positively.
    std::string type = r.content_type.substr(0, r.content_type.find(';'));
    for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    if (type != "application/json") {
      return error_reply(415, "unsupported_media_type", "POST bodies must be sent as Content-Type: application/json");
    }
    if (!c.policy) return no_policy();
    return decide(c, r, id, action == "approve" ? store::ApprovalStatus::Approved : store::ApprovalStatus::Denied);
  }
  return error_reply(404, "not_found", "no such endpoint: " + std::string(path));
}

}  // namespace

json::object approval_json(const store::ApprovalRecord& r) {
  const auto& q = r.request;
  json::object item{{"id", r.id},
                    {"status", store::to_string(r.status)},
                    {"kind", q.binding.kind},
                    {"tool", q.binding.tool},
                    {"argsDigest", q.binding.args_digest},
                    {"revision", q.binding.revision},
                    {"rule", q.rule},
                    {"reason", q.reason},
                    {"session", q.session},
                    {"identity", q.identity},
                    {"args", q.args_preview},
                    {"created", iso8601(q.created_ms)},
                    {"expires", iso8601(q.expires_ms)},
                    {"decidedBy", r.decided_by}};
  if (r.decided_ms) item["decided"] = iso8601(*r.decided_ms);
  if (r.used_ms) item["used"] = iso8601(*r.used_ms);
  return item;
}

Result<json::array> tail_jsonl(const std::string& path, std::size_t limit, std::size_t max_bytes) {
  json::array out;
  std::error_code exists_ec;
  if (path.empty() || !std::filesystem::exists(path, exists_ec)) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, path + ": cannot open");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return make_error(ErrorCode::Io, path + ": cannot seek");
  // Read blocks backwards until limit + 1 newlines are in hand (the extra
  // one marks where the first wanted line starts) or the budget is spent.
  constexpr std::streamoff kBlock = 64 * 1024;
  std::string tail;
  std::streamoff pos = size;
  std::size_t newlines = 0;
  while (pos > 0 && newlines <= limit && tail.size() < max_bytes) {
    const std::streamoff n = std::min<std::streamoff>(kBlock, pos);
    pos -= n;
    std::string block(static_cast<std::size_t>(n), '\0');
    in.seekg(pos);
    if (!in.read(block.data(), n)) return make_error(ErrorCode::Io, path + ": cannot read");
    for (char ch : block) newlines += ch == '\n';
    tail.insert(0, block);
  }
  // Only complete lines: drop a line still being written at the end, and
  // the partial first line when we did not read from the start.
  const std::size_t last_newline = tail.rfind('\n');
  if (last_newline == std::string::npos) return out;
  tail.resize(last_newline + 1);
  std::size_t start = 0;
  if (pos > 0) start = tail.find('\n') + 1;
  std::vector<std::string_view> lines;
  for (std::size_t i = start; i < tail.size();) {
    const std::size_t end = tail.find('\n', i);
    lines.emplace_back(tail.data() + i, end - i);
    i = end + 1;
  }
  const std::size_t first = lines.size() > limit ? lines.size() - limit : 0;
  for (std::size_t i = first; i < lines.size(); ++i) {
    boost::system::error_code ec;
    json::value v = json::parse(lines[i], ec);
    if (!ec && v.is_object()) out.push_back(std::move(v));
  }
  return out;
}

std::optional<mcp::HttpReply> handle_admin_request(const AdminContext& context, const mcp::HttpRequestView& request) {
  const std::string_view target(request.target);
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (path == "/" || path == "/index.html") return dashboard(request);
  if (path == "/api" || path.starts_with("/api/")) return api(context, request, path, query);
  return std::nullopt;
}

mcp::HttpFallback admin_fallback(AdminContext context) {
  return [context = std::move(context)](const mcp::HttpRequestView& request) {
    return handle_admin_request(context, request);
  };
}

}  // namespace wg::app
