#include "gallery/rvf.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "gallery/builtins.h"
#include "gallery/test_json.h"

namespace wg::gallery {
namespace {

namespace json = boost::json;
using testing::json_of;
using Bytes = std::vector<std::uint8_t>;

Template rich_template() {
  Template t = *find_builtin("coder");
  t.skills = {Skill{"lint", "runs the linter", "/lint", "run lint"}, Skill{"fmt", "", "", ""}};
  t.prompts = {Prompt{"terse", "Answer briefly.", "1"}};
  t.mcp_tools = {McpToolDescriptor{"memory_search", "search", json::object{{"type", "object"}}, "ruflo"}};
  t.tool_definitions = {ToolDefinition{"add", "adds two numbers", json::array{"a", "b"}, "number"}};
  return t;
}

Bytes encode_ok(const RvfContents& c) {
  auto bytes = encode_rvf(c);
  EXPECT_TRUE(bytes.has_value()) << bytes.error().to_string();
  return bytes ? *bytes : Bytes{};
}

// Writes a container by hand (for structural tests with a valid checksum).
struct RawSegment {
  std::uint32_t kind;
  std::string payload;
  std::optional<std::uint32_t> length_override;
};

void put32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void seal(Bytes& b) {
  const Sha256Digest d = Sha256::digest(std::span<const std::uint8_t>(b));
  b.insert(b.end(), d.begin(), d.end());
}

void reseal(Bytes& b) {
  b.resize(b.size() - kRvfTrailerBytes);
  seal(b);
}

Bytes build(const std::vector<RawSegment>& segments, std::uint16_t version = 1, std::uint16_t flags = 0,
            std::optional<std::uint32_t> count = std::nullopt) {
  Bytes b(std::begin(kRvfMagic), std::end(kRvfMagic));
  b.push_back(static_cast<std::uint8_t>(version));
  b.push_back(static_cast<std::uint8_t>(version >> 8));
  b.push_back(static_cast<std::uint8_t>(flags));
  b.push_back(static_cast<std::uint8_t>(flags >> 8));
  put32(b, count.value_or(static_cast<std::uint32_t>(segments.size())));
  for (const RawSegment& s : segments) {
    put32(b, s.kind);
    put32(b, s.length_override.value_or(static_cast<std::uint32_t>(s.payload.size())));
  }
  for (const RawSegment& s : segments) b.insert(b.end(), s.payload.begin(), s.payload.end());
  seal(b);
  return b;
}

constexpr auto kAgent = static_cast<std::uint32_t>(RvfSegmentKind::Agent);
constexpr auto kSkills = static_cast<std::uint32_t>(RvfSegmentKind::Skills);
const std::string kAgentJson = R"({"id":"x","name":"X"})";

Error decode_error(const Bytes& b) {
  auto r = decode_rvf(b);
  EXPECT_FALSE(r.has_value());
  return r ? Error(ErrorCode::Internal, "decoded") : r.error();
}

TEST(RvfTest, TemplateRoundTripsThroughTheContainer) {
  const Template original = rich_template();
  const RvfContents contents = rvf_from_template(original);
  EXPECT_TRUE(contents.agent.skills.empty());
  const Bytes bytes = encode_ok(contents);
  auto decoded = decode_rvf(bytes);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, contents);
  auto back = template_from_rvf(*decoded);
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  Template expected = original;
  expected.custom = true;
  EXPECT_EQ(*back, expected);
}

TEST(RvfTest, EveryBuiltinRoundTrips) {
  for (const Template& t : builtin_templates()) {
    auto decoded = decode_rvf(encode_ok(rvf_from_template(t)));
    ASSERT_TRUE(decoded.has_value()) << t.id << ": " << decoded.error().to_string();
    EXPECT_EQ(decoded->agent.id, t.id);
    EXPECT_EQ(decoded->agent.instructions, t.instructions);
    EXPECT_EQ(decoded->agent.limits, t.limits);
  }
}

TEST(RvfTest, EncodingIsDeterministicAndFollowsTheDocumentedLayout) {
  const RvfContents contents = rvf_from_template(rich_template());
  const Bytes a = encode_ok(contents);
  const Bytes b = encode_ok(contents);
  EXPECT_EQ(a, b);
  ASSERT_GT(a.size(), kRvfHeaderBytes + kRvfTrailerBytes);
  EXPECT_EQ(std::memcmp(a.data(), "\x89RVF", 4), 0);
  EXPECT_EQ(a[4] | (a[5] << 8), 1);
  EXPECT_EQ(a[6] | (a[7] << 8), 0);
  const std::uint32_t count = a[8] | (a[9] << 8) | (a[10] << 16) | (static_cast<std::uint32_t>(a[11]) << 24);
  EXPECT_EQ(count, 5u);  // AGNT SKIL MCPT PRMT TOOL
  EXPECT_EQ(std::memcmp(a.data() + 12, "AGNT", 4), 0);
  EXPECT_EQ(std::memcmp(a.data() + 20, "SKIL", 4), 0);
  std::size_t payloads = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint8_t* p = a.data() + 12 + 8 * i + 4;
    payloads += p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::size_t>(p[3]) << 24);
  }
  EXPECT_EQ(a.size(), 12 + 8 * count + payloads + 32);
  const Sha256Digest digest = Sha256::digest(std::span<const std::uint8_t>(a.data(), a.size() - 32));
  EXPECT_EQ(std::memcmp(digest.data(), a.data() + a.size() - 32, 32), 0);
  // A template without lists has only the agent segment.
  Template bare = *find_builtin("reviewer");
  const Bytes small = encode_ok(rvf_from_template(bare));
  EXPECT_EQ(small[8], 1);
}

