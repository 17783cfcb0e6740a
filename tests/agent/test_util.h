// Test helpers for the agent module: JSON from text, result unwrapping, a
// service over SQLite (in memory or a temp file) with the built-in gallery,
// and the guest modules assembled at build time.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/export.h"
#include "agent/programs.h"
#include "agent/service.h"
#include "base/error.h"
#include "gallery/gallery.h"
#include "store/agent_db.h"

namespace wg::agent::testing {

namespace json = boost::json;

inline json::value jv(std::string_view text) {
  auto v = parse_json_text(text);
  EXPECT_TRUE(v.has_value()) << "bad test JSON: " << text;
  return v ? std::move(*v) : json::value();
}

inline json::object jo(std::string_view text) {
  auto v = jv(text);
  EXPECT_TRUE(v.is_object()) << "test JSON is not an object: " << text;
  return v.is_object() ? v.get_object() : json::object{};
}

// The value of a Result, failing the test (and returning T{}) otherwise.
template <typename T>
T must(Result<T> r, std::string_view what = "") {
  EXPECT_TRUE(r.has_value()) << what << ": " << (r ? "" : r.error().to_string());
  if (!r) return T{};
  return std::move(*r);
}

// A fresh agent (Agent::create); on failure the test fails and the agent
// gets a default-limits filesystem so the test can go on.
inline Agent make_agent(AgentConfig config) {
  auto r = Agent::create(config);
  EXPECT_TRUE(r.has_value()) << "Agent::create: " << (r ? "" : r.error().to_string());
  if (!r) return Agent(std::move(config), vfs::Vfs());
  return std::move(*r);
}

// The error of a Result that should have failed.
template <typename T>
Error fails(Result<T> r, std::string_view what = "") {
  EXPECT_FALSE(r.has_value()) << what << ": unexpectedly succeeded";
  if (r) return Error(ErrorCode::Internal, "(the call succeeded)");
  return std::move(r.error());
}

inline std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return "<no string " + std::string(key) + " in " + json::serialize(o) + ">";
  return std::string(v->get_string());
}

inline std::int64_t num(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  ADD_FAILURE() << "no integer " << key << " in " << json::serialize(o);
  return -1;
}

inline bool flag(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_bool()) {
    ADD_FAILURE() << "no bool " << key << " in " << json::serialize(o);
    return false;
  }
  return v->get_bool();
}

// Reads a guest module assembled from tests/agent/guests/<name>.wat.
inline std::optional<std::string> guest_bytes(std::string_view name) {
  const std::filesystem::path path = std::filesystem::path(WG_AGENT_GUEST_DIR) / (std::string(name) + ".wasm");
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A fresh private directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-agent-test-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// An AgentService over a SQLite database (":memory:" or a file), the
// built-in gallery over a MemoryTemplateStore and a WasiProgramRunner
// without Ruby. reopen() drops the service and the database and opens both
// again over the same file: a server restart.
class Host {
 public:
  explicit Host(std::string db_path = ":memory:", ServiceOptions options = {}, std::string ruby_path = "")
      : db_path_(std::move(db_path)), options_(std::move(options)), runner_(ProgramRunnerOptions{ruby_path, 8}) {
    gallery_ = must(gallery::Gallery::open(templates_), "gallery");
    open();
  }

  void open() {
    service_.reset();
    db_.reset();
    db_ = must(store::AgentDb::open(db_path_), "db");
    if (!db_) return;
    service_ = must(AgentService::open(*db_, *gallery_, &runner_, options_), "service");
  }
  void reopen() { open(); }

  AgentService& svc() { return *service_; }
  store::AgentDb& db() { return *db_; }
  gallery::Gallery& gallery() { return *gallery_; }
  WasiProgramRunner& runner() { return runner_; }
  bool ok() const { return service_ != nullptr; }

  // Creates an agent and returns its id ("" on failure).
  std::string create(std::string_view args_json = "{}") {
    auto r = service_->create(jo(args_json));
    EXPECT_TRUE(r.has_value()) << "create " << args_json << ": " << (r ? "" : r.error().to_string());
    return r ? str(r->structured, "agentId") : "";
  }

  Result<Reply> tool(const std::string& id, std::string_view name, std::string_view input_json) {
    json::object args{{"agentId", id}, {"toolName", name}, {"toolInput", jv(input_json)}};
    return service_->tool(args);
  }
  json::object tool_ok(const std::string& id, std::string_view name, std::string_view input_json) {
    auto r = tool(id, name, input_json);
    EXPECT_TRUE(r.has_value()) << name << " " << input_json << ": " << (r ? "" : r.error().to_string());
    return r ? r->structured : json::object{};
  }

  json::object state(const std::string& id) {
    auto r = service_->state(json::object{{"agentId", id}});
    EXPECT_TRUE(r.has_value()) << "state " << id << ": " << (r ? "" : r.error().to_string());
    return r ? r->structured : json::object{};
  }
  std::string state_digest(const std::string& id) { return str(state(id), "stateDigest"); }
  std::string vfs_digest(const std::string& id) { return str(state(id), "vfsDigest"); }

  std::vector<json::object> journal(const std::string& id) {
    std::vector<json::object> out;
    auto r = service_->journal(json::object{{"agentId", id}, {"limit", 10000}});
    EXPECT_TRUE(r.has_value()) << "journal " << id << ": " << (r ? "" : r.error().to_string());
    if (!r) return out;
    for (const auto& e : r->structured.at("entries").as_array()) out.push_back(e.as_object());
    return out;
  }

  std::string read(const std::string& id, std::string_view path) {
    json::object in{{"path", path}};
    auto r = service_->tool(json::object{{"agentId", id}, {"toolName", "read_file"}, {"toolInput", in}});
    if (!r) return "<" + r.error().to_string() + ">";
    return str(r->structured, "content");
  }

 private:
  std::string db_path_;
  ServiceOptions options_;
  gallery::MemoryTemplateStore templates_;
  std::unique_ptr<gallery::Gallery> gallery_;
  WasiProgramRunner runner_;
  std::unique_ptr<store::AgentDb> db_;
  std::unique_ptr<AgentService> service_;
};

}  // namespace wg::agent::testing
