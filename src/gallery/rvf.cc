#include "gallery/rvf.h"

#include <array>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <string>

#include "base/byte_reader.h"
#include "base/check.h"
#include "base/sha256.h"
#include "gallery/json_util.h"

namespace wg::gallery {
namespace json = boost::json;

namespace {

// Canonical order of segment kinds; a container lists them in this order.
constexpr std::array<RvfSegmentKind, 5> kKindOrder = {
    RvfSegmentKind::Agent,   RvfSegmentKind::Skills,          RvfSegmentKind::McpTools,
    RvfSegmentKind::Prompts, RvfSegmentKind::ToolDefinitions,
};

std::string fourcc(std::uint32_t kind) {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((kind >> (8 * i)) & 0xff);
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

int kind_rank(std::uint32_t kind) {
  for (std::size_t i = 0; i < kKindOrder.size(); ++i) {
    if (static_cast<std::uint32_t>(kKindOrder[i]) == kind) return static_cast<int>(i);
  }
  return -1;
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
}

std::unexpected<Error> malformed(std::string message) {
  return make_error(ErrorCode::Malformed, "RVF: " + std::move(message));
}

struct Segment {
  RvfSegmentKind kind;
  std::string payload;
};

}  // namespace

Result<std::vector<std::uint8_t>> encode_rvf(const RvfContents& c) {
  if (!c.agent.skills.empty() || !c.agent.prompts.empty() || !c.agent.mcp_tools.empty() ||
      !c.agent.tool_definitions.empty()) {
    return make_error(ErrorCode::Invalid,
                      "RVF: the agent template carries skills/prompts/mcpTools/toolDefinitions; put them in the "
                      "RvfContents lists (rvf_from_template does)");
  }
  // Validate the whole as one template so a container we write always
  // decodes.
  WG_TRY(template_from_rvf(c));

  std::vector<Segment> segments;
  segments.push_back({RvfSegmentKind::Agent, json::serialize(rvf_agent_to_json(c.agent))});
  if (!c.skills.empty()) segments.push_back({RvfSegmentKind::Skills, json::serialize(skills_to_json(c.skills))});
  if (!c.mcp_tools.empty()) {
    segments.push_back({RvfSegmentKind::McpTools, json::serialize(mcp_tools_to_json(c.mcp_tools))});
  }
  if (!c.prompts.empty()) segments.push_back({RvfSegmentKind::Prompts, json::serialize(prompts_to_json(c.prompts))});
  if (!c.tool_definitions.empty()) {
    segments.push_back(
        {RvfSegmentKind::ToolDefinitions, json::serialize(tool_definitions_to_json(c.tool_definitions))});
  }

  std::size_t total = kRvfHeaderBytes + kRvfTableEntryBytes * segments.size() + kRvfTrailerBytes;
  for (const Segment& s : segments) {
    if (s.payload.size() > kRvfMaxSegmentBytes) {
      return make_error(ErrorCode::LimitExceeded, "RVF: segment " + fourcc(static_cast<std::uint32_t>(s.kind)) +
                                                      " would be " + std::to_string(s.payload.size()) +
                                                      " bytes; the limit is " + std::to_string(kRvfMaxSegmentBytes));
    }
    total += s.payload.size();
  }
  if (total > kRvfMaxBytes) {
    return make_error(ErrorCode::LimitExceeded, "RVF: the container would be " + std::to_string(total) +
                                                    " bytes; the limit is " + std::to_string(kRvfMaxBytes));
  }

  std::vector<std::uint8_t> out;
  out.reserve(total);
  out.insert(out.end(), std::begin(kRvfMagic), std::end(kRvfMagic));
  put_u16(out, kRvfVersion);
  put_u16(out, 0);
  put_u32(out, static_cast<std::uint32_t>(segments.size()));
  for (const Segment& s : segments) {
    put_u32(out, static_cast<std::uint32_t>(s.kind));
    put_u32(out, static_cast<std::uint32_t>(s.payload.size()));
  }
  for (const Segment& s : segments) out.insert(out.end(), s.payload.begin(), s.payload.end());
  const Sha256Digest digest = Sha256::digest(std::span<const std::uint8_t>(out));
  out.insert(out.end(), digest.begin(), digest.end());
  WG_CHECK(out.size() == total);
  return out;
}

Result<RvfContents> decode_rvf(std::span<const std::uint8_t> bytes) {
  constexpr std::size_t kMinBytes = kRvfHeaderBytes + kRvfTableEntryBytes + kRvfTrailerBytes;
  if (bytes.size() < kMinBytes) {
    return malformed("truncated: " + std::to_string(bytes.size()) + " bytes; a container has at least " +
                     std::to_string(kMinBytes));
  }
  if (bytes.size() > kRvfMaxBytes) {
    return make_error(ErrorCode::LimitExceeded,
                      "RVF: " + std::to_string(bytes.size()) + " bytes; the limit is " + std::to_string(kRvfMaxBytes));
  }
  if (std::memcmp(bytes.data(), kRvfMagic, sizeof kRvfMagic) != 0) {
    return malformed("bad magic at offset 0: not an RVF container");
  }
  const std::size_t body_size = bytes.size() - kRvfTrailerBytes;
  ByteReader reader(bytes.first(body_size));
  WG_TRY(reader.skip(sizeof kRvfMagic));
  const std::uint8_t v_lo = WG_TRY(reader.read_u8());
  const std::uint8_t v_hi = WG_TRY(reader.read_u8());
  const std::uint16_t version = static_cast<std::uint16_t>(v_lo | (v_hi << 8));
  if (version != kRvfVersion) {
    return make_error(ErrorCode::Unsupported, "RVF: format version " + std::to_string(version) +
                                                  " at offset 4; this build reads version " +
                                                  std::to_string(kRvfVersion));
  }
  // Spec: FIPS 180-4 SHA-256 over every byte before the trailer.
  const Sha256Digest digest = Sha256::digest(bytes.first(body_size));
  if (std::memcmp(digest.data(), bytes.data() + body_size, kRvfTrailerBytes) != 0) {
    return malformed("checksum mismatch: the SHA-256 trailer at offset " + std::to_string(body_size) +
                     " does not match the contents (corrupted or truncated)");
  }
  const std::uint8_t f_lo = WG_TRY(reader.read_u8());
  const std::uint8_t f_hi = WG_TRY(reader.read_u8());
  if (f_lo != 0 || f_hi != 0) {
    return make_error(ErrorCode::Unsupported,
                      "RVF: flags at offset 6 are " + std::to_string(f_lo | (f_hi << 8)) + "; version 1 defines none");
  }
  const std::uint32_t count = WG_TRY(reader.read_u32_le());
  if (count == 0 || count > kRvfMaxSegments) {
    return malformed("segment count " + std::to_string(count) + " at offset 8; expected 1.." +
                     std::to_string(kRvfMaxSegments));
  }
  if (reader.remaining() < std::size_t{count} * kRvfTableEntryBytes) {
    return malformed("segment table of " + std::to_string(count) + " entries runs past the end of the container");
  }
  struct Entry {
    std::uint32_t kind;
    std::uint32_t length;
    std::size_t table_offset;
  };
  std::vector<Entry> entries;
  int last_rank = -1;
  std::uint64_t payload_total = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t at = reader.offset();
    const std::uint32_t kind = WG_TRY(reader.read_u32_le());
    const std::uint32_t length = WG_TRY(reader.read_u32_le());
    const int rank = kind_rank(kind);
    if (rank < 0) return malformed("unknown segment kind \"" + fourcc(kind) + "\" at offset " + std::to_string(at));
    if (i == 0 && rank != 0) return malformed("the first segment must be AGNT, got \"" + fourcc(kind) + "\"");
    if (rank <= last_rank) {
      return malformed("segment \"" + fourcc(kind) + "\" at offset " + std::to_string(at) +
                       " is repeated or out of order (order: AGNT, SKIL, MCPT, PRMT, TOOL)");
    }
    last_rank = rank;
    if (length == 0 || length > kRvfMaxSegmentBytes) {
      return malformed("segment \"" + fourcc(kind) + "\" length " + std::to_string(length) + " at offset " +
                       std::to_string(at + 4) + "; expected 1.." + std::to_string(kRvfMaxSegmentBytes));
    }
    payload_total += length;
    entries.push_back({kind, length, at});
  }
  if (payload_total != reader.remaining()) {
    return malformed("segment lengths add up to " + std::to_string(payload_total) + " bytes but " +
                     std::to_string(reader.remaining()) + " bytes lie between the table and the checksum");
  }

