#include "store/agent_db.h"

#include <array>
#include <cstdint>
#include <limits>
#include <span>

namespace wg::store {
namespace {

// The schema of the agent host database. Append a step to change it; never
// edit a step that has shipped (Database::migrate).
//
// File rows keep a rowid (not WITHOUT ROWID): their content can be large,
// and SQLite advises rowid tables for rows bigger than a small page
// fraction. Every child table cascades from agents, so erasing an agent is
// one DELETE. Paths compare with BINARY collation (memcmp), which orders a
// parent before its children and makes "/a/" .. "/a0" the range of rows
// below "/a".
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  config_json TEXT NOT NULL,
  status TEXT NOT NULL,
  turn_count INTEGER NOT NULL,
  todos_json TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  journal_seq INTEGER NOT NULL,
  state_digest TEXT NOT NULL
);
CREATE INDEX agents_created ON agents(created_ms, id);
CREATE TABLE agent_files (
  agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  type INTEGER NOT NULL CHECK (type IN (1, 2, 3)),
  content BLOB NOT NULL,
  UNIQUE (agent_id, path)
);
CREATE TABLE agent_messages (
  agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (agent_id, seq)
);
CREATE TABLE agent_journal (
  agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  op TEXT NOT NULL,
  args_json TEXT NOT NULL,
  result_digest TEXT NOT NULL,
  state_digest TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  PRIMARY KEY (agent_id, seq)
);
CREATE TABLE templates (
  id TEXT PRIMARY KEY,
  json TEXT NOT NULL
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  json TEXT NOT NULL
);
)sql";

// Token usage of an agent's model replies (the agent loop), as JSON
// {"inputTokens", "outputTokens"}.
constexpr std::string_view kMigration2 = R"sql(
ALTER TABLE agents ADD COLUMN usage_json TEXT NOT NULL DEFAULT '{}';
)sql";

constexpr std::array<std::string_view, 2> kMigrations = {kMigration1, kMigration2};

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string blob_as_string(const sqlite::Statement& s, int column) {
  auto bytes = s.column_blob(column);
  return std::string(bytes.begin(), bytes.end());
}

bool primary_key_violated(const sqlite::Database& db) {
  const int rc = sqlite3_extended_errcode(db.handle());
  return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
}

}  // namespace

Result<std::unique_ptr<AgentDb>> AgentDb::open(const std::string& path) {
  auto db = WG_TRY_CTX(sqlite::Database::open(path), "agent store");
  WG_TRY_CTX(db.migrate(kMigrations), "agent store " + path);
  return std::unique_ptr<AgentDb>(new AgentDb(std::move(db)));
}

Result<bool> AgentDb::agent_exists(std::string_view agent_id) {
  auto s = WG_TRY(db_.prepare("SELECT 1 FROM agents WHERE id = ?"));
  s.bind(1, agent_id);
  return s.step();
}

Status AgentDb::apply(const AgentChange& change) {
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  WG_TRY(apply_in_tx(change, std::nullopt));
  return tx.commit();
}

Status AgentDb::copy_agent(std::string_view from_id, const AgentChange& create_copy) {
  if (create_copy.erase) return make_error(ErrorCode::Invalid, "copy_agent: the copy's change cannot erase");
  if (!create_copy.upsert) {
    return make_error(ErrorCode::Invalid, "copy_agent: the copy's change must create agent " + create_copy.agent_id);
  }
  if (from_id == create_copy.agent_id) return make_error(ErrorCode::Invalid, "copy_agent: cannot copy an agent onto itself");
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  if (!WG_TRY(agent_exists(from_id))) return make_error(ErrorCode::NotFound, "agent " + std::string(from_id) + " not found");
  if (WG_TRY(agent_exists(create_copy.agent_id))) {
    return make_error(ErrorCode::Invalid, "copy_agent: agent " + create_copy.agent_id + " already exists");
  }
  WG_TRY(apply_in_tx(create_copy, from_id));
  return tx.commit();
}

