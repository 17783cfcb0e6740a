// stdio transport through real pipes.
#include "mcp/transport/stdio.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <string>
#include <vector>

// Designated initializers that leave defaulted members out are the intended
// way to fill ToolSpec and friends; g++ 12 warns about them under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wg::mcp {
namespace {

namespace json = boost::json;

class StdioTest : public ::testing::Test {
 protected:
  // Writes `input` to the server's stdin, closes it, serves until EOF and
  // returns the lines written to its stdout.
  std::vector<std::string> run(const std::string& input) {
    int in[2], out[2];
    EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    EXPECT_LT(input.size(), 60000u);  // fits the pipe buffer, no writer thread needed
    EXPECT_EQ(write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    close(in[1]);
    StdioOptions options;
    options.in_fd = in[0];
    options.out_fd = out[1];
    status_ = serve_stdio(server_, io_, options);
    close(in[0]);
    close(out[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    close(out[0]);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t nl = text.find('\n', start);
      EXPECT_NE(nl, std::string::npos) << "output must end with a newline";
      if (nl == std::string::npos) break;
      lines.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  }

  static constexpr const char* kInit =
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{}}}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n";

  boost::asio::io_context io_;
  Server server_;
  Status status_ = ok();
};

TEST_F(StdioTest, AnswersEachLineAndExitsOnEof) {
  ASSERT_TRUE(server_
                  .add_tool(ToolSpec{.name = "hello"},
                            [](ToolCall&) -> Result<ToolResult> { return ToolResult::text("world"); })
                  .has_value());
  auto lines = run(std::string(kInit) + R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"hello"}})" +
                   "\r\n\n" + R"({"jsonrpc":"2.0","id":2,"method":"ping"})" + "\n");
  ASSERT_TRUE(status_.has_value()) << status_.error().to_string();
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) EXPECT_TRUE(json::parse(line).is_object()) << line;
  EXPECT_EQ(json::parse(lines[0]).at("result").at("protocolVersion"), "2025-11-25");
  EXPECT_EQ(json::parse(lines[1]).at("result").at("content").at(0).at("text"), "world");
  EXPECT_EQ(json::parse(lines[2]).at("id"), 2);
}

TEST_F(StdioTest, AnswersAnUnterminatedLastLine) {
  auto lines = run(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  // Spec: messages are newline-delimited; a final line without a newline is
  // incomplete and therefore not processed.
  EXPECT_TRUE(lines.empty());
}

TEST_F(StdioTest, RefusesAnOverlongLineAndKeepsGoing) {
  ServerOptions options;
  options.limits.json.max_bytes = 64;
  Server server(options);
  int in[2], out[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  const std::string input = std::string(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")") +
                            std::string(200, 'x') + "\"}}\n" + R"({"jsonrpc":"2.0","id":2,"method":"ping"})" + "\n";
  ASSERT_EQ(write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(in[1]);
  StdioOptions so;
  so.in_fd = in[0];
  so.out_fd = out[1];
  ASSERT_TRUE(serve_stdio(server, io_, so).has_value());
  close(in[0]);
  close(out[1]);
  std::string text(4096, '\0');
  const ssize_t n = read(out[0], text.data(), text.size());
  close(out[0]);
  ASSERT_GT(n, 0);
  text.resize(static_cast<std::size_t>(n));
  const std::size_t nl = text.find('\n');
  ASSERT_NE(nl, std::string::npos);
  EXPECT_EQ(json::parse(text.substr(0, nl)).at("error").at("code"), -32600);
  EXPECT_EQ(json::parse(text.substr(nl + 1)).at("id"), 2);
}

TEST_F(StdioTest, FinishesRunningCallsAfterEof) {
  ASSERT_TRUE(server_
                  .add_async_tool(ToolSpec{.name = "later"},
                                  [this](std::shared_ptr<ToolCall> c) {
                                    boost::asio::post(io_, [c] { c->finish(ToolResult::text("late but answered")); });
                                  })
                  .has_value());
  auto lines =
      run(std::string(kInit) + R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"later"}})" + "\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[1]).at("result").at("content").at(0).at("text"), "late but answered");
}

TEST_F(StdioTest, FailsElicitationsThatCanNoLongerBeAnswered) {
  ASSERT_TRUE(server_
                  .add_async_tool(ToolSpec{.name = "ask"},
                                  [](std::shared_ptr<ToolCall> c) {
                                    c->elicit("ok?", json::object{{"type", "object"}}, std::chrono::minutes(5),
                                              [c](Result<json::object> r) {
                                                c->finish(r ? ToolResult::text("answered")
                                                            : ToolResult::error(r.error().message()));
                                              });
                                  })
                  .has_value());
  auto lines =
      run(std::string(kInit) + R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})" + "\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(json::parse(lines[1]).at("method"), "elicitation/create");
  EXPECT_EQ(json::parse(lines[2]).at("result").at("isError"), true);
}

TEST(LineSplitterTest, SplitsAcrossChunksAndSkipsEmptyLines) {
  LineSplitter s(10);
  std::vector<std::string> lines;
  int too_long = 0;
  auto on_line = [&](std::string l) { lines.push_back(std::move(l)); };
  auto on_long = [&] { ++too_long; };
  s.push("ab", on_line, on_long);
  s.push("c\n\n\r\nde\r\n01234567890123\nf", on_line, on_long);
  s.push("\n", on_line, on_long);
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "de", "f"}));
  EXPECT_EQ(too_long, 1);
}

}  // namespace
}  // namespace wg::mcp
