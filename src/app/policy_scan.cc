#include "app/policy_scan.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "base/utf8.h"
#include "mcp/client/client.h"
#include "mcp/protocol/str_cat.h"
#include "policy/loader.h"

namespace wg::app {

namespace asio = boost::asio;
namespace json = boost::json;
using mcp::str_cat;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Starter rules. Intercept's published starter policies use 30/hour for
// write tools; unknown tools get a looser limit and a suggestion.
constexpr std::string_view kWriteLimit = "30/hour";
constexpr std::string_view kUnknownLimit = "60/hour";

// Longest tool name written as an entry (the spec asks for 1..128
// characters; we allow twice that before giving up on a name).
constexpr std::size_t kMaxNameBytes = 256;
// Longest comment text taken from a tool's title/description, and from its
// argument list.
constexpr std::size_t kMaxCommentBytes = 160;
constexpr std::size_t kMaxArgumentsBytes = 200;

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object* object_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

std::optional<bool> bool_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_bool()) return v->get_bool();
  return std::nullopt;
}

// ---- text that goes into comments and quoted scalars -------------------------

// Decodes one UTF-8 sequence at `i` of well-formed text; returns the code
// point and advances `i`.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += static_cast<std::size_t>(len);
  return cp;
}

// Characters that would end a YAML comment or confuse a reader: C0 and C1
// controls, DEL, YAML 1.1's extra line breaks (NEL, LS, PS) and the BOM.
bool is_unsafe(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
}

// Makes text safe for one comment line: invalid UTF-8 bytes become '?',
// unsafe characters a space, runs of spaces one space; trimmed; cut at
// `max_bytes` on a character boundary (with "..." when cut).
std::string one_line(std::string_view text, std::size_t max_bytes) {
  std::string valid(text.substr(0, 4 * max_bytes));
  for (std::size_t bad = find_invalid_utf8(valid); bad != std::string_view::npos; bad = find_invalid_utf8(valid)) {
    valid[bad] = '?';
  }
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < valid.size();) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(valid, i);
    if (is_unsafe(cp) || cp == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    if (out.size() + (i - start) > max_bytes) {
      out += "...";
      return out;
    }
    out.append(valid, start, i - start);
  }
  return out;
}

// The first line of a description, or its first sentence if that ends
// earlier ("Lists files. Paths are ..." -> "Lists files.").
std::string_view first_line(std::string_view text) {
  const std::size_t nl = text.find_first_of("\r\n");
  if (nl != std::string_view::npos) text = text.substr(0, nl);
  const std::size_t stop = text.find(". ");
  if (stop != std::string_view::npos) text = text.substr(0, stop + 1);
  return text;
}

// A YAML double-quoted scalar (JSON's escapes are YAML's).
std::string yaml_quoted(std::string_view text) { return json::serialize(json::value(json::string(text))); }

// Why a name cannot be an exact entry key, or empty when it can.
std::string unusable_name(std::string_view name) {
  if (name.empty()) return "the name is empty";
  if (name.size() > kMaxNameBytes) return str_cat("the name is longer than ", kMaxNameBytes, " bytes");
  if (find_invalid_utf8(name) != std::string_view::npos) return "the name is not valid UTF-8";
  for (std::size_t i = 0; i < name.size();) {
    const char32_t cp = next_code_point(name, i);
    if (is_unsafe(cp)) return "the name holds control or line-break characters";
    // A policy key with * or ? is a glob, and one with a backslash escape
    // is compared with the backslash: neither names exactly this tool.
    if (cp == '*' || cp == '?' || cp == '\\') return "the name holds a glob character (* ? \\)";
  }
  return {};
}

// ---- classification -------------------------------------------------------------

// Order of risk, for "the riskier class wins".
int rank(ToolRisk r) {
  switch (r) {
    case ToolRisk::ReadOnly: return 0;
    case ToolRisk::Unknown: return 1;
    case ToolRisk::Write: return 2;
    case ToolRisk::Destructive: return 3;
    case ToolRisk::High: return 4;
  }
  return 1;
}

// How strongly a word says what a tool does. A verb ("get", "delete") does;
// a word that is also a common noun ("run", "charge") does when no plain
// verb is present ("get_workflow_run" reads); a topic noun ("payment",
// "email") only says what the tool is about.
enum class WordKind : std::uint8_t { Verb, AmbiguousVerb, Noun };

struct WordClass {
  std::string_view word;
  ToolRisk risk;
  std::string_view meaning;  // completes "the <where> says '<word>': ..."
  WordKind kind = WordKind::Verb;
};

