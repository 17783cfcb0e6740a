#include "mcp/protocol/types.h"

#include <algorithm>
#include <boost/json/serialize.hpp>

namespace wg::mcp {
namespace json = boost::json;

bool is_supported_protocol_version(std::string_view version) {
  return std::ranges::find(kSupportedProtocolVersions, version) != kSupportedProtocolVersions.end();
}

std::string_view negotiate_protocol_version(std::string_view requested) {
  for (std::string_view v : kSupportedProtocolVersions) {
    if (v == requested) return v;
  }
  return kLatestProtocolVersion;
}

bool protocol_allows_batches(std::string_view version) { return version == "2025-03-26"; }

namespace {
constexpr std::array<std::string_view, 8> kLevelNames = {"debug", "info",     "notice", "warning",
                                                         "error", "critical", "alert",  "emergency"};
}

std::string_view to_string(LogLevel level) { return kLevelNames[static_cast<std::size_t>(level)]; }

std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == text) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

json::object text_content(std::string_view text) { return json::object{{"type", "text"}, {"text", text}}; }

json::object image_content(std::string_view base64_data, std::string_view mime_type) {
  return json::object{{"type", "image"}, {"data", base64_data}, {"mimeType", mime_type}};
}

json::object audio_content(std::string_view base64_data, std::string_view mime_type) {
  return json::object{{"type", "audio"}, {"data", base64_data}, {"mimeType", mime_type}};
}

json::object embedded_text_resource(std::string_view uri, std::string_view text, std::string_view mime_type) {
  json::object r{{"uri", uri}, {"text", text}};
  if (!mime_type.empty()) r["mimeType"] = mime_type;
  return json::object{{"type", "resource"}, {"resource", std::move(r)}};
}

json::object embedded_blob_resource(std::string_view uri, std::string_view base64_blob, std::string_view mime_type) {
  json::object r{{"uri", uri}, {"blob", base64_blob}};
  if (!mime_type.empty()) r["mimeType"] = mime_type;
  return json::object{{"type", "resource"}, {"resource", std::move(r)}};
}

json::object resource_link(std::string_view uri, std::string_view name, std::string_view description,
                           std::string_view mime_type) {
  json::object r{{"type", "resource_link"}, {"uri", uri}, {"name", name}};
  if (!description.empty()) r["description"] = description;
  if (!mime_type.empty()) r["mimeType"] = mime_type;
  return r;
}

ToolResult ToolResult::text(std::string_view text) {
  ToolResult r;
  r.content.push_back(text_content(text));
  return r;
}

ToolResult ToolResult::error(std::string_view message) {
  ToolResult r = text(message);
  r.is_error = true;
  return r;
}

ToolResult ToolResult::structured(json::object value) {
  ToolResult r;
  r.structured_content = std::move(value);
  return r;
}

json::object ToolResult::to_json() const {
  json::object o;
  o["content"] = content;
  // Spec: server/tools "Structured Content": a tool returning structured
  // content SHOULD also return it serialized in a text block, for clients
  // that do not read structuredContent.
  if (structured_content) {
    o["structuredContent"] = *structured_content;
    if (content.empty()) {
      o["content"] = json::array{text_content(json::serialize(*structured_content))};
    }
  }
  if (is_error) o["isError"] = true;
  return o;
}

}  // namespace wg::mcp
