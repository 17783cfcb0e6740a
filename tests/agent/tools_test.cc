// The built-in tools applied to an Agent directly (no service, no store).
#include "agent/tools.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "agent/test_util.h"
#include "base/base64.h"
#include "base/sha256.h"
#include "vfs/tree_ops.h"

namespace wg::agent {
namespace {

using namespace testing;

class AgentToolsTest : public ::testing::Test {
 protected:
  static Agent make(Limits limits = {}, std::vector<std::string> tools = builtin_tool_names()) {
    AgentConfig c;
    c.id = "agt_00000000000000aa";
    c.tools = std::move(tools);
    c.limits = limits;
    return make_agent(std::move(c));
  }

  Result<ToolOutcome> call(std::string_view tool, std::string_view input) {
    return run_tool(agent_, tool, jo(input), ToolEnv{});
  }
  json::object ok(std::string_view tool, std::string_view input) {
    auto r = call(tool, input);
    EXPECT_TRUE(r.has_value()) << tool << " " << input << ": " << (r ? "" : r.error().to_string());
    return r ? r->structured : json::object{};
  }
  Error err(std::string_view tool, std::string_view input) {
    const auto before = to_hex(agent_.state_digest());
    Error e = fails(call(tool, input), std::string(tool) + " " + std::string(input));
    EXPECT_EQ(to_hex(agent_.state_digest()), before) << "a failed " << tool << " changed the agent";
    return e;
  }
  std::string contents(std::string_view path) {
    auto data = vfs::read_file(agent_.vfs, path);
    return data ? *data : "<" + std::string(vfs::to_string(data.error())) + ">";
  }
  void put(std::string_view path, std::string_view content) {
    ASSERT_TRUE(vfs::write_file(agent_.vfs, path, content).has_value()) << path;
  }