// One table: a word of a tool's name or description and what it implies.
// Words are matched whole (after splitting snake_case, kebab-case and
// camelCase), also with a trailing "s" or "es" removed.
constexpr std::string_view kRunsCode = "runs code or commands";
constexpr std::string_view kSends = "sends messages to people or systems";
constexpr std::string_view kMoney = "moves money";
constexpr std::string_view kDeletes = "deletes, overwrites or stops things";
constexpr std::string_view kChanges = "changes data";
constexpr std::string_view kReads = "reads data";
constexpr std::array kWords{
    WordClass{"exec", ToolRisk::High, kRunsCode},
    WordClass{"execute", ToolRisk::High, kRunsCode},
    WordClass{"eval", ToolRisk::High, kRunsCode},
    WordClass{"run", ToolRisk::High, kRunsCode, WordKind::AmbiguousVerb},
    WordClass{"shell", ToolRisk::High, kRunsCode, WordKind::Noun},
    WordClass{"bash", ToolRisk::High, kRunsCode, WordKind::Noun},
    WordClass{"spawn", ToolRisk::High, kRunsCode},
    WordClass{"command", ToolRisk::High, kRunsCode, WordKind::Noun},
    WordClass{"cmd", ToolRisk::High, kRunsCode, WordKind::Noun},
    WordClass{"script", ToolRisk::High, kRunsCode, WordKind::Noun},
    WordClass{"sudo", ToolRisk::High, kRunsCode},
    WordClass{"deploy", ToolRisk::High, kRunsCode},
    WordClass{"terminal", ToolRisk::High, kRunsCode, WordKind::Noun},
    WordClass{"send", ToolRisk::High, kSends},
    WordClass{"email", ToolRisk::High, kSends, WordKind::Noun},
    WordClass{"mail", ToolRisk::High, kSends, WordKind::Noun},
    WordClass{"sms", ToolRisk::High, kSends, WordKind::Noun},
    WordClass{"publish", ToolRisk::High, kSends},
    WordClass{"broadcast", ToolRisk::High, kSends},
    WordClass{"notify", ToolRisk::High, kSends},
    WordClass{"tweet", ToolRisk::High, kSends},
    WordClass{"pay", ToolRisk::High, kMoney},
    WordClass{"payment", ToolRisk::High, kMoney, WordKind::Noun},
    WordClass{"transfer", ToolRisk::High, kMoney, WordKind::AmbiguousVerb},
    WordClass{"charge", ToolRisk::High, kMoney, WordKind::AmbiguousVerb},
    WordClass{"refund", ToolRisk::High, kMoney},
    WordClass{"purchase", ToolRisk::High, kMoney},
    WordClass{"buy", ToolRisk::High, kMoney},
    WordClass{"withdraw", ToolRisk::High, kMoney},
    WordClass{"wire", ToolRisk::High, kMoney, WordKind::AmbiguousVerb},
    WordClass{"checkout", ToolRisk::High, kMoney},
    WordClass{"spend", ToolRisk::High, kMoney, WordKind::AmbiguousVerb},
    WordClass{"invoice", ToolRisk::High, kMoney, WordKind::Noun},
    WordClass{"delete", ToolRisk::Destructive, kDeletes},
    WordClass{"remove", ToolRisk::Destructive, kDeletes},
    WordClass{"rm", ToolRisk::Destructive, kDeletes},
    WordClass{"rmdir", ToolRisk::Destructive, kDeletes},
    WordClass{"unlink", ToolRisk::Destructive, kDeletes},
    WordClass{"drop", ToolRisk::Destructive, kDeletes},
    WordClass{"destroy", ToolRisk::Destructive, kDeletes},
    WordClass{"purge", ToolRisk::Destructive, kDeletes},
    WordClass{"truncate", ToolRisk::Destructive, kDeletes},
    WordClass{"erase", ToolRisk::Destructive, kDeletes},
    WordClass{"wipe", ToolRisk::Destructive, kDeletes},
    WordClass{"terminate", ToolRisk::Destructive, kDeletes},
    WordClass{"kill", ToolRisk::Destructive, kDeletes},
    WordClass{"revoke", ToolRisk::Destructive, kDeletes},
    WordClass{"uninstall", ToolRisk::Destructive, kDeletes},
    WordClass{"overwrite", ToolRisk::Destructive, kDeletes},
    WordClass{"reset", ToolRisk::Destructive, kDeletes},
    WordClass{"clear", ToolRisk::Destructive, kDeletes},
    WordClass{"shutdown", ToolRisk::Destructive, kDeletes},
    WordClass{"cancel", ToolRisk::Destructive, kDeletes},
    WordClass{"create", ToolRisk::Write, kChanges},
    WordClass{"add", ToolRisk::Write, kChanges},
    WordClass{"update", ToolRisk::Write, kChanges},
    WordClass{"set", ToolRisk::Write, kChanges},
    WordClass{"write", ToolRisk::Write, kChanges},
    WordClass{"edit", ToolRisk::Write, kChanges},
    WordClass{"modify", ToolRisk::Write, kChanges},
    WordClass{"put", ToolRisk::Write, kChanges},
    WordClass{"patch", ToolRisk::Write, kChanges},
    WordClass{"insert", ToolRisk::Write, kChanges},
    WordClass{"upload", ToolRisk::Write, kChanges},
    WordClass{"save", ToolRisk::Write, kChanges},
    WordClass{"rename", ToolRisk::Write, kChanges},
    WordClass{"move", ToolRisk::Write, kChanges},
    WordClass{"copy", ToolRisk::Write, kChanges},
    WordClass{"import", ToolRisk::Write, kChanges},
    WordClass{"configure", ToolRisk::Write, kChanges},
    WordClass{"install", ToolRisk::Write, kChanges},
    WordClass{"enable", ToolRisk::Write, kChanges},
    WordClass{"disable", ToolRisk::Write, kChanges},
    WordClass{"start", ToolRisk::Write, kChanges},
    WordClass{"stop", ToolRisk::Write, kChanges},
    WordClass{"restart", ToolRisk::Write, kChanges},
    WordClass{"append", ToolRisk::Write, kChanges},
    WordClass{"commit", ToolRisk::Write, kChanges},
    WordClass{"push", ToolRisk::Write, kChanges},
    WordClass{"merge", ToolRisk::Write, kChanges},
    WordClass{"assign", ToolRisk::Write, kChanges},
    WordClass{"register", ToolRisk::Write, kChanges},
    WordClass{"apply", ToolRisk::Write, kChanges},
    WordClass{"change", ToolRisk::Write, kChanges},
    WordClass{"replace", ToolRisk::Write, kChanges},
    WordClass{"mkdir", ToolRisk::Write, kChanges},
    WordClass{"toggle", ToolRisk::Write, kChanges},
    WordClass{"trigger", ToolRisk::Write, kChanges},
    WordClass{"submit", ToolRisk::Write, kChanges},
    WordClass{"approve", ToolRisk::Write, kChanges},
    WordClass{"reject", ToolRisk::Write, kChanges},
    WordClass{"subscribe", ToolRisk::Write, kChanges},
    WordClass{"upsert", ToolRisk::Write, kChanges},
    WordClass{"store", ToolRisk::Write, kChanges},
    WordClass{"archive", ToolRisk::Write, kChanges},
    WordClass{"restore", ToolRisk::Write, kChanges},
    WordClass{"schedule", ToolRisk::Write, kChanges},
    WordClass{"invite", ToolRisk::Write, kChanges},
    WordClass{"share", ToolRisk::Write, kChanges},
    WordClass{"fork", ToolRisk::Write, kChanges},
    WordClass{"clone", ToolRisk::Write, kChanges},
    WordClass{"resume", ToolRisk::Write, kChanges},
    WordClass{"new", ToolRisk::Write, kChanges},
    WordClass{"get", ToolRisk::ReadOnly, kReads},
    WordClass{"list", ToolRisk::ReadOnly, kReads},
    WordClass{"read", ToolRisk::ReadOnly, kReads},
    WordClass{"search", ToolRisk::ReadOnly, kReads},
    WordClass{"find", ToolRisk::ReadOnly, kReads},
    WordClass{"query", ToolRisk::ReadOnly, kReads},
    WordClass{"fetch", ToolRisk::ReadOnly, kReads},
    WordClass{"show", ToolRisk::ReadOnly, kReads},
    WordClass{"describe", ToolRisk::ReadOnly, kReads},
    WordClass{"view", ToolRisk::ReadOnly, kReads},
    WordClass{"lookup", ToolRisk::ReadOnly, kReads},
    WordClass{"count", ToolRisk::ReadOnly, kReads},
    WordClass{"check", ToolRisk::ReadOnly, kReads},
    WordClass{"status", ToolRisk::ReadOnly, kReads},
    WordClass{"info", ToolRisk::ReadOnly, kReads},
    WordClass{"inspect", ToolRisk::ReadOnly, kReads},
    WordClass{"stat", ToolRisk::ReadOnly, kReads},
    WordClass{"browse", ToolRisk::ReadOnly, kReads},
    WordClass{"retrieve", ToolRisk::ReadOnly, kReads},
    WordClass{"download", ToolRisk::ReadOnly, kReads},
    WordClass{"export", ToolRisk::ReadOnly, kReads},
    WordClass{"validate", ToolRisk::ReadOnly, kReads},
    WordClass{"verify", ToolRisk::ReadOnly, kReads},
    WordClass{"echo", ToolRisk::ReadOnly, kReads},
    WordClass{"ping", ToolRisk::ReadOnly, kReads},
    WordClass{"health", ToolRisk::ReadOnly, kReads},
    WordClass{"diff", ToolRisk::ReadOnly, kReads},
    WordClass{"log", ToolRisk::ReadOnly, kReads},
    WordClass{"history", ToolRisk::ReadOnly, kReads},
    WordClass{"whoami", ToolRisk::ReadOnly, kReads},
    WordClass{"version", ToolRisk::ReadOnly, kReads},
    WordClass{"explain", ToolRisk::ReadOnly, kReads},
    WordClass{"summarize", ToolRisk::ReadOnly, kReads},
    WordClass{"analyze", ToolRisk::ReadOnly, kReads},
    WordClass{"compare", ToolRisk::ReadOnly, kReads},
    WordClass{"preview", ToolRisk::ReadOnly, kReads},
    WordClass{"resolve", ToolRisk::ReadOnly, kReads},
    WordClass{"lint", ToolRisk::ReadOnly, kReads},
    WordClass{"calculate", ToolRisk::ReadOnly, kReads},
    WordClass{"compute", ToolRisk::ReadOnly, kReads},
    WordClass{"return", ToolRisk::ReadOnly, kReads},
    WordClass{"print", ToolRisk::ReadOnly, kReads},
    WordClass{"help", ToolRisk::ReadOnly, kReads},
    WordClass{"ls", ToolRisk::ReadOnly, kReads},
    WordClass{"cat", ToolRisk::ReadOnly, kReads},
};