  RvfContents out;
  for (const Entry& e : entries) {
    const std::size_t at = reader.offset();
    const auto payload = WG_TRY(reader.read_bytes(e.length));
    const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
    const std::string where = "RVF segment " + fourcc(e.kind) + " at offset " + std::to_string(at);
    const json::value value = WG_TRY_CTX(parse_json_text(text, JsonTextLimits{kRvfMaxSegmentBytes, 32}), where);
    switch (static_cast<RvfSegmentKind>(e.kind)) {
      case RvfSegmentKind::Agent: out.agent = WG_TRY_CTX(parse_rvf_agent(value, "agent"), where); break;
      case RvfSegmentKind::Skills: out.skills = WG_TRY_CTX(parse_skills(value, "skills"), where); break;
      case RvfSegmentKind::McpTools: out.mcp_tools = WG_TRY_CTX(parse_mcp_tools(value, "mcpTools"), where); break;
      case RvfSegmentKind::Prompts: out.prompts = WG_TRY_CTX(parse_prompts(value, "prompts"), where); break;
      case RvfSegmentKind::ToolDefinitions:
        out.tool_definitions = WG_TRY_CTX(parse_tool_definitions(value, "tools"), where);
        break;
    }
  }
  WG_CHECK(reader.at_end());
  return out;
}

RvfContents rvf_from_template(const Template& tmpl) {
  RvfContents c;
  c.agent = tmpl;
  c.skills = std::move(c.agent.skills);
  c.prompts = std::move(c.agent.prompts);
  c.mcp_tools = std::move(c.agent.mcp_tools);
  c.tool_definitions = std::move(c.agent.tool_definitions);
  c.agent.skills.clear();
  c.agent.prompts.clear();
  c.agent.mcp_tools.clear();
  c.agent.tool_definitions.clear();
  c.agent.custom = false;  // not part of the container
  return c;
}

Result<Template> template_from_rvf(const RvfContents& c) {
  Template t = c.agent;
  t.skills = c.skills;
  t.prompts = c.prompts;
  t.mcp_tools = c.mcp_tools;
  t.tool_definitions = c.tool_definitions;
  t.custom = true;
  WG_TRY_CTX(validate_template(t, "agent"), "RVF");
  return t;
}

namespace {

constexpr std::array<std::string_view, 9> kComposeKeys = {
    "name", "description", "model", "instructions", "maxTurns", "skills", "mcpTools", "prompts", "tools",
};

// Replaces bare-name strings in an array with {"name": string}.
json::value names_to_objects(const json::value& v) {
  const json::array* arr = v.if_array();
  if (arr == nullptr) return v;
  json::array out;
  for (const json::value& item : *arr) {
    if (const json::string* s = item.if_string()) {
      out.push_back(json::object{{"name", *s}});
    } else {
      out.push_back(item);
    }
  }
  return out;
}

}  // namespace

Result<RvfContents> compose_rvf(const json::value& args) {
  const json::object* obj = WG_TRY(expect_object(args, "compose", kComposeKeys));
  json::object agent;
  for (std::string_view key : {"name", "description", "model", "instructions", "maxTurns"}) {
    if (const json::value* v = obj->if_contains(key)) agent[key] = *v;
  }
  RvfContents c;
  c.agent = WG_TRY(parse_rvf_agent(agent, "compose"));
  if (const json::value* v = obj->if_contains("skills")) {
    c.skills = WG_TRY(parse_skills(names_to_objects(*v), "compose.skills"));
  }
  if (const json::value* v = obj->if_contains("mcpTools")) {
    c.mcp_tools = WG_TRY(parse_mcp_tools(names_to_objects(*v), "compose.mcpTools"));
  }
  if (const json::value* v = obj->if_contains("prompts")) {
    json::value prompts = *v;
    if (json::array* arr = prompts.if_array()) {
      for (std::size_t i = 0; i < arr->size(); ++i) {
        json::object* p = (*arr)[i].if_object();
        if (p == nullptr || !p->contains("system_prompt")) continue;
        if (p->contains("systemPrompt")) {
          return make_error(ErrorCode::Invalid,
                            "compose.prompts[" + std::to_string(i) + "]: give systemPrompt or system_prompt, not both");
        }
        json::value text = (*p)["system_prompt"];
        p->erase("system_prompt");
        (*p)["systemPrompt"] = std::move(text);
      }
    }
    c.prompts = WG_TRY(parse_prompts(prompts, "compose.prompts"));
  }
  if (const json::value* v = obj->if_contains("tools")) {
    c.tool_definitions = WG_TRY(parse_tool_definitions(*v, "compose.tools"));
  }
  WG_TRY(template_from_rvf(c));
  return c;
}

}  // namespace wg::gallery