TEST(RvfTest, EveryTruncationIsAnError) {
  const Bytes bytes = encode_ok(rvf_from_template(rich_template()));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode_rvf(std::span<const std::uint8_t>(bytes.data(), n));
    ASSERT_FALSE(r.has_value()) << "prefix of " << n << " bytes decoded";
    EXPECT_EQ(r.error().code(), ErrorCode::Malformed) << n << ": " << r.error().to_string();
  }
}

TEST(RvfTest, EverySingleBitFlipIsAnError) {
  const Bytes bytes = encode_ok(rvf_from_template(rich_template()));
  Bytes copy = bytes;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      copy[i] ^= static_cast<std::uint8_t>(1u << bit);
      auto r = decode_rvf(copy);
      ASSERT_FALSE(r.has_value()) << "flip of bit " << bit << " at byte " << i << " went unnoticed";
      copy[i] = bytes[i];
    }
  }
}

TEST(RvfTest, ResealedRandomCorruptionNeverCrashes) {
  // With the checksum recomputed, the structural and JSON checks are what
  // stand between hostile bytes and the decoder; run under the asan preset.
  const Bytes bytes = encode_ok(rvf_from_template(rich_template()));
  std::mt19937 rng(12345);
  std::size_t rejected = 0, structural = 0;
  constexpr int kRounds = 3000;
  for (int round = 0; round < kRounds; ++round) {
    Bytes b(bytes.begin(), bytes.end() - kRvfTrailerBytes);
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % b.size();
      switch (rng() % 3) {
        case 0: b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
        case 1: b[at] = static_cast<std::uint8_t>(rng()); break;
        default: b.resize(at + 1); break;
      }
    }
    seal(b);
    auto r = decode_rvf(b);
    if (!r) {
      ++rejected;
      if (r.error().message().find("checksum mismatch") == std::string::npos) ++structural;
    }
  }
  EXPECT_GT(rejected, static_cast<std::size_t>(kRounds / 2));
  EXPECT_EQ(structural, rejected);  // resealed: the checksum always matches
}

TEST(RvfTest, ChecksumMismatchIsReportedAsSuch) {
  Bytes bytes = encode_ok(rvf_from_template(rich_template()));
  bytes[40] ^= 0x01;
  Error e = decode_error(bytes);
  EXPECT_EQ(e.code(), ErrorCode::Malformed);
  EXPECT_NE(e.message().find("checksum mismatch"), std::string::npos) << e.message();
}

TEST(RvfTest, RejectsBadMagicVersionAndFlags) {
  Bytes magic = build({{kAgent, kAgentJson, {}}});
  magic[1] = 'X';
  reseal(magic);
  EXPECT_NE(decode_error(magic).message().find("bad magic"), std::string::npos);
  Error version = decode_error(build({{kAgent, kAgentJson, {}}}, 2));
  EXPECT_EQ(version.code(), ErrorCode::Unsupported);
  EXPECT_NE(version.message().find("format version 2"), std::string::npos);
  EXPECT_EQ(decode_error(build({{kAgent, kAgentJson, {}}}, 1, 4)).code(), ErrorCode::Unsupported);
  ASSERT_TRUE(decode_rvf(build({{kAgent, kAgentJson, {}}})).has_value());
}

TEST(RvfTest, RejectsBadSegmentTables) {
  EXPECT_NE(decode_error(build({{kAgent, kAgentJson, {}}}, 1, 0, 0)).message().find("segment count 0"),
            std::string::npos);
  EXPECT_NE(decode_error(build({{kAgent, kAgentJson, {}}}, 1, 0, 6)).message().find("segment count 6"),
            std::string::npos);
  // Count claims more entries than the bytes hold.
  EXPECT_EQ(decode_error(build({{kAgent, kAgentJson, {}}}, 1, 0, 5)).code(), ErrorCode::Malformed);
  EXPECT_NE(decode_error(build({{0x21212121, kAgentJson, {}}})).message().find("unknown segment kind \"!!!!\""),
            std::string::npos);
  EXPECT_NE(decode_error(build({{kSkills, "[]", {}}, {kAgent, kAgentJson, {}}})).message().find("must be AGNT"),
            std::string::npos);
  EXPECT_NE(decode_error(build({{kAgent, kAgentJson, {}}, {kAgent, kAgentJson, {}}})).message().find("repeated"),
            std::string::npos);
  EXPECT_NE(decode_error(build({{kAgent, kAgentJson, 0xFFFFFFF0u}})).message().find("length"), std::string::npos);
  EXPECT_NE(decode_error(build({{kAgent, kAgentJson, static_cast<std::uint32_t>(kAgentJson.size() - 1)}}))
                .message()
                .find("add up to"),
            std::string::npos);
  EXPECT_NE(decode_error(build({{kAgent, kAgentJson, static_cast<std::uint32_t>(kAgentJson.size() + 1)}}))
                .message()
                .find("add up to"),
            std::string::npos);
}