// Lower-case ASCII words of a name or sentence: split at anything that is
// not a letter or digit, and at camelCase boundaries ("getTinyImage" ->
// get, tiny, image). Non-ASCII bytes separate words.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z', digit = c >= '0' && c <= '9';
    if (!lower && !upper && !digit) {
      flush();
      continue;
    }
    if (upper && i > 0) {
      const char p = text[i - 1];
      const bool prev_lower = (p >= 'a' && p <= 'z') || (p >= '0' && p <= '9');
      const bool next_lower = i + 1 < text.size() && text[i + 1] >= 'a' && text[i + 1] <= 'z';
      const bool prev_upper = p >= 'A' && p <= 'Z';
      if (prev_lower || (prev_upper && next_lower)) flush();  // fooBar, HTTPServer
    }
    word.push_back(upper ? static_cast<char>(c - 'A' + 'a') : c);
  }
  flush();
  return words;
}

const WordClass* lookup_word(std::string_view w) {
  auto find = [](std::string_view key) -> const WordClass* {
    for (const auto& row : kWords) {
      if (row.word == key) return &row;
    }
    return nullptr;
  };
  if (const auto* row = find(w)) return row;
  if (w.size() > 3 && w.ends_with("es")) {
    if (const auto* row = find(w.substr(0, w.size() - 2))) return row;
  }
  if (w.size() > 2 && w.ends_with('s')) {
    if (const auto* row = find(w.substr(0, w.size() - 1))) return row;
  }
  return nullptr;
}