Status AgentDb::apply_in_tx(const AgentChange& change, std::optional<std::string_view> copy_from) {
  const std::string& id = change.agent_id;
  if (id.empty()) return make_error(ErrorCode::Invalid, "agent change without an agent id");
  if (change.upsert && change.upsert->id != id) {
    return make_error(ErrorCode::Invalid, "agent change for " + id + " upserts a row of " + change.upsert->id);
  }

  if (change.erase) {
    auto s = WG_TRY(db_.prepare("DELETE FROM agents WHERE id = ?"));
    s.bind(1, id);
    WG_TRY(s.run());  // ON DELETE CASCADE removes files, messages and journal
    if (db_.changes() != 1) return make_error(ErrorCode::NotFound, "agent " + id + " not found");
  }

  if (change.upsert) {
    const AgentRow& r = *change.upsert;
    // An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first,
    // and the delete would cascade to the agent's files and journal.
    auto s = WG_TRY(db_.prepare(
        "INSERT INTO agents (id, config_json, status, turn_count, todos_json, created_ms, updated_ms, journal_seq, "
        "state_digest, usage_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
        "config_json = excluded.config_json, status = excluded.status, turn_count = excluded.turn_count, "
        "todos_json = excluded.todos_json, created_ms = excluded.created_ms, updated_ms = excluded.updated_ms, "
        "journal_seq = excluded.journal_seq, state_digest = excluded.state_digest, usage_json = excluded.usage_json"));
    s.bind(1, r.id).bind(2, r.config_json).bind(3, r.status).bind(4, r.turn_count).bind(5, r.todos_json);
    s.bind(6, r.created_ms).bind(7, r.updated_ms).bind(8, r.journal_seq).bind(9, r.state_digest);
    s.bind(10, r.usage_json);
    WG_TRY(s.run());
  }

  const bool touches_children = copy_from || change.replace_files || !change.put_files.empty() ||
                                !change.delete_files.empty() || change.clear_messages ||
                                !change.append_messages.empty() || !change.journal.empty();
  if (!touches_children) return ok();
  if (!WG_TRY(agent_exists(id))) return make_error(ErrorCode::NotFound, "agent " + id + " not found");

  if (copy_from) {
    for (std::string_view sql : {
             "INSERT INTO agent_files (agent_id, path, type, content) SELECT ?, path, type, content FROM agent_files "
             "WHERE agent_id = ? ORDER BY path",
             "INSERT INTO agent_messages (agent_id, seq, json) SELECT ?, seq, json FROM agent_messages "
             "WHERE agent_id = ?",
             "INSERT INTO agent_journal (agent_id, seq, op, args_json, result_digest, state_digest, time_ms) "
             "SELECT ?, seq, op, args_json, result_digest, state_digest, time_ms FROM agent_journal WHERE agent_id = ?",
         }) {
      auto s = WG_TRY(db_.prepare(sql));
      s.bind(1, id).bind(2, *copy_from);
      WG_TRY(s.run());
    }
  }

  if (change.replace_files) {
    auto s = WG_TRY(db_.prepare("DELETE FROM agent_files WHERE agent_id = ?"));
    s.bind(1, id);
    WG_TRY(s.run());
  }

  if (!change.delete_files.empty()) {
    auto all = WG_TRY(db_.prepare("DELETE FROM agent_files WHERE agent_id = ?"));
    auto below = WG_TRY(
        db_.prepare("DELETE FROM agent_files WHERE agent_id = ? AND (path = ? OR (path >= ? AND path < ?))"));
    for (const std::string& path : change.delete_files) {
      std::string_view base = path;
      while (!base.empty() && base.back() == '/') base.remove_suffix(1);
      if (base.empty()) {
        // "/" (or "") is the root: everything goes.
        WG_TRY(all.reset());
        all.bind(1, id);
        WG_TRY(all.run());
        continue;
      }
      // Rows below "/a" are exactly those in ["/a/", "/a0"): '0' follows '/'
      // in byte order, so "/ab" and "/a-b" stay outside the range.
      WG_TRY(below.reset());
      below.bind(1, id).bind(2, base).bind(3, std::string(base) + "/").bind(4, std::string(base) + "0");
      WG_TRY(below.run());
    }
  }

  if (!change.put_files.empty()) {
    auto s = WG_TRY(db_.prepare(
        "INSERT INTO agent_files (agent_id, path, type, content) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(agent_id, path) DO UPDATE SET type = excluded.type, content = excluded.content"));
    for (const FileRow& f : change.put_files) {
      if (f.path.empty()) return make_error(ErrorCode::Invalid, "agent " + id + ": file row without a path");
      if (f.type < kFileTypeRegular || f.type > kFileTypeSymlink) {
        return make_error(ErrorCode::Invalid,
                          "agent " + id + ": file " + f.path + " has unknown type " + std::to_string(f.type));
      }
      WG_TRY(s.reset());
      s.bind(1, id).bind(2, f.path).bind(3, static_cast<std::int64_t>(f.type)).bind_blob(4, bytes_of(f.content));
      WG_TRY(s.run());
    }
  }

  if (change.clear_messages) {
    auto s = WG_TRY(db_.prepare("DELETE FROM agent_messages WHERE agent_id = ?"));
    s.bind(1, id);
    WG_TRY(s.run());
  }

  if (!change.append_messages.empty()) {
    auto next = WG_TRY(db_.prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM agent_messages WHERE agent_id = ?"));
    auto s = WG_TRY(db_.prepare("INSERT INTO agent_messages (agent_id, seq, json) VALUES (?, ?, ?)"));
    for (const MessageRow& m : change.append_messages) {
      std::int64_t seq = m.seq;
      if (seq < 0) return make_error(ErrorCode::Invalid, "agent " + id + ": negative message seq");
      if (seq == 0) {
        WG_TRY(next.reset());
        next.bind(1, id);
        if (!WG_TRY(next.step())) return make_error(ErrorCode::Internal, "MAX(seq) returned no row");
        seq = next.column_int(0);
        WG_TRY(next.reset());
      }
      WG_TRY(s.reset());
      s.bind(1, id).bind(2, seq).bind(3, m.json);
      auto done = s.run();
      if (!done) {
        if (primary_key_violated(db_)) {
          return make_error(ErrorCode::Invalid, "agent " + id + ": message seq " + std::to_string(seq) + " already exists");
        }
        return done;
      }
    }
  }

  if (!change.journal.empty()) {
    auto s = WG_TRY(db_.prepare(
        "INSERT INTO agent_journal (agent_id, seq, op, args_json, result_digest, state_digest, time_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    for (const JournalRow& j : change.journal) {
      if (j.seq <= 0) {
        return make_error(ErrorCode::Invalid, "agent " + id + ": journal seq must be positive, got " + std::to_string(j.seq));
      }
      WG_TRY(s.reset());
      s.bind(1, id).bind(2, j.seq).bind(3, j.op).bind(4, j.args_json).bind(5, j.result_digest);
      s.bind(6, j.state_digest).bind(7, j.time_ms);
      auto done = s.run();
      if (!done) {
        if (primary_key_violated(db_)) {
          return make_error(ErrorCode::Invalid,
                            "agent " + id + ": journal seq " + std::to_string(j.seq) + " already exists");
        }
        return done;
      }
    }
  }
  return ok();
}

Result<std::vector<AgentRow>> AgentDb::load_agents() {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(db_.prepare(
      "SELECT id, config_json, status, turn_count, todos_json, created_ms, updated_ms, journal_seq, state_digest, "
      "usage_json FROM agents ORDER BY created_ms, id"));
  std::vector<AgentRow> out;
  while (WG_TRY(s.step())) {
    AgentRow r;
    r.id = s.column_text(0);
    r.config_json = s.column_text(1);
    r.status = s.column_text(2);
    r.turn_count = s.column_int(3);
    r.todos_json = s.column_text(4);
    r.created_ms = s.column_int(5);
    r.updated_ms = s.column_int(6);
    r.journal_seq = s.column_int(7);
    r.state_digest = s.column_text(8);
    r.usage_json = s.column_text(9);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<FileRow>> AgentDb::load_files(std::string_view agent_id) {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(db_.prepare("SELECT path, type, content FROM agent_files WHERE agent_id = ? ORDER BY path"));
  s.bind(1, agent_id);
  std::vector<FileRow> out;
  while (WG_TRY(s.step())) {
    const std::int64_t type = s.column_int(1);
    if (type < kFileTypeRegular || type > kFileTypeSymlink) {
      return make_error(ErrorCode::Internal, "stored file of agent " + std::string(agent_id) + " has unknown type");
    }
    out.push_back(FileRow{s.column_text(0), static_cast<std::uint8_t>(type), blob_as_string(s, 2)});
  }
  return out;
}

Result<std::vector<MessageRow>> AgentDb::load_messages(std::string_view agent_id) {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(db_.prepare("SELECT seq, json FROM agent_messages WHERE agent_id = ? ORDER BY seq"));
  s.bind(1, agent_id);
  std::vector<MessageRow> out;
  while (WG_TRY(s.step())) out.push_back(MessageRow{s.column_int(0), s.column_text(1)});
  return out;
}

Result<std::vector<JournalRow>> AgentDb::load_journal(std::string_view agent_id, std::int64_t after_seq,
                                                      std::size_t limit) {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(db_.prepare(
      "SELECT seq, op, args_json, result_digest, state_digest, time_ms FROM agent_journal "
      "WHERE agent_id = ? AND seq > ? ORDER BY seq LIMIT ?"));
  // SQLite reads a negative LIMIT as "no limit".
  const auto max = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  const std::int64_t sql_limit = limit > max ? -1 : static_cast<std::int64_t>(limit);
  s.bind(1, agent_id).bind(2, after_seq).bind(3, sql_limit);
  std::vector<JournalRow> out;
  while (WG_TRY(s.step())) {
    out.push_back(JournalRow{s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                             s.column_int(5)});
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> AgentDb::load_templates() {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(db_.prepare("SELECT id, json FROM templates ORDER BY id"));
  std::vector<std::pair<std::string, std::string>> out;
  while (WG_TRY(s.step())) out.emplace_back(s.column_text(0), s.column_text(1));
  return out;
}

Status AgentDb::put_templates(const std::vector<std::pair<std::string, std::string>>& id_json) {
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  auto s = WG_TRY(
      db_.prepare("INSERT INTO templates (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json"));
  for (const auto& [id, json] : id_json) {
    if (id.empty()) return make_error(ErrorCode::Invalid, "template without an id");
    WG_TRY(s.reset());
    s.bind(1, id).bind(2, json);
    WG_TRY(s.run());
  }
  return tx.commit();
}

Status AgentDb::remove_template(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  auto s = WG_TRY(db_.prepare("DELETE FROM templates WHERE id = ?"));
  s.bind(1, id);
  WG_TRY(s.run());
  if (db_.changes() != 1) return make_error(ErrorCode::NotFound, "template " + std::string(id) + " not found");
  return tx.commit();
}

Result<std::optional<std::string>> AgentDb::get_setting(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(db_.prepare("SELECT json FROM settings WHERE key = ?"));
  s.bind(1, key);
  if (!WG_TRY(s.step())) return std::optional<std::string>();
  return std::optional<std::string>(s.column_text(0));
}

Status AgentDb::put_setting(std::string_view key, std::string_view json) {
  if (key.empty()) return make_error(ErrorCode::Invalid, "setting without a key");
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(
      db_.prepare("INSERT INTO settings (key, json) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET json = excluded.json"));
  s.bind(1, key).bind(2, json);
  // A single statement outside BEGIN is its own (durable) transaction.
  return s.run();
}

}  // namespace wg::store