  Agent agent_ = make();
};

// ---- read_file -----------------------------------------------------------

TEST_F(AgentToolsTest, ReadFileReturnsTheWholeTextWithLineCounts) {
  put("/a.txt", "one\ntwo\nthree\n");
  const auto r = ok("read_file", R"({"path": "a.txt"})");
  EXPECT_EQ(str(r, "path"), "/a.txt");
  EXPECT_EQ(str(r, "content"), "one\ntwo\nthree\n");
  EXPECT_EQ(str(r, "encoding"), "utf8");
  EXPECT_EQ(num(r, "totalLines"), 3);
  EXPECT_EQ(num(r, "startLine"), 1);
  EXPECT_EQ(num(r, "endLine"), 3);
  EXPECT_FALSE(flag(r, "truncated"));
  EXPECT_EQ(num(r, "size"), 14);
  EXPECT_EQ(str(r, "sha256"), to_hex(Sha256::digest(std::string_view("one\ntwo\nthree\n"))));
}

TEST_F(AgentToolsTest, ReadFileOffsetAndLimitSelectAWindowOfLines) {
  put("/n.txt", "l1\nl2\nl3\nl4\nl5");  // no final newline: still 5 lines
  auto r = ok("read_file", R"({"path": "/n.txt", "offset": 2, "limit": 2})");
  EXPECT_EQ(str(r, "content"), "l2\nl3\n");
  EXPECT_EQ(num(r, "totalLines"), 5);
  EXPECT_EQ(num(r, "startLine"), 2);
  EXPECT_EQ(num(r, "endLine"), 3);
  EXPECT_TRUE(flag(r, "truncated"));

  r = ok("read_file", R"({"path": "/n.txt", "offset": 4, "limit": 10})");
  EXPECT_EQ(str(r, "content"), "l4\nl5");
  EXPECT_EQ(num(r, "endLine"), 5);
  EXPECT_FALSE(flag(r, "truncated"));

  r = ok("read_file", R"({"path": "/n.txt", "offset": 9})");
  EXPECT_EQ(str(r, "content"), "");
  EXPECT_EQ(num(r, "totalLines"), 5);
  EXPECT_FALSE(flag(r, "truncated"));

  // The readable text says how to get the rest.
  auto t = call("read_file", R"({"path": "/n.txt", "limit": 1})");
  ASSERT_TRUE(t.has_value());
  EXPECT_NE(t->text.find("showing lines 1-1 of 5"), std::string::npos) << t->text;
}

TEST_F(AgentToolsTest, ReadFileRefusesBadWindowArguments) {
  put("/n.txt", "x\n");
  EXPECT_NE(err("read_file", R"({"path": "/n.txt", "offset": 0})").message().find("toolInput.offset"),
            std::string::npos);
  EXPECT_NE(err("read_file", R"({"path": "/n.txt", "limit": 0})").message().find("toolInput.limit"),
            std::string::npos);
  EXPECT_NE(err("read_file", R"({"path": "/n.txt", "encoding": "latin1"})").message().find("encoding"),
            std::string::npos);
  EXPECT_NE(err("read_file", R"({"path": "/n.txt", "ofset": 2})").message().find("did you mean \"offset\""),
            std::string::npos);
  EXPECT_NE(err("read_file", R"({})").message().find("toolInput.path: missing"), std::string::npos);
  EXPECT_EQ(err("read_file", R"({"path": "/absent"})").code(), ErrorCode::NotFound);
}

TEST_F(AgentToolsTest, BinaryFilesComeBackAsBase64) {
  const std::string bytes("\x00\xff\xfe\x01\x80 binary", 13);
  put("/bin.dat", bytes);
  auto r = ok("read_file", R"({"path": "/bin.dat"})");
  EXPECT_EQ(str(r, "encoding"), "base64");
  EXPECT_EQ(must(base64_decode(str(r, "content"))), bytes);
  EXPECT_EQ(num(r, "size"), 13);
  // Asking for UTF-8 explicitly is an error naming the way out.
  EXPECT_NE(err("read_file", R"({"path": "/bin.dat", "encoding": "utf8"})").message().find("base64"),
            std::string::npos);
  // Text may be asked for as base64 too.
  put("/t.txt", "hi");
  r = ok("read_file", R"({"path": "/t.txt", "encoding": "base64"})");
  EXPECT_EQ(str(r, "content"), base64_encode("hi"));
}

// ---- write_file ----------------------------------------------------------

TEST_F(AgentToolsTest, WriteFileCreatesParentsAndReportsCreated) {
  auto r = ok("write_file", R"({"path": "src/deep/x.txt", "content": "abc"})");
  EXPECT_EQ(str(r, "path"), "/src/deep/x.txt");
  EXPECT_TRUE(flag(r, "created"));
  EXPECT_EQ(num(r, "bytesWritten"), 3);
  EXPECT_EQ(num(r, "size"), 3);
  EXPECT_EQ(contents("/src/deep/x.txt"), "abc");
  r = ok("write_file", R"({"path": "/src/deep/x.txt", "content": "z"})");
  EXPECT_FALSE(flag(r, "created"));
  EXPECT_EQ(contents("/src/deep/x.txt"), "z");
}

TEST_F(AgentToolsTest, WriteFileAppends) {
  ok("write_file", R"({"path": "/log", "content": "a\n", "append": true})");
  auto r = ok("write_file", R"({"path": "/log", "content": "b\n", "append": true})");
  EXPECT_FALSE(flag(r, "created"));
  EXPECT_EQ(num(r, "bytesWritten"), 2);
  EXPECT_EQ(num(r, "size"), 4);
  EXPECT_EQ(contents("/log"), "a\nb\n");
}

TEST_F(AgentToolsTest, WriteFileDecodesBase64AndRefusesBadBase64) {
  const std::string bytes("\x00\x01\x02\xff", 4);
  json::object in{{"path", "/b"}, {"content", base64_encode(bytes)}, {"encoding", "base64"}};
  auto r = run_tool(agent_, "write_file", in, ToolEnv{});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(num(r->structured, "bytesWritten"), 4);
  EXPECT_EQ(contents("/b"), bytes);
  EXPECT_NE(err("write_file", R"({"path": "/c", "content": "!!not base64!!", "encoding": "base64"})")
                .message()
                .find("toolInput.content"),
            std::string::npos);
  EXPECT_EQ(err("write_file", R"({"path": "/c", "content": "x", "encoding": "hex"})").code(), ErrorCode::Invalid);
}

TEST_F(AgentToolsTest, WriteFileOverADirectoryOrTheRootFails) {
  put("/dir/inner", "x");
  EXPECT_NE(err("write_file", R"({"path": "/dir", "content": "y"})").message().find("/dir"), std::string::npos);
  EXPECT_EQ(err("write_file", R"({"path": "/", "content": "y"})").code(), ErrorCode::Invalid);
  EXPECT_EQ(err("write_file", R"({"path": "/dir/inner/below", "content": "y"})").code(), ErrorCode::Invalid);
  EXPECT_EQ(contents("/dir/inner"), "x");
}

TEST_F(AgentToolsTest, PathTraversalStaysInsideTheVirtualFilesystem) {
  auto r = ok("write_file", R"({"path": "../../etc/passwd", "content": "sandboxed"})");
  EXPECT_EQ(str(r, "path"), "/etc/passwd");
  EXPECT_EQ(str(ok("read_file", R"({"path": "/x/../../../../etc/passwd"})"), "content"), "sandboxed");
  // A fresh agent sees nothing of the host: the host's /etc/passwd is not there.
  Agent fresh = make();
  auto miss = run_tool(fresh, "read_file", jo(R"({"path": "../../../etc/passwd"})"), ToolEnv{});
  ASSERT_FALSE(miss.has_value());
  EXPECT_EQ(miss.error().code(), ErrorCode::NotFound);
  EXPECT_NE(miss.error().message().find("/etc/passwd"), std::string::npos) << miss.error().message();
  auto listing = run_tool(fresh, "list_files", jo(R"({"path": "/../.."})"), ToolEnv{});
  ASSERT_TRUE(listing.has_value()) << listing.error().to_string();
  EXPECT_EQ(num(listing->structured, "count"), 0);
}

// ---- edit_file -----------------------------------------------------------

TEST_F(AgentToolsTest, EditFileReplacesAUniqueString) {
  put("/e.txt", "alpha beta gamma");
  auto r = ok("edit_file", R"({"path": "/e.txt", "old_string": "beta", "new_string": "BETA"})");
  EXPECT_EQ(num(r, "replacements"), 1);
  EXPECT_EQ(contents("/e.txt"), "alpha BETA gamma");
}

TEST_F(AgentToolsTest, EditFileRefusesEmptyAbsentIdenticalAndAmbiguousStrings) {
  put("/e.txt", "x = 1; x = 1; y = 2");
  EXPECT_NE(err("edit_file", R"({"path": "/e.txt", "old_string": "", "new_string": "z"})").message().find("empty"),
            std::string::npos);
  EXPECT_NE(err("edit_file", R"({"path": "/e.txt", "old_string": "w = 9", "new_string": "z"})")
                .message()
                .find("not found"),
            std::string::npos);
  EXPECT_NE(err("edit_file", R"({"path": "/e.txt", "old_string": "y", "new_string": "y"})")
                .message()
                .find("identical"),
            std::string::npos);
  const Error e = err("edit_file", R"({"path": "/e.txt", "old_string": "x = 1", "new_string": "x = 3"})");
  EXPECT_NE(e.message().find("occurs 2 times"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("replace_all"), std::string::npos) << e.message();
  EXPECT_EQ(err("edit_file", R"({"path": "/none", "old_string": "a", "new_string": "b"})").code(),
            ErrorCode::NotFound);
  EXPECT_EQ(contents("/e.txt"), "x = 1; x = 1; y = 2");
}

TEST_F(AgentToolsTest, EditFileReplaceAllCountsNonOverlappingReplacements) {
  put("/e.txt", "aaaaa-aa");
  auto r = ok("edit_file", R"({"path": "/e.txt", "old_string": "aa", "new_string": "b", "replace_all": true})");
  EXPECT_EQ(num(r, "replacements"), 3);
  EXPECT_EQ(contents("/e.txt"), "bba-b");
  EXPECT_EQ(num(r, "size"), 5);
}

// ---- list_files / delete_file / glob / grep ------------------------------

TEST_F(AgentToolsTest, ListFilesGivesATreeWithSizes) {
  put("/src/a.rb", "12345");
  put("/src/lib/b.rb", "12");
  put("/top.txt", "1");
  auto r = ok("list_files", R"({})");
  EXPECT_EQ(num(r, "count"), 5);  // src, src/a.rb, src/lib, src/lib/b.rb, top.txt
  EXPECT_EQ(num(r, "totalBytes"), 8);
  std::vector<std::string> paths;
  for (const auto& e : r.at("entries").as_array()) paths.emplace_back(e.at("path").as_string());
  EXPECT_EQ(paths, (std::vector<std::string>{"/src", "/src/a.rb", "/src/lib", "/src/lib/b.rb", "/top.txt"}));
  EXPECT_EQ(str(r.at("entries").as_array()[0].as_object(), "type"), "directory");
  EXPECT_EQ(num(r.at("entries").as_array()[1].as_object(), "size"), 5);

  auto t = call("list_files", R"({"path": "/src"})");
  ASSERT_TRUE(t.has_value());
  EXPECT_NE(t->text.find("  lib/\n"), std::string::npos) << t->text;
  EXPECT_NE(t->text.find("    b.rb (2 bytes)"), std::string::npos) << t->text;

  r = ok("list_files", R"({"path": "/src", "recursive": false})");
  EXPECT_EQ(num(r, "count"), 2);
  EXPECT_EQ(err("list_files", R"({"path": "/nowhere"})").code(), ErrorCode::NotFound);
}

TEST_F(AgentToolsTest, ListFilesOnAFileListsJustThatFile) {
  put("/dir/f.txt", "abc");
  auto r = ok("list_files", R"({"path": "/dir/f.txt"})");
  EXPECT_EQ(num(r, "count"), 1);
  EXPECT_EQ(num(r, "totalBytes"), 3);
  auto t = call("list_files", R"({"path": "/dir/f.txt"})");
  ASSERT_TRUE(t.has_value());
  EXPECT_NE(t->text.find("f.txt (3 bytes)"), std::string::npos) << t->text;
}

TEST_F(AgentToolsTest, DeleteFileNeedsRecursiveForANonEmptyDirectory) {
  put("/d/a", "1");
  put("/d/sub/b", "2");
  put("/keep", "k");
  EXPECT_NE(err("delete_file", R"({"path": "/d"})").message().find("recursive"), std::string::npos);
  auto r = ok("delete_file", R"({"path": "/d", "recursive": true})");
  EXPECT_TRUE(flag(r, "deleted"));
  EXPECT_FALSE(agent_.vfs.lookup(agent_.vfs.root(), "/d").has_value());
  EXPECT_EQ(agent_.file_count(), 1u);
  ok("delete_file", R"({"path": "keep"})");
  EXPECT_EQ(agent_.file_count(), 0u);
  EXPECT_EQ(err("delete_file", R"({"path": "/keep"})").code(), ErrorCode::NotFound);
  EXPECT_EQ(err("delete_file", R"({"path": "/", "recursive": true})").code(), ErrorCode::Invalid);
}

TEST_F(AgentToolsTest, GlobMatchesAtAnyDepthInPathOrder) {
  put("/src/a.rb", "");
  put("/src/lib/b.rb", "");
  put("/src/lib/c.txt", "");
  put("/d.rb", "");
  auto r = ok("glob", R"({"pattern": "/src/**/*.rb"})");
  std::vector<std::string> got;
  for (const auto& m : r.at("matches").as_array()) got.emplace_back(m.as_string());
  EXPECT_EQ(got, (std::vector<std::string>{"/src/a.rb", "/src/lib/b.rb"}));
  r = ok("glob", R"({"pattern": "*.rb"})");
  EXPECT_EQ(num(r, "count"), 1);
  r = ok("glob", R"({"pattern": "/nothing/*"})");
  EXPECT_EQ(num(r, "count"), 0);
}

TEST_F(AgentToolsTest, GrepFindsLiteralLinesWithPathGlobAndCase) {
  put("/a.txt", "hello world\nbye\nHELLO again\n");
  put("/b.md", "say hello\n");
  auto r = ok("grep", R"({"pattern": "hello"})");
  EXPECT_EQ(num(r, "count"), 2);
  const auto& first = r.at("matches").as_array()[0].as_object();
  EXPECT_EQ(str(first, "path"), "/a.txt");
  EXPECT_EQ(num(first, "line"), 1);
  EXPECT_EQ(str(first, "text"), "hello world");
  r = ok("grep", R"({"pattern": "hello", "ignoreCase": true, "path": "/*.txt"})");
  EXPECT_EQ(num(r, "count"), 2);
  EXPECT_EQ(num(r.at("matches").as_array()[1].as_object(), "line"), 3);
  r = ok("grep", R"({"pattern": "hello", "ignoreCase": true, "maxMatches": 1})");
  EXPECT_EQ(num(r, "count"), 1);
  EXPECT_TRUE(flag(r, "truncated"));
  r = ok("grep", R"({"pattern": "a.t"})");  // literal, not a regular expression
  EXPECT_EQ(num(r, "count"), 0);
  EXPECT_EQ(err("grep", R"({"pattern": ""})").code(), ErrorCode::Invalid);
}

TEST_F(AgentToolsTest, GrepDoesNotClaimTruncationWhenEveryMatchFits) {
  put("/a.txt", "x\nx\n");
  auto r = ok("grep", R"({"pattern": "x", "maxMatches": 2})");
  EXPECT_EQ(num(r, "count"), 2);
  EXPECT_FALSE(flag(r, "truncated"));
}

// ---- write_todos ----------------------------------------------------------

TEST_F(AgentToolsTest, WriteTodosReplacesTheList) {
  auto r = ok("write_todos", R"({"todos": [{"content": "a"}, {"content": "b", "status": "completed"}]})");
  EXPECT_EQ(num(r, "count"), 2);
  ASSERT_EQ(agent_.todos.size(), 2u);
  EXPECT_EQ(agent_.todos[1].status, "completed");
  ok("write_todos", R"({"todos": [{"content": "only"}]})");
  ASSERT_EQ(agent_.todos.size(), 1u);
  EXPECT_EQ(agent_.todos[0].content, "only");
  EXPECT_EQ(err("write_todos", R"({})").code(), ErrorCode::Invalid);
  EXPECT_EQ(err("write_todos", R"({"todos": [{"content": "a", "status": "later"}]})").code(), ErrorCode::Invalid);
  EXPECT_EQ(agent_.todos.size(), 1u);
}

// ---- names and grants --------------------------------------------------------

TEST_F(AgentToolsTest, UnknownToolIsInvalidAndListsTheKnownOnes) {
  const Error e = err("bash", R"({})");
  EXPECT_EQ(e.code(), ErrorCode::Invalid);
  for (const auto& name : builtin_tool_names()) EXPECT_NE(e.message().find(name), std::string::npos) << name;
}

TEST_F(AgentToolsTest, ToolOutsideTheAllowlistIsDenied) {
  agent_ = make({}, {"read_file", "list_files"});
  const Error e = err("write_file", R"({"path": "/x", "content": "y"})");
  EXPECT_EQ(e.code(), ErrorCode::Denied);
  EXPECT_NE(e.message().find("write_file"), std::string::npos);
  EXPECT_EQ(agent_.file_count(), 0u);
  EXPECT_TRUE(call("list_files", R"({})").has_value());
}

TEST_F(AgentToolsTest, RunWithoutARunnerIsUnsupportedAndBadRunInputIsInvalid) {
  EXPECT_EQ(err("run", R"({"program": "cat"})").code(), ErrorCode::Unsupported);
  EXPECT_EQ(err("run", R"({"program": ""})").code(), ErrorCode::Invalid);
  EXPECT_EQ(err("run", R"({"program": "cat", "env": {"A=B": "c"}})").code(), ErrorCode::Invalid);
  EXPECT_EQ(err("run", R"({"program": "cat", "args": [1]})").code(), ErrorCode::Invalid);
  const auto req = must(parse_run_request(jo(R"({"program": "cat", "args": ["a"], "env": {"K": "V"},
                                                 "stdin": "in", "fuel": 5, "timeoutMs": 6})"),
                                          "toolInput"));
  EXPECT_EQ(req.program, "cat");
  EXPECT_EQ(req.args, std::vector<std::string>{"a"});
  EXPECT_EQ(req.env, std::vector<std::string>{"K=V"});
  EXPECT_EQ(req.stdin_data, "in");
  EXPECT_EQ(req.fuel, 5u);
  EXPECT_EQ(req.timeout_ms, 6u);
}

TEST_F(AgentToolsTest, EveryBuiltinToolHasASchemaWithoutExtraProperties) {
  for (const auto& name : builtin_tool_names()) {
    const auto spec = builtin_tool_spec(name);
    EXPECT_EQ(str(spec, "name"), name);
    ASSERT_TRUE(spec.contains("inputSchema")) << name;
    EXPECT_FALSE(spec.at("inputSchema").at("additionalProperties").as_bool()) << name;
    EXPECT_FALSE(str(spec, "description").empty()) << name;
  }
}

// ---- per-agent caps ---------------------------------------------------------

TEST_F(AgentToolsTest, MaxFilesCountsFilesAndDirectories) {
  Limits l;
  l.max_files = 2;
  agent_ = make(l);
  ok("write_file", R"({"path": "/a", "content": "1"})");
  EXPECT_EQ(err("write_file", R"({"path": "/d/b", "content": "2"})").code(), ErrorCode::LimitExceeded);
  ok("write_file", R"({"path": "/b", "content": "2"})");
  EXPECT_EQ(err("write_file", R"({"path": "/c", "content": "3"})").code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(agent_.file_count(), 2u);
  ok("write_file", R"({"path": "/b", "content": "overwrite is fine"})");
}

TEST_F(AgentToolsTest, MaxBytesBoundsTheTotalAndAppends) {
  Limits l;
  l.max_bytes = 10;
  agent_ = make(l);
  ok("write_file", R"({"path": "/a", "content": "123456"})");
  EXPECT_EQ(err("write_file", R"({"path": "/b", "content": "12345"})").code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(err("write_file", R"({"path": "/a", "content": "12345", "append": true})").code(),
            ErrorCode::LimitExceeded);
  EXPECT_EQ(err("edit_file", R"({"path": "/a", "old_string": "1", "new_string": "abcdef"})").code(),
            ErrorCode::LimitExceeded);
  ok("write_file", R"({"path": "/b", "content": "1234"})");
  EXPECT_EQ(agent_.vfs.usage().bytes, 10u);
}

TEST_F(AgentToolsTest, MaxFileSizeBoundsOneFile) {
  Limits l;
  l.max_file_size = 4;
  agent_ = make(l);
  ok("write_file", R"({"path": "/a", "content": "1234"})");
  EXPECT_EQ(err("write_file", R"({"path": "/b", "content": "12345"})").code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(err("write_file", R"({"path": "/a", "content": "5", "append": true})").code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(err("edit_file", R"({"path": "/a", "old_string": "4", "new_string": "45"})").code(),
            ErrorCode::LimitExceeded);
  EXPECT_EQ(contents("/a"), "1234");
}

TEST_F(AgentToolsTest, MaxPathLengthBoundsCanonicalPaths) {
  Limits l;
  l.max_path_length = 8;
  agent_ = make(l);
  ok("write_file", R"({"path": "/abcdefg", "content": "1"})");  // 8 bytes
  EXPECT_EQ(err("write_file", R"({"path": "/abcdefgh", "content": "1"})").code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(err("read_file", R"({"path": "/abcdefghijk"})").code(), ErrorCode::LimitExceeded);
}

TEST_F(AgentToolsTest, MaxTodosBoundsTheTodoList) {
  Limits l;
  l.max_todos = 2;
  agent_ = make(l);
  ok("write_todos", R"({"todos": [{"content": "a"}, {"content": "b"}]})");
  EXPECT_EQ(err("write_todos", R"({"todos": [{"content": "a"}, {"content": "b"}, {"content": "c"}]})").code(),
            ErrorCode::LimitExceeded);
  EXPECT_EQ(agent_.todos.size(), 2u);
}

// ---- the agent value ---------------------------------------------------------

TEST_F(AgentToolsTest, WorkingCopyChangesDoNotReachTheOriginal) {
  put("/a", "original");
  const auto before = to_hex(agent_.state_digest());
  Agent copy = agent_.working_copy();
  EXPECT_EQ(to_hex(copy.state_digest()), before);
  ASSERT_TRUE(run_tool(copy, "write_file", jo(R"({"path": "/a", "content": "changed"})"), ToolEnv{}).has_value());
  ASSERT_TRUE(run_tool(copy, "write_todos", jo(R"({"todos": [{"content": "t"}]})"), ToolEnv{}).has_value());
  EXPECT_NE(to_hex(copy.state_digest()), before);
  EXPECT_EQ(to_hex(agent_.state_digest()), before);
  EXPECT_EQ(contents("/a"), "original");
  EXPECT_TRUE(agent_.todos.empty());
}

TEST_F(AgentToolsTest, StateDigestIgnoresIdAndCreatedButNotOtherState) {
  Agent other = make();
  other.config.id = "agt_00000000000000bb";
  other.config.created_ms = 42;
  EXPECT_EQ(to_hex(other.state_digest()), to_hex(agent_.state_digest()));
  const auto base = to_hex(agent_.state_digest());
  other.config.name = "renamed";
  EXPECT_NE(to_hex(other.state_digest()), base);
  Agent stopped = make();
  stopped.status = AgentStatus::Stopped;
  EXPECT_NE(to_hex(stopped.state_digest()), base);
  Agent turned = make();
  turned.turn_count = 1;
  EXPECT_NE(to_hex(turned.state_digest()), base);
  Agent talked = make();
  talked.messages.push_back(json::object{{"role", "user"}, {"content", "hi"}});
  EXPECT_NE(to_hex(talked.state_digest()), base);
  Agent filed = make();
  ASSERT_TRUE(vfs::write_file(filed.vfs, "/x", "").has_value());
  EXPECT_NE(to_hex(filed.state_digest()), base);
}

}  // namespace
}  // namespace wg::agent