struct WordVerdict {
  ToolClass cls;
  WordKind kind = WordKind::Verb;
};

// The riskiest word of the strongest kind present in `words` (verbs, else
// ambiguous verbs, else nouns), with the reason naming the word.
std::optional<WordVerdict> classify_words(const std::vector<std::string>& words, std::string_view where) {
  const WordClass* best = nullptr;
  std::string best_word;
  for (const std::string& w : words) {
    const WordClass* row = lookup_word(w);
    if (!row) continue;
    const bool better =
        !best || row->kind < best->kind || (row->kind == best->kind && rank(row->risk) > rank(best->risk));
    if (better) {
      best = row;
      best_word = w;
    }
  }
  if (!best) return std::nullopt;
  return WordVerdict{ToolClass{best->risk, str_cat("the ", where, " says \"", best_word, "\": ", best->meaning)},
                     best->kind};
}

// ---- rendering -------------------------------------------------------------------

// "a (string, required), b (integer)" from an inputSchema, or "(none)".
std::string arguments_of(const json::object& tool) {
  const json::object* schema = object_field(tool, "inputSchema");
  const json::object* props = schema ? object_field(*schema, "properties") : nullptr;
  if (!props || props->empty()) return "(none)";
  std::set<std::string> required;
  if (const json::value* r = schema->if_contains("required"); r && r->is_array()) {
    for (const json::value& v : r->get_array()) {
      if (v.is_string()) required.emplace(v.get_string());
    }
  }
  std::string out;
  for (const auto& [key, value] : *props) {
    std::string type;
    if (value.is_object()) {
      if (const json::value* t = value.get_object().if_contains("type")) {
        if (t->is_string()) {
          type = std::string(t->get_string());
        } else if (t->is_array()) {
          for (const json::value& part : t->get_array()) {
            if (!part.is_string()) continue;
            if (!type.empty()) type += "|";
            type += std::string(part.get_string());
          }
        }
      }
    }
    std::string item(key);
    std::string details = type;
    if (required.contains(std::string(key))) details += details.empty() ? "required" : ", required";
    if (!details.empty()) item += " (" + details + ")";
    if (!out.empty()) out += ", ";
    out += item;
  }
  return one_line(out, kMaxArgumentsBytes);
}

