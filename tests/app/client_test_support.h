// Shared by the app/ tests that drive an mcp::Client against wasmgate (in
// process or as a child): a fresh per-test directory, waiting for a reply
// (the timeout is a safety net against hangs, never a synchronisation), and
// readers for tool results and JSON Lines files such as the audit log.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/client/client.h"

namespace wg::app::test_support {

inline constexpr std::chrono::seconds kWait{60};

// <gtest TempDir>/<prefix>_<current test name>, emptied and created again.
inline std::filesystem::path fresh_test_dir(std::string_view prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::path(::testing::TempDir()) / (std::string(prefix) + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Sends with `send` and waits for the reply; a missing reply fails the test.
inline mcp::RpcReply wait_reply(const std::function<void(mcp::RpcReplyHandler)>& send) {
  auto promise = std::make_shared<std::promise<mcp::RpcReply>>();
  auto future = promise->get_future();
  send([promise](mcp::RpcReply r) { promise->set_value(std::move(r)); });
  if (future.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "no reply";
    return std::unexpected(mcp::RpcError{-1, "no reply", std::nullopt});
  }
  return future.get();
}

// The text of a tools/call result's first content item ("" when absent).
inline std::string first_text(const boost::json::object& result) {
  const auto* content = result.if_contains("content");
  if (!content || !content->is_array() || content->get_array().empty()) return {};
  const auto* item = content->get_array().front().if_object();
  const auto* text = item ? item->if_contains("text") : nullptr;
  return text && text->is_string() ? std::string(text->get_string()) : std::string();
}

inline bool is_error(const boost::json::object& result) {
  const auto* e = result.if_contains("isError");
  return e && e->is_bool() && e->get_bool();
}

// Each non-empty line of `file` parsed as a JSON object (none when absent).
inline std::vector<boost::json::object> read_jsonl(const std::filesystem::path& file) {
  std::vector<boost::json::object> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(boost::json::parse(line).as_object());
  }
  return out;
}

}  // namespace wg::app::test_support
