// RVF: the checksummed binary container a template or a composed agent
// travels in (wasm_gallery_load_rvf, wasm_agent_compose), and that can be
// loaded back into an agent (template_from_rvf).
//
// Byte layout (all integers little-endian; docs/gallery.md has a diagram):
//   offset  size  field
//   0       4     magic 0x89 'R' 'V' 'F'
//   4       2     format version, 1
//   6       2     flags, 0 (any other value is refused)
//   8       4     segment count n, 1..5
//   12      8*n   segment table: {u32 kind, u32 length} per segment
//   12+8n   ...   payloads, in table order, each `length` bytes of UTF-8 JSON
//   end-32  32    SHA-256 of every byte before it
// Segment kinds are ASCII FourCCs read as a little-endian u32: "AGNT"
// (required, always first: the agent template without its lists), then the
// optional "SKIL" (skills), "MCPT" (MCP tool descriptors), "PRMT" (prompts),
// "TOOL" (tool definitions), each at most once, in that order, never empty.
// The order and the JSON serialization are fixed, so equal contents encode
// to equal bytes.
//
// decode_rvf() checks, in this order: minimum size, size cap, magic,
// version, checksum, flags, segment count, table bounds, each kind (known,
// in order, not repeated), each length (cap, and the lengths must add up to
// exactly the bytes between table and trailer), then each payload (strict
// JSON: no duplicate members, depth <= 32; then the same schema rules as a
// custom template). It reads nothing outside the given span and allocates
// at most about the input size. Failures: Malformed (structure, checksum,
// JSON syntax), Unsupported (version, flags), LimitExceeded (size caps),
// Invalid (schema); each message names the offset or segment.
// Thread-safety: pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/error.h"
#include "gallery/template.h"

namespace wg::gallery {

inline constexpr std::uint8_t kRvfMagic[4] = {0x89, 'R', 'V', 'F'};
inline constexpr std::uint16_t kRvfVersion = 1;
inline constexpr std::size_t kRvfHeaderBytes = 12;
inline constexpr std::size_t kRvfTableEntryBytes = 8;
inline constexpr std::size_t kRvfTrailerBytes = 32;
inline constexpr std::size_t kRvfMaxBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kRvfMaxSegmentBytes = 2 * 1024 * 1024;
inline constexpr std::size_t kRvfMaxSegments = 5;

enum class RvfSegmentKind : std::uint32_t {
  Agent = 0x544E4741,            // "AGNT"
  Skills = 0x4C494B53,           // "SKIL"
  McpTools = 0x5450434D,         // "MCPT"
  Prompts = 0x544D5250,          // "PRMT"
  ToolDefinitions = 0x4C4F4F54,  // "TOOL"
};

struct RvfContents {
  // The agent segment. Its skills/prompts/mcp_tools/tool_definitions are
  // always empty here: those travel in the fields below.
  Template agent;
  std::vector<Skill> skills;
  std::vector<McpToolDescriptor> mcp_tools;
  std::vector<Prompt> prompts;
  std::vector<ToolDefinition> tool_definitions;
  friend bool operator==(const RvfContents&, const RvfContents&) = default;
};

// Invalid when the contents break a template rule or `agent` carries lists;
// LimitExceeded when a segment or the container would pass a cap.
Result<std::vector<std::uint8_t>> encode_rvf(const RvfContents& contents);
Result<RvfContents> decode_rvf(std::span<const std::uint8_t> bytes);

// A template as RVF contents (its lists move to their segments).
RvfContents rvf_from_template(const Template& tmpl);
// RVF contents as a template an agent can be created from: the lists move
// back into the template, custom = true (an RVF never is a built-in).
// Invalid when the result breaks a template rule.
Result<Template> template_from_rvf(const RvfContents& contents);

// Builds contents from wasm_agent_compose arguments: {name, description,
// model, instructions, maxTurns, skills, mcpTools, prompts, tools}, all
// optional, unknown keys Invalid. `tools` are tool definitions
// ({name, description, parameters, returns}). For Claude Flow
// compatibility a skill or MCP tool may also be given as a bare name string
// ("review" -> {"name": "review"}). Prompts use "systemPrompt" (the
// snake_case "system_prompt" is accepted as well, not both). The agent gets
// id slugify_id(name) ("agent" without a name), the default tool set and
// the default model.
Result<RvfContents> compose_rvf(const boost::json::value& args);

}  // namespace wg::gallery