struct Classified {
  std::string name;
  const json::object* tool;
  ToolClass cls;
};

std::string section_heading(ToolRisk risk, std::size_t n) {
  switch (risk) {
    case ToolRisk::ReadOnly: return str_cat("read-only (", n, "): allowed");
    case ToolRisk::Write: return str_cat("write (", n, "): rate-limited to ", kWriteLimit, " per tool");
    case ToolRisk::Destructive: return str_cat("destructive (", n, "): a human approves each call");
    case ToolRisk::High: return str_cat("high risk (", n, "): a human approves each call");
    case ToolRisk::Unknown:
      return str_cat("unknown (", n, "): rate-limited to ", kUnknownLimit, "; review, approval suggested");
  }
  return {};
}

// A comment line under a section's heading, or empty.
std::string_view section_note(ToolRisk risk) {
  if (risk == ToolRisk::ReadOnly) {
    return "  # To cap a runaway loop, give an entry: rules: [{name: read limit, rate_limit: 60/minute}]\n";
  }
  return {};
}

void render_rules(std::string& out, const Classified& c) {
  switch (c.cls.risk) {
    case ToolRisk::ReadOnly: out += "    rules: []\n"; return;
    case ToolRisk::Write:
      out += "    rules:\n";
      out += "      - name: \"write rate limit\"\n";
      out += str_cat("        rate_limit: ", kWriteLimit, "\n");
      out += str_cat("        on_deny: ",
                     yaml_quoted(str_cat("This tool changes data; the starter policy allows ", kWriteLimit,
                                         ". Edit the policy to change the limit.")),
                     "\n");
      return;
    case ToolRisk::Destructive:
      out += "    rules:\n";
      out += "      - name: \"destructive: needs approval\"\n";
      out += "        action: require_approval\n";
      out += "        approval_timeout: 15m\n";
      out += str_cat("        on_deny: ",
                     yaml_quoted("This tool can delete or overwrite data; a human must approve each call."), "\n");
      return;
    case ToolRisk::High:
      out += "    rules:\n";
      out += "      - name: \"high risk: needs approval\"\n";
      out += "        action: require_approval\n";
      out += "        approval_timeout: 15m\n";
      out += str_cat("        on_deny: ",
                     yaml_quoted("This tool runs code, sends messages or moves money; a human must approve each call."),
                     "\n");
      return;
    case ToolRisk::Unknown:
      out += "    rules:\n";
      out += "      - name: \"unknown risk rate limit\"\n";
      out += str_cat("        rate_limit: ", kUnknownLimit, "\n");
      out += "      # Nothing says what this tool does. To have a human approve each call:\n";
      out += "      # - name: \"unknown risk: needs approval\"\n";
      out += "      #   action: require_approval\n";
      return;
  }
}

}  // namespace

std::string_view to_string(ToolRisk risk) {
  switch (risk) {
    case ToolRisk::ReadOnly: return "read-only";
    case ToolRisk::Write: return "write";
    case ToolRisk::Destructive: return "destructive";
    case ToolRisk::High: return "high risk";
    case ToolRisk::Unknown: return "unknown";
  }
  return "unknown";
}

ToolClass classify_tool(const json::object& tool) {
  const std::string name = string_field(tool, "name");
  const std::optional<WordVerdict> by_name = classify_words(words_of(name), "name");

  // Spec 2025-11-25 server/tools, ToolAnnotations: readOnlyHint (default
  // false); destructiveHint (default true, meaningful only when not
  // read-only); idempotentHint; openWorldHint (default true). We read them
  // when the server stated at least one of the first two; an annotations
  // object with neither says nothing about risk.
  if (const json::object* ann = object_field(tool, "annotations")) {
    const std::optional<bool> read_only = bool_field(*ann, "readOnlyHint");
    const std::optional<bool> destructive = bool_field(*ann, "destructiveHint");
    if (read_only || destructive) {
      ToolClass cls;
      if (read_only.value_or(false)) {
        cls = {ToolRisk::ReadOnly, "annotations: readOnlyHint true"};
      } else {
        const bool d = destructive.value_or(true);
        cls.risk = d ? ToolRisk::Destructive : ToolRisk::Write;
        cls.reason = str_cat("annotations: readOnlyHint ", read_only ? "false" : "absent (false)", ", destructiveHint ",
                             destructive ? (d ? "true" : "false") : "absent (true)");
        if (bool_field(*ann, "idempotentHint").value_or(false)) cls.reason += ", idempotentHint true";
      }
      if (bool_field(*ann, "openWorldHint").value_or(true)) cls.reason += ", openWorldHint true (reaches outside)";
      // Annotations are hints from the server, not guarantees (spec: clients
      // must treat them as untrusted). A name that says delete, run or pay
      // outranks a milder claim: a verb ("send_x", "wasm_agent_run") does, a
      // topic noun ("email_summary") does not.
      if (by_name && by_name->kind != WordKind::Noun && rank(by_name->cls.risk) > rank(cls.risk) &&
          (by_name->cls.risk == ToolRisk::Destructive || by_name->cls.risk == ToolRisk::High)) {
        return ToolClass{by_name->cls.risk,
                         str_cat(by_name->cls.reason, " (", cls.reason, ": not trusted over the name)")};
      }
      return cls;
    }
  }
  if (by_name) return by_name->cls;
  // Descriptions mention many things; their first word is usually the verb
  // ("Deletes the widget", "Returns ...").
  std::vector<std::string> description = words_of(first_line(string_field(tool, "description")));
  if (description.size() > 1) description.resize(1);
  if (auto by_description = classify_words(description, "description")) return by_description->cls;
  return ToolClass{ToolRisk::Unknown, "no annotations, and neither the name nor the description says"};
}

