// Persistence of the agent host: agents, their files, conversations and
// journals, plus the gallery's custom templates and settings, in one SQLite
// file (`<state dir>/wasmgate.sqlite3`, WAL, synchronous=FULL).
//
// The API is plain data (strings and byte blobs): the store is the lowest
// layer and knows nothing of agent/ or gallery/ types. JSON columns are
// stored verbatim; the store never parses them.
//
// Atomicity: one apply(AgentChange) is one SQLite transaction. It commits
// before apply() returns success, so a caller that replies only after apply()
// has "committed before its reply leaves"; if anything in the change fails,
// nothing of it is applied (the transaction rolls back). After a crash
// (SIGKILL, power cut) the database holds exactly the changes whose apply()
// returned, plus possibly the one in flight, each either whole or absent.
//
// Order inside one change: erase, upsert, replace_files, delete_files,
// put_files, clear_messages, append_messages, journal. So a change may erase
// an agent and recreate it, or clear files and put new ones.
//
// Thread-safety: an AgentDb serialises its own use with an internal mutex
// (mutex_ guards db_); one object may be shared between threads.
// Failures: SQLite faults are ErrorCode::Io; an unknown agent NotFound; a
// duplicate journal or message seq, or a malformed change, Invalid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "store/sqlite/database.h"

namespace wg::store {

// The file name of the agent host database inside a state directory.
inline constexpr std::string_view kAgentStateFile = "wasmgate.sqlite3";

// One agent. JSON fields are opaque to the store.
struct AgentRow {
  std::string id;
  std::string config_json;
  std::string status;
  std::int64_t turn_count = 0;
  std::string todos_json;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::int64_t journal_seq = 0;  // seq of the agent's last journal entry
  std::string state_digest;
  std::string usage_json = "{}";  // token usage of the agent's model replies
  friend bool operator==(const AgentRow&, const AgentRow&) = default;
};

inline constexpr std::uint8_t kFileTypeRegular = 1;
inline constexpr std::uint8_t kFileTypeDirectory = 2;
inline constexpr std::uint8_t kFileTypeSymlink = 3;

// One node of an agent's filesystem. Content is arbitrary bytes (NULs and
// invalid UTF-8 survive): the file's data, or a symlink's target.
struct FileRow {
  std::string path;
  std::uint8_t type = kFileTypeRegular;  // kFileType*
  std::string content;
  friend bool operator==(const FileRow&, const FileRow&) = default;
};

// One conversation message. seq 0 in append_messages means "next": the store
// assigns max(seq)+1 of that agent.
struct MessageRow {
  std::int64_t seq = 0;
  std::string json;
  friend bool operator==(const MessageRow&, const MessageRow&) = default;
};

struct JournalRow {
  std::int64_t seq = 0;  // > 0, unique per agent
  std::string op;
  std::string args_json;
  std::string result_digest;
  std::string state_digest;
  std::int64_t time_ms = 0;
  friend bool operator==(const JournalRow&, const JournalRow&) = default;
};

// Everything one state change writes, applied in one transaction (see the
// order at the top of this file).
struct AgentChange {
  std::string agent_id;
  std::optional<AgentRow> upsert;  // full row; upsert->id must equal agent_id
  bool erase = false;              // delete the agent and all its rows (terminate); NotFound if absent
  bool replace_files = false;      // delete all file rows first (import, reset of files)
  std::vector<FileRow> put_files;  // upsert by path
  // Exact paths; deleting "/a" also deletes every row below it ("/a/...")
  // but not "/ab". Deleting "/" deletes every file row. Absent paths are
  // not an error.
  std::vector<std::string> delete_files;
  bool clear_messages = false;
  std::vector<MessageRow> append_messages;
  std::vector<JournalRow> journal;  // appended; a seq already present is Invalid and rolls everything back
};

class AgentDb {
 public:
  // Opens (creating and migrating) the database at `path`; ":memory:" for a
  // private in-memory database. Files run in WAL mode with synchronous=FULL.
  static Result<std::unique_ptr<AgentDb>> open(const std::string& path);

  AgentDb(const AgentDb&) = delete;
  AgentDb& operator=(const AgentDb&) = delete;

  // Applies `change` in one transaction and commits it. Any failure rolls
  // the whole change back. Rows other than the agent row (files, messages,
  // journal) need the agent to exist by then: NotFound otherwise.
  Status apply(const AgentChange& change);

  // Every agent, sorted by (created_ms, id).
  Result<std::vector<AgentRow>> load_agents();
  // The agent's file rows sorted by path bytes, so parents come before
  // their children. Empty for an unknown agent.
  Result<std::vector<FileRow>> load_files(std::string_view agent_id);
  // The agent's messages in seq order.
  Result<std::vector<MessageRow>> load_messages(std::string_view agent_id);
  // The agent's journal entries with seq > after_seq, in seq order, at most
  // `limit` of them.
  Result<std::vector<JournalRow>> load_journal(std::string_view agent_id, std::int64_t after_seq = 0,
                                               std::size_t limit = SIZE_MAX);

  // Fork, in one transaction: applies create_copy.upsert (required; the
  // target agent must not exist yet: Invalid), copies every file row,
  // message and journal entry of `from_id` (NotFound if absent) to
  // create_copy.agent_id, then applies the rest of create_copy (erase is
  // Invalid here).
  Status copy_agent(std::string_view from_id, const AgentChange& create_copy);

  // Custom gallery templates: id -> JSON, sorted by id.
  Result<std::vector<std::pair<std::string, std::string>>> load_templates();
  // Upserts every (id, json) in one transaction.
  Status put_templates(const std::vector<std::pair<std::string, std::string>>& id_json);
  // NotFound if there is no template `id`.
  Status remove_template(std::string_view id);

  // Settings: key -> JSON.
  Result<std::optional<std::string>> get_setting(std::string_view key);
  Status put_setting(std::string_view key, std::string_view json);

 private:
  explicit AgentDb(sqlite::Database db) : db_(std::move(db)) {}
  // The body of apply()/copy_agent() inside an open transaction.
  Status apply_in_tx(const AgentChange& change, std::optional<std::string_view> copy_from);
  Result<bool> agent_exists(std::string_view agent_id);

  std::mutex mutex_;  // guards db_
  sqlite::Database db_;
};

}  // namespace wg::store
