// MCP protocol constants and value types shared by server and client.
//
// Spec: schema/2025-11-25/schema.ts (and 2025-06-18, 2025-03-26).
// Thread-safety: pure functions and value types.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace wg::mcp {

inline constexpr std::string_view kLatestProtocolVersion = "2025-11-25";
// Newest first. 2025-03-26 is accepted for older clients (it allows batches).
inline constexpr std::array<std::string_view, 3> kSupportedProtocolVersions = {"2025-11-25", "2025-06-18",
                                                                               "2025-03-26"};

bool is_supported_protocol_version(std::string_view version);
// Spec: basic/lifecycle "Version Negotiation": echo a supported version,
// otherwise answer with the latest one we support.
std::string_view negotiate_protocol_version(std::string_view requested);
// Batches exist only in 2025-03-26.
bool protocol_allows_batches(std::string_view version);

// Spec: server/utilities/logging, RFC 5424 severities, least severe first.
enum class LogLevel : std::uint8_t { Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency };
std::string_view to_string(LogLevel level);
std::optional<LogLevel> parse_log_level(std::string_view text);

// Content blocks (schema.ts ContentBlock). Each returns the JSON object.
boost::json::object text_content(std::string_view text);
boost::json::object image_content(std::string_view base64_data, std::string_view mime_type);
boost::json::object audio_content(std::string_view base64_data, std::string_view mime_type);
// An embedded resource with text contents.
boost::json::object embedded_text_resource(std::string_view uri, std::string_view text,
                                           std::string_view mime_type = {});
boost::json::object embedded_blob_resource(std::string_view uri, std::string_view base64_blob,
                                           std::string_view mime_type = {});
boost::json::object resource_link(std::string_view uri, std::string_view name, std::string_view description = {},
                                  std::string_view mime_type = {});

// The result of tools/call (schema.ts CallToolResult).
struct ToolResult {
  boost::json::array content;
  std::optional<boost::json::object> structured_content;
  bool is_error = false;

  static ToolResult text(std::string_view text);
  static ToolResult error(std::string_view message);
  static ToolResult structured(boost::json::object value);

  boost::json::object to_json() const;
};

}  // namespace wg::mcp