Result<std::string> render_starter_policy(const ScanResult& scan, std::string_view upstream_label) {
  std::vector<Classified> entries;
  std::vector<std::string> skipped;  // comment lines
  std::set<std::string> seen;
  for (const json::value& v : scan.tools) {
    if (!v.is_object()) {
      skipped.push_back("a tools/list item that is not an object");
      continue;
    }
    const json::object& tool = v.get_object();
    const json::value* n = tool.if_contains("name");
    if (!n || !n->is_string()) {
      skipped.push_back("a tool without a string name");
      continue;
    }
    const std::string name(n->get_string());
    if (std::string why = unusable_name(name); !why.empty()) {
      skipped.push_back(str_cat(yaml_quoted(one_line(name, 64)), ": ", why));
      continue;
    }
    if (!seen.insert(name).second) {
      skipped.push_back(str_cat(yaml_quoted(name), ": listed twice; the first listing is used"));
      continue;
    }
    entries.push_back(Classified{name, &tool, classify_tool(tool)});
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Classified& a, const Classified& b) {
    if (a.cls.risk != b.cls.risk) return static_cast<int>(a.cls.risk) < static_cast<int>(b.cls.risk);
    return a.name < b.name;
  });

  constexpr std::array kOrder{ToolRisk::ReadOnly, ToolRisk::Write, ToolRisk::Destructive, ToolRisk::High,
                              ToolRisk::Unknown};
  std::map<ToolRisk, std::size_t> counts;
  for (const auto& e : entries) ++counts[e.cls.risk];

  const std::string server_name = one_line(string_field(scan.server_info, "name"), 80);
  const std::string server_version = one_line(string_field(scan.server_info, "version"), 40);

  std::string out;
  out += "# Starter policy written by `wasmgate policy scan`: review every entry before use.\n";
  out += str_cat("# Upstream: ", one_line(upstream_label, 200), "\n");
  if (!server_name.empty()) {
    out += str_cat("# Server: ", server_name, server_version.empty() ? "" : " ", server_version, "\n");
  }
  out += str_cat("# ", entries.size(), entries.size() == 1 ? " tool:" : " tools:");
  for (std::size_t i = 0; i < kOrder.size(); ++i) {
    out += str_cat(i == 0 ? " " : ", ", counts[kOrder[i]], " ", to_string(kOrder[i]));
  }
  if (!skipped.empty()) out += str_cat("; ", skipped.size(), " not listed (see the end)");
  out += ".\n";
  out += "#\n";
  out += "# Grouped by the tools' MCP annotations (readOnlyHint, destructiveHint) where the\n";
  out += "# server gives them, otherwise by words in the tool's name and description.\n";
  out += "# Annotations are the server's own hints: a name that says delete, run, send or\n";
  out += "# pay outranks a milder claim. Each tool's comment says what its class came from.\n";
  out += "# default: deny refuses tools the upstream adds later until they are listed here.\n";
  out += "# After editing: wasmgate policy validate FILE; wasmgate policy test --policy FILE --tool NAME\n";
  out += "version: \"1\"\n";
  out += str_cat("description: ",
                 yaml_quoted(str_cat("Starter policy", server_name.empty() ? "" : " for ", server_name,
                                     " (wasmgate policy scan)")),
                 "\n");
  out += "default: deny\n";
  out += entries.empty() ? "tools: {}\n" : "tools:\n";

  std::size_t next = 0;
  for (ToolRisk risk : kOrder) {
    if (counts[risk] == 0) continue;
    out += str_cat("\n  # ---- ", section_heading(risk, counts[risk]), " ----\n", section_note(risk));
    for (; next < entries.size() && entries[next].cls.risk == risk; ++next) {
      const Classified& c = entries[next];
      const std::string title = string_field(*c.tool, "title");
      const std::string description(first_line(string_field(*c.tool, "description")));
      std::string summary = title;
      if (!description.empty()) summary += (summary.empty() ? "" : ": ") + description;
      out += "\n";
      if (!summary.empty()) out += str_cat("  # ", one_line(summary, kMaxCommentBytes), "\n");
      out += str_cat("  # arguments: ", arguments_of(*c.tool), "\n");
      out += str_cat("  # ", to_string(c.cls.risk), " because ", one_line(c.cls.reason, 2 * kMaxCommentBytes), "\n");
      out += str_cat("  ", yaml_quoted(c.name), ":\n");
      render_rules(out, c);
    }
  }
  if (!skipped.empty()) {
    out += str_cat("\n  # ---- not listed (", skipped.size(), "): default deny refuses these ----\n");
    for (const auto& line : skipped) out += str_cat("  # ", one_line(line, 2 * kMaxCommentBytes), "\n");
  }

  // The contract: what we write loads. A failure here is our bug (or a
  // policy too large for the loader's limits), never the user's.
  if (auto loaded = policy::load_policy(out, "scanned policy"); !loaded) {
    return make_error(
        loaded.error().code() == ErrorCode::LimitExceeded ? ErrorCode::LimitExceeded : ErrorCode::Internal,
        str_cat("the starter policy does not load: ", loaded.error().message()));
  }
  return out;
}