TEST(RvfTest, RejectsBadPayloads) {
  Error syntax = decode_error(build({{kAgent, "{\"id\":", {}}}));
  EXPECT_EQ(syntax.code(), ErrorCode::Malformed);
  EXPECT_NE(syntax.message().find("RVF segment AGNT at offset 20"), std::string::npos) << syntax.message();
  EXPECT_EQ(decode_error(build({{kAgent, R"({"id":"x","id":"y"})", {}}})).code(), ErrorCode::Malformed);
  Error schema = decode_error(build({{kAgent, R"({"id":"x","tools":["sh"]})", {}}}));
  EXPECT_EQ(schema.code(), ErrorCode::Invalid);
  EXPECT_NE(schema.message().find("unknown tool \"sh\""), std::string::npos);
  // Lists belong in their own segments, not in the agent segment.
  EXPECT_EQ(decode_error(build({{kAgent, R"({"id":"x","skills":[]})", {}}})).code(), ErrorCode::Invalid);
  EXPECT_EQ(decode_error(build({{kAgent, kAgentJson, {}}, {kSkills, R"({"name":"s"})", {}}})).code(),
            ErrorCode::Invalid);
  EXPECT_EQ(decode_error(build({{kAgent, std::string(40, '[') + std::string(40, ']'), {}}})).code(),
            ErrorCode::LimitExceeded);
}

TEST(RvfTest, RejectsOversizedContainers) {
  Bytes huge(kRvfMaxBytes + 1, 0);
  std::memcpy(huge.data(), kRvfMagic, 4);
  EXPECT_EQ(decode_error(huge).code(), ErrorCode::LimitExceeded);
}

TEST(RvfTest, EncodeRefusesListsLeftInTheAgent) {
  RvfContents c;
  c.agent = rich_template();
  auto r = encode_rvf(c);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
}

TEST(ComposeTest, ComposedAgentLoadsBackAsATemplate) {
  json::value args = json_of(R"({
    "name": "Release Helper", "model": "anthropic:claude-sonnet-4-6", "instructions": "Ship it.",
    "skills": ["changelog", {"name": "tag", "description": "tags a release", "trigger": "/tag", "content": "git tag"}],
    "mcpTools": ["memory_search", {"name": "hooks_route", "group": "ruflo"}],
    "prompts": [{"name": "base", "system_prompt": "You help release.", "version": "1"}],
    "tools": [{"name": "bump", "description": "bumps", "parameters": [{"name":"part"}], "returns": "string"}]
  })");
  auto contents = compose_rvf(args);
  ASSERT_TRUE(contents.has_value()) << contents.error().to_string();
  auto decoded = decode_rvf(encode_ok(*contents));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  auto t = template_from_rvf(*decoded);
  ASSERT_TRUE(t.has_value()) << t.error().to_string();
  EXPECT_EQ(t->id, "release-helper");
  EXPECT_EQ(t->name, "Release Helper");
  EXPECT_EQ(t->instructions, "Ship it.");
  ASSERT_EQ(t->skills.size(), 2u);
  EXPECT_EQ(t->skills[0].name, "changelog");
  EXPECT_EQ(t->skills[1].trigger, "/tag");
  ASSERT_EQ(t->mcp_tools.size(), 2u);
  EXPECT_EQ(t->mcp_tools[1].group, "ruflo");
  ASSERT_EQ(t->prompts.size(), 1u);
  EXPECT_EQ(t->prompts[0].system_prompt, "You help release.");
  ASSERT_EQ(t->tool_definitions.size(), 1u);
  EXPECT_EQ(t->tool_definitions[0].returns, "string");
  EXPECT_EQ(t->tools, default_tool_names());
  EXPECT_TRUE(t->custom);
}

TEST(ComposeTest, RejectsUnknownArgumentsAndBadItems) {
  auto unknown = compose_rvf(json_of(R"({"skils": ["x"]})"));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), ErrorCode::Invalid);
  EXPECT_NE(unknown.error().message().find("did you mean \"skills\""), std::string::npos);
  EXPECT_FALSE(compose_rvf(json_of(R"({"skills": [""]})")).has_value());
  EXPECT_FALSE(compose_rvf(json_of(R"({"skills": ["a", "a"]})")).has_value());
  EXPECT_FALSE(
      compose_rvf(json_of(R"({"prompts": [{"name":"p","system_prompt":"a","systemPrompt":"b"}]})")).has_value());
  auto empty = compose_rvf(json_of("{}"));
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->agent.id, "agent");
}

}  // namespace
}  // namespace wg::gallery
