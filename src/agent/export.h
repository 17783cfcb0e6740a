// The agent export document (wasm_agent_export / wasm_agent_import, and the
// input of `wasmgate replay`): everything an agent is, as one JSON object.
//
//   {"format": "wasmgate.agent", "version": 1,
//    "config": {...}, "status": "active", "turnCount": 0,
//    "todos": [...], "conversation": [...],
//    "files": [{"path", "type": "file", "encoding": "utf8"|"base64", "content", "sha256"},
//              {"path", "type": "directory"}, {"path", "type": "symlink", "target"}],
//    "journal": [{"seq", "op", "args", "resultDigest", "stateDigest", "time"}],
//    "digests": {"vfs": hex, "state": hex, "journal": hex}}
//
// Contract: import_from_json() accepts exactly what export_to_json() writes
// (strictly: unknown keys, bad types, caps) and verifies every recorded
// digest — each file's sha256, the tree digest, the state digest, the
// journal digest, and that the last journal entry's state digest is the
// agent's — so a round trip reproduces the agent exactly and a tampered
// document is refused with the first mismatch named.
// Thread-safety: pure functions (the Agent passed to export is read).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent.h"
#include "base/error.h"
#include "store/agent_db.h"

namespace wg::agent {

boost::json::object export_to_json(Agent& agent, const std::vector<store::JournalRow>& journal);

struct Imported {
  Agent agent;
  std::string original_id;
  std::vector<store::JournalRow> journal;
};
// Limits above `max_limits` are refused (not clamped: that would change the
// state digest).
Result<Imported> import_from_json(const boost::json::value& document, const Limits& max_limits);

boost::json::object journal_entry_to_json(const store::JournalRow& row);
// The "journal" array of an export (strict; seqs must increase).
Result<std::vector<store::JournalRow>> parse_journal(const boost::json::value& journal);

// Parses JSON text strictly (gallery/json_util.h) with limits sized for
// whole exports (Malformed / LimitExceeded on error).
Result<boost::json::value> parse_json_text(std::string_view text);

// Builds a filesystem from file rows sorted by path (store restore, import).
Result<vfs::Vfs> vfs_from_rows(const std::vector<store::FileRow>& rows, const Limits& limits);
// Every entry of a filesystem as rows sorted by path.
std::vector<store::FileRow> rows_from_snapshot(const vfs::Snapshot& snapshot);

}  // namespace wg::agent