namespace {

// One scan: the handshake and the tools/list pages, driven by callbacks on
// the io_context that scan_upstream() runs on the calling thread.
class ScanSession {
 public:
  ScanSession(std::shared_ptr<mcp::Client> client, const ScanLimits& limits,
              asio::executor_work_guard<asio::io_context::executor_type>& work)
      : client_(std::move(client)), limits_(limits), work_(work) {}

  void start() {
    client_->initialize([this](mcp::RpcReply r) {
      if (finished_) return;
      if (!r) return fail(ErrorCode::Io, str_cat("the upstream did not initialize: ", describe(r.error())));
      if (const json::object* info = object_field(*r, "serverInfo")) result_.server_info = *info;
      list_page("");
    });
  }

  std::optional<Result<ScanResult>>& outcome() { return outcome_; }

 private:
  static std::string describe(const mcp::RpcError& e) { return str_cat(e.message, " (JSON-RPC error ", e.code, ")"); }

  void list_page(const std::string& cursor) {
    json::object params;
    if (!cursor.empty()) params["cursor"] = cursor;
    client_->request("tools/list", std::move(params), [this](mcp::RpcReply r) {
      if (finished_) return;
      ++pages_;
      if (!r) return fail(ErrorCode::Io, str_cat("tools/list (page ", pages_, ") failed: ", describe(r.error())));
      const json::value* tools = r->if_contains("tools");
      if (!tools || !tools->is_array()) {
        return fail(ErrorCode::Malformed, str_cat("tools/list (page ", pages_, ") result has no \"tools\" array"));
      }
      for (const json::value& t : tools->get_array()) {
        if (result_.tools.size() >= limits_.max_tools) {
          return fail(ErrorCode::LimitExceeded, str_cat("the upstream lists more than ", limits_.max_tools, " tools"));
        }
        result_.tools.push_back(t);
      }
      const json::value* next = r->if_contains("nextCursor");
      if (!next || next->is_null()) return succeed();
      if (!next->is_string()) {
        return fail(ErrorCode::Malformed, str_cat("tools/list (page ", pages_, ") nextCursor is not a string"));
      }
      const std::string cursor(next->get_string());
      if (!cursors_.insert(cursor).second) {
        return fail(ErrorCode::Malformed, str_cat("tools/list (page ", pages_, ") repeats an earlier nextCursor"));
      }
      if (pages_ >= limits_.max_pages) {
        return fail(ErrorCode::LimitExceeded, str_cat("tools/list has more than ", limits_.max_pages, " pages"));
      }
      list_page(cursor);
    });
  }

  void succeed() { finish(std::move(result_)); }
  void fail(ErrorCode code, std::string message) { finish(make_error(code, std::move(message))); }

  // Runs on the client's strand. Closing fails whatever is still pending
  // (their handlers see outcome_ set and return) and ends the transport.
  // The session lets go of the client here, so that scan_upstream() can
  // destroy it while the io_context still runs.
  void finish(Result<ScanResult> r) {
    if (finished_) return;
    finished_ = true;
    outcome_ = std::move(r);
    std::shared_ptr<mcp::Client> client = std::move(client_);
    client->close();
    work_.reset();
  }

  std::shared_ptr<mcp::Client> client_;
  ScanLimits limits_;
  asio::executor_work_guard<asio::io_context::executor_type>& work_;
  ScanResult result_;
  std::set<std::string> cursors_;
  std::size_t pages_ = 0;
  bool finished_ = false;
  std::optional<Result<ScanResult>> outcome_;
};

}  // namespace

