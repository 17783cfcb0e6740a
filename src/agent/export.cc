#include "agent/export.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agent/conversation.h"
#include "agent/json_args.h"
#include "base/base64.h"
#include "base/utf8.h"
#include "gallery/json_util.h"
#include "vfs/tree_ops.h"

namespace wg::agent {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxFiles = 1'000'000;

Error invalid(std::string message) { return Error(ErrorCode::Invalid, std::move(message)); }

std::string journal_digest(const json::array& journal) { return to_hex(Sha256::digest(json::serialize(journal))); }

json::array journal_to_json(const std::vector<store::JournalRow>& rows) {
  json::array out;
  for (const auto& row : rows) out.push_back(journal_entry_to_json(row));
  return out;
}

Result<std::vector<store::FileRow>> files_from_json(const json::value& value) {
  if (!value.is_array()) return std::unexpected(invalid("files: expected an array"));
  const auto& array = value.get_array();
  if (array.size() > kMaxFiles) return std::unexpected(invalid("files: too many entries"));
  std::vector<store::FileRow> rows;
  rows.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string ctx = "files[" + std::to_string(i) + "]";
    if (!array[i].is_object()) return std::unexpected(invalid(ctx + ": expected an object"));
    const auto& o = array[i].get_object();
    store::FileRow row;
    row.path = WG_TRY(req_string(o, "path", ctx, 4096));
    const auto type = WG_TRY(req_string(o, "type", ctx, 16));
    if (type == "directory") {
      WG_TRY(check_keys(o, {"path", "type"}, ctx));
      row.type = 2;
    } else if (type == "symlink") {
      WG_TRY(check_keys(o, {"path", "type", "target"}, ctx));
      row.type = 3;
      row.content = WG_TRY(req_string(o, "target", ctx, 4096));
    } else if (type == "file") {
      WG_TRY(check_keys(o, {"path", "type", "encoding", "content", "sha256"}, ctx));
      row.type = 1;
      const auto encoding = WG_TRY(req_string(o, "encoding", ctx, 16));
      auto content = WG_TRY(req_string(o, "content", ctx, SIZE_MAX));
      if (encoding == "base64") {
        row.content = WG_TRY_CTX(base64_decode(content), ctx + ".content");
      } else if (encoding == "utf8") {
        row.content = std::move(content);
      } else {
        return std::unexpected(invalid(ctx + ".encoding: expected utf8 or base64"));
      }
      const auto sha = WG_TRY(req_string(o, "sha256", ctx, 64));
      if (to_hex(Sha256::digest(row.content)) != sha) {
        return std::unexpected(invalid(ctx + " (" + row.path + "): contents do not match their sha256"));
      }
    } else {
      return std::unexpected(invalid(ctx + ".type: expected file, directory or symlink"));
    }
    if (!rows.empty() && !(rows.back().path < row.path)) {
      return std::unexpected(invalid(ctx + ": paths must be unique and sorted"));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<store::JournalRow>> journal_from_json(const json::value& value) {
  if (!value.is_array()) return std::unexpected(invalid("journal: expected an array"));
  std::vector<store::JournalRow> rows;
  for (std::size_t i = 0; i < value.get_array().size(); ++i) {
    const auto& item = value.get_array()[i];
    const std::string ctx = "journal[" + std::to_string(i) + "]";
    if (!item.is_object()) return std::unexpected(invalid(ctx + ": expected an object"));
    const auto& o = item.get_object();
    WG_TRY(check_keys(o, {"seq", "op", "args", "resultDigest", "stateDigest", "time"}, ctx));
    store::JournalRow row;
    row.seq = static_cast<std::int64_t>(WG_TRY(opt_uint(o, "seq", ctx, 1, INT64_MAX)).value_or(0));
    if (row.seq == 0) return std::unexpected(invalid(ctx + ".seq: missing"));
    if (!rows.empty() && row.seq <= rows.back().seq) {
      return std::unexpected(invalid(ctx + ".seq: must increase"));
    }
    row.op = WG_TRY(req_string(o, "op", ctx, 64));
    const auto* args = o.if_contains("args");
    if (!args || !args->is_object()) return std::unexpected(invalid(ctx + ".args: expected an object"));
    row.args_json = json::serialize(*args);
    row.result_digest = WG_TRY(req_string(o, "resultDigest", ctx, 64));
    row.state_digest = WG_TRY(req_string(o, "stateDigest", ctx, 64));
    row.time_ms = static_cast<std::int64_t>(WG_TRY(opt_uint(o, "time", ctx, 0, INT64_MAX)).value_or(0));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<std::vector<store::JournalRow>> parse_journal(const json::value& journal) { return journal_from_json(journal); }

Result<json::value> parse_json_text(std::string_view text) {
  // The gallery's strict parser (duplicate keys, bad UTF-8 and trailing data
  // refused), with room for whole exports.
  return gallery::parse_json_text(text, gallery::JsonTextLimits{.max_bytes = std::size_t{1} << 31, .max_depth = 128});
}

json::object journal_entry_to_json(const store::JournalRow& row) {
  json::object o;
  o["seq"] = row.seq;
  o["op"] = row.op;
  auto args = parse_json_text(row.args_json);
  o["args"] = args ? std::move(*args) : json::value(json::object{});
  o["resultDigest"] = row.result_digest;
  o["stateDigest"] = row.state_digest;
  o["time"] = row.time_ms;
  return o;
}

std::vector<store::FileRow> rows_from_snapshot(const vfs::Snapshot& snap) {
  std::vector<store::FileRow> rows;
  std::vector<std::pair<std::string, vfs::Ino>> stack{{"", vfs::kRootIno}};
  while (!stack.empty()) {
    auto [prefix, dir] = stack.back();
    stack.pop_back();
    auto children = snap.children(dir);
    if (!children) continue;
    for (const auto& [name, ino] : *children) {
      const std::string path = prefix + "/" + name;
      auto st = snap.stat(ino);
      if (!st) continue;
      store::FileRow row;
      row.path = path;
      if (st->type == vfs::FileType::Directory) {
        row.type = 2;
        stack.emplace_back(path, ino);
      } else {
        row.type = st->type == vfs::FileType::Symlink ? 3 : 1;
        if (auto data = snap.contents(ino)) row.content = std::string(*data);
      }
      rows.push_back(std::move(row));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return rows;
}

Result<vfs::Vfs> vfs_from_rows(const std::vector<store::FileRow>& rows, const Limits& limits) {
  auto fs = WG_TRY(vfs::Vfs::create(vfs_limits_for(limits)));
  for (const auto& row : rows) {
    const auto slash = row.path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      if (auto st = vfs::make_dirs(fs, row.path.substr(0, slash)); !st) {
        return std::unexpected(vfs::to_error(st.error(), row.path));
      }
    }
    vfs::Expected<void> st;
    if (row.type == 2) {
      st = vfs::make_dirs(fs, row.path);
    } else if (row.type == 3) {
      auto made = fs.symlink(row.content, fs.root(), row.path);
      if (!made) st = std::unexpected(made.error());
    } else if (row.type == 1) {
      st = vfs::write_file(fs, row.path, row.content, vfs::WriteMode::CreateNew, vfs::Parents::MustExist);
    } else {
      return std::unexpected(Error(ErrorCode::Malformed, row.path + ": unknown file type " + std::to_string(row.type)));
    }
    if (!st) return std::unexpected(vfs::to_error(st.error(), row.path));
  }
  return fs;
}

json::object export_to_json(Agent& agent, const std::vector<store::JournalRow>& journal) {
  json::object doc;
  doc["format"] = "wasmgate.agent";
  doc["version"] = 1;
  doc["config"] = config_to_json(agent.config);
  doc["status"] = to_string(agent.status);
  doc["turnCount"] = agent.turn_count;
  doc["todos"] = todos_to_json(agent.todos);
  doc["conversation"] = agent.messages;
  if (agent.usage != llm::Usage{}) doc["usage"] = usage_to_json(agent.usage);
  json::array files;
  for (const auto& row : rows_from_snapshot(agent.vfs.snapshot())) {
    json::object f{{"path", row.path}};
    if (row.type == 2) {
      f["type"] = "directory";
    } else if (row.type == 3) {
      f["type"] = "symlink";
      f["target"] = row.content;
    } else {
      f["type"] = "file";
      const bool text = find_invalid_utf8(row.content) == std::string_view::npos;
      f["encoding"] = text ? "utf8" : "base64";
      f["content"] = text ? row.content : base64_encode(row.content);
      f["sha256"] = to_hex(Sha256::digest(row.content));
    }
    files.push_back(std::move(f));
  }
  doc["files"] = std::move(files);
  json::array entries = journal_to_json(journal);
  const std::string jd = journal_digest(entries);
  doc["journal"] = std::move(entries);
  doc["digests"] = json::object{{"vfs", to_hex(agent.vfs.digest())}, {"state", to_hex(agent.state_digest())},
                                {"journal", jd}};
  return doc;
}

Result<Imported> import_from_json(const json::value& document, const Limits& max_limits) {
  if (!document.is_object()) return std::unexpected(invalid("expected the JSON object wasm_agent_export returns"));
  const auto& o = document.get_object();
  WG_TRY(check_keys(o, {"format", "version", "config", "status", "turnCount", "todos", "conversation", "usage",
                        "files", "journal", "digests"},
                    ""));
  if (WG_TRY(opt_string(o, "format", "", 64)).value_or("") != "wasmgate.agent") {
    return std::unexpected(invalid("format: expected \"wasmgate.agent\""));
  }
  const auto version = WG_TRY(opt_uint(o, "version", "", 0, 1000)).value_or(0);
  if (version != 1) {
    return std::unexpected(Error(ErrorCode::Unsupported, "version " + std::to_string(version) +
                                                             " is not supported (this build reads version 1)"));
  }
  const auto* config_json = o.if_contains("config");
  if (!config_json) return std::unexpected(invalid("config: missing"));
  auto config = WG_TRY(config_from_json(*config_json));
  if (clamp_limits(config.limits, max_limits) != config.limits) {
    return std::unexpected(Error(ErrorCode::LimitExceeded, "config.limits: above this server's maximum limits"));
  }
  const auto* files_json = o.if_contains("files");
  if (!files_json) return std::unexpected(invalid("files: missing"));
  auto rows = WG_TRY(files_from_json(*files_json));
  auto fs = WG_TRY_CTX(vfs_from_rows(rows, config.limits), "files");
  Imported out{Agent(std::move(config), std::move(fs)), "", {}};
  Agent& agent = out.agent;
  out.original_id = agent.config.id;
  agent.status = WG_TRY(status_from_string(WG_TRY(req_string(o, "status", "", 16))));
  agent.turn_count = static_cast<std::uint32_t>(WG_TRY(opt_uint(o, "turnCount", "", 0, UINT32_MAX)).value_or(0));
  if (const auto* t = o.if_contains("todos")) agent.todos = WG_TRY(todos_from_json(*t, agent.config.limits.max_todos));
  if (const auto* c = o.if_contains("conversation")) {
    if (!c->is_array()) return std::unexpected(invalid("conversation: expected an array"));
    if (c->get_array().size() > agent.config.limits.max_messages) {
      return std::unexpected(Error(ErrorCode::LimitExceeded, "conversation: longer than the agent's maxMessages"));
    }
    for (std::size_t i = 0; i < c->get_array().size(); ++i) {
      WG_TRY_CTX(message_from_json(c->get_array()[i]), "conversation[" + std::to_string(i) + "]");
    }
    agent.messages = c->get_array();
  }
  if (const auto* u = o.if_contains("usage")) agent.usage = WG_TRY(usage_from_json(*u));
  const auto* journal_json = o.if_contains("journal");
  if (!journal_json) return std::unexpected(invalid("journal: missing"));
  out.journal = WG_TRY(journal_from_json(*journal_json));
  agent.journal_seq = out.journal.empty() ? 0 : out.journal.back().seq;

  const auto* digests = o.if_contains("digests");
  if (!digests || !digests->is_object()) return std::unexpected(invalid("digests: missing"));
  const auto& d = digests->get_object();
  WG_TRY(check_keys(d, {"vfs", "state", "journal"}, "digests"));
  const auto want_vfs = WG_TRY(req_string(d, "vfs", "digests", 64));
  const auto want_state = WG_TRY(req_string(d, "state", "digests", 64));
  const auto want_journal = WG_TRY(req_string(d, "journal", "digests", 64));
  if (to_hex(agent.vfs.digest()) != want_vfs) {
    return std::unexpected(invalid("digests.vfs: the files do not produce the recorded tree digest"));
  }
  const auto state = to_hex(agent.state_digest());
  if (state != want_state) {
    return std::unexpected(invalid("digests.state: the document does not produce the recorded state digest"));
  }
  if (journal_digest(journal_json->get_array()) != want_journal) {
    return std::unexpected(invalid("digests.journal: the journal does not match its digest"));
  }
  if (!out.journal.empty() && out.journal.back().state_digest != state) {
    return std::unexpected(invalid("journal: its last entry records a different state than the document holds"));
  }
  return out;
}

}  // namespace wg::agent