Result<ScanResult> scan_upstream(const ProxyConfig& config, const UpstreamFactory& factory, const ScanLimits& limits) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  auto transport = WG_TRY(factory(io.get_executor()));
  mcp::ClientOptions options;
  options.name = "wasmgate-policy-scan";
  options.request_timeout = config.request_timeout;
  auto client = mcp::Client::create(io.get_executor(), std::move(transport), options);
  ScanSession session(client, limits, work);
  session.start();
  // Every request has a timeout and the transport reports its end, so the
  // session always finishes and releases `work`.
  io.run();
  std::optional<Result<ScanResult>> outcome = std::move(session.outcome());
  // Destroy the client here, while the io_context is alive: queued handlers
  // still hold it, so run them (they see a closed client and do nothing).
  // Its transport's reader thread is joined when the client goes, so
  // nothing posts into the io_context after that.
  client.reset();
  io.restart();
  while (io.poll() > 0) {
  }
  if (!outcome) return make_error(ErrorCode::Internal, "the scan ended without a result");
  return std::move(*outcome);
}

namespace {

std::string label_of(const PolicyScanConfig& config) {
  if (!config.upstream_url.empty()) return config.upstream_url;
  std::string label;
  for (const auto& arg : config.upstream_argv) {
    if (!label.empty()) label += ' ';
    const bool plain = !arg.empty() && arg.find_first_of(" \t'\"\\$`") == std::string::npos;
    label += plain ? arg : yaml_quoted(arg);
  }
  return label;
}

// Writes `text` to `path`: a new file (O_EXCL) unless `force`, in which
// case a temporary file in the same directory is renamed over it.
Status write_policy_file(const std::string& path, const std::string& text, bool force) {
  const std::string target = force ? str_cat(path, ".scan-", ::getpid(), ".tmp") : path;
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
  const int fd = ::open(target.c_str(), flags, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return make_error(ErrorCode::Invalid, str_cat(path, " exists; add --force to replace it"));
    return make_error(ErrorCode::Io, str_cat(target, ": cannot create: ", std::strerror(errno)));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(target.c_str());
      return make_error(ErrorCode::Io, str_cat(target, ": cannot write: ", why));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(target.c_str());
    return make_error(ErrorCode::Io, str_cat(target, ": cannot write: ", why));
  }
  if (force && ::rename(target.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(target.c_str());
    return make_error(ErrorCode::Io, str_cat(path, ": cannot replace: ", why));
  }
  return ok();
}

}  // namespace

int run_policy_scan(const PolicyScanConfig& config, std::FILE* out, std::FILE* err) {
  if (config.upstream_url.empty() == config.upstream_argv.empty()) {
    std::fprintf(err, "wasmgate: policy scan: give exactly one upstream: --upstream URL or -- COMMAND [ARGS...]\n");
    return kExitUsage;
  }
  // Refuse before contacting the upstream: nothing would be written.
  if (!config.output.empty() && !config.force) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(config.output, ec))) {
      std::fprintf(err, "wasmgate: policy scan: %s exists; add --force to replace it\n", config.output.c_str());
      return kExitUsage;
    }
  }
  ProxyConfig upstream;
  upstream.upstream_url = config.upstream_url;
  upstream.upstream_argv = config.upstream_argv;
  upstream.request_timeout = config.request_timeout;
  const std::string label = label_of(config);

  auto scanned = scan_upstream(upstream, upstream_factory(upstream));
  if (!scanned) {
    // Name the upstream once (transport errors often name it already).
    const std::string& message = scanned.error().message();
    const std::string where = message.find(label) == std::string::npos ? str_cat(" (upstream: ", label, ")") : "";
    std::fprintf(err, "wasmgate: policy scan: %s%s\n", message.c_str(), where.c_str());
    // A URL we cannot use at all is a usage error; everything else failed.
    const ErrorCode code = scanned.error().code();
    return code == ErrorCode::Invalid || code == ErrorCode::Unsupported ? kExitUsage : kExitFailure;
  }
  auto text = render_starter_policy(*scanned, label);
  if (!text) {
    std::fprintf(err, "wasmgate: policy scan: %s\n", text.error().message().c_str());
    return kExitFailure;
  }
  if (config.output.empty()) {
    std::fwrite(text->data(), 1, text->size(), out);
    std::fflush(out);
    return kExitOk;
  }
  if (auto written = write_policy_file(config.output, *text, config.force); !written) {
    std::fprintf(err, "wasmgate: policy scan: %s\n", written.error().message().c_str());
    return written.error().code() == ErrorCode::Invalid ? kExitUsage : kExitFailure;
  }
  std::fprintf(err, "wasmgate: policy scan: wrote %s (%zu tools)\n", config.output.c_str(), scanned->tools.size());
  return kExitOk;
}

}  // namespace wg::app
