#include "agent/tools.h"

#include <algorithm>
#include <boost/json/parse.hpp>

#include "agent/json_args.h"
#include "base/base64.h"
#include "base/utf8.h"
#include "vfs/path.h"
#include "vfs/tree_ops.h"

namespace wg::agent {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxContentArg = 64u << 20;  // bounded again by the agent's file size limit
constexpr std::uint64_t kDefaultReadLines = 2000;
constexpr std::size_t kMaxInlineOutput = 64u << 10;  // run output shown in the text part

Error invalid(std::string message) { return Error(ErrorCode::Invalid, std::move(message)); }

std::string_view type_name(vfs::FileType type) {
  switch (type) {
    case vfs::FileType::Directory:
      return "directory";
    case vfs::FileType::Symlink:
      return "symlink";
    default:
      return "file";
  }
}

Result<std::string> canonical(const Agent& agent, std::string_view path, std::string_view context) {
  auto p = vfs::normalize_path(path, agent.vfs.limits());
  if (!p) return std::unexpected(vfs::to_error(p.error(), std::string(context) + " \"" + std::string(path) + "\""));
  return *p;
}

Error fs_error(vfs::Errc code, std::string_view path) { return vfs::to_error(code, std::string(path)); }

// ---- read_file ---------------------------------------------------------

Result<ToolOutcome> read_file(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"path", "offset", "limit", "encoding"}, "toolInput"));
  const auto path = WG_TRY(canonical(agent, WG_TRY(req_string(in, "path", "toolInput", 8192)), "path"));
  const auto offset = WG_TRY(opt_uint(in, "offset", "toolInput", 1)).value_or(1);
  const auto limit = WG_TRY(opt_uint(in, "limit", "toolInput", 1, 1'000'000)).value_or(kDefaultReadLines);
  const auto encoding = WG_TRY(opt_string(in, "encoding", "toolInput", 16)).value_or("auto");
  if (encoding != "auto" && encoding != "utf8" && encoding != "base64") {
    return std::unexpected(invalid("toolInput.encoding: expected auto, utf8 or base64"));
  }
  auto data = vfs::read_file(agent.vfs, path);
  if (!data) return std::unexpected(fs_error(data.error(), path));
  const bool is_text = find_invalid_utf8(*data) == std::string_view::npos;
  if (encoding == "utf8" && !is_text) {
    return std::unexpected(invalid(path + ": not UTF-8 text; read it with encoding \"base64\""));
  }
  ToolOutcome out;
  auto& s = out.structured;
  s["path"] = path;
  s["size"] = data->size();
  s["sha256"] = to_hex(Sha256::digest(*data));
  if (encoding == "base64" || (encoding == "auto" && !is_text)) {
    s["encoding"] = "base64";
    s["content"] = base64_encode(*data);
    out.text = path + ": " + std::to_string(data->size()) + " bytes of binary data (base64 in structuredContent)";
    return out;
  }
  // Lines [offset, offset + limit), 1-based, each keeping its '\n'.
  const auto count_lines = [](std::string_view text) {
    return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n')) +
           ((!text.empty() && text.back() != '\n') ? 1 : 0);
  };
  // Advances from byte `pos` past `lines` lines (or to the end).
  const auto skip_lines = [&](std::size_t pos, std::uint64_t lines) {
    for (std::uint64_t k = 0; k < lines && pos < data->size(); ++k) {
      const auto nl = data->find('\n', pos);
      pos = nl == std::string::npos ? data->size() : nl + 1;
    }
    return pos;
  };
  const std::uint64_t total_lines = count_lines(*data);
  const std::size_t begin = skip_lines(0, offset - 1);
  const std::size_t end = skip_lines(begin, limit);
  const std::string content = data->substr(begin, end - begin);
  const std::uint64_t shown = count_lines(content);
  s["encoding"] = "utf8";
  s["content"] = content;
  s["totalLines"] = total_lines;
  s["startLine"] = offset;
  s["endLine"] = shown == 0 ? offset - 1 : offset + shown - 1;
  s["truncated"] = end < data->size();
  out.text = content;
  if (end < data->size()) {
    out.text += "\n[" + path + ": showing lines " + std::to_string(offset) + "-" + std::to_string(offset + shown - 1) +
                " of " + std::to_string(total_lines) + "; pass offset/limit for more]";
  }
  return out;
}

// ---- write_file --------------------------------------------------------

Result<ToolOutcome> write_file(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"path", "content", "encoding", "append"}, "toolInput"));
  const auto path = WG_TRY(canonical(agent, WG_TRY(req_string(in, "path", "toolInput", 8192)), "path"));
  auto content = WG_TRY(req_string(in, "content", "toolInput", kMaxContentArg));
  const auto encoding = WG_TRY(opt_string(in, "encoding", "toolInput", 16)).value_or("utf8");
  if (encoding == "base64") {
    content = WG_TRY_CTX(base64_decode(content), "toolInput.content");
  } else if (encoding != "utf8") {
    return std::unexpected(invalid("toolInput.encoding: expected utf8 or base64"));
  }
  const bool append = WG_TRY(opt_bool(in, "append", "toolInput")).value_or(false);
  if (path == "/") return std::unexpected(invalid("toolInput.path: \"/\" is the root directory, not a file"));
  const bool existed = agent.vfs.lookup(agent.vfs.root(), path).has_value();
  if (auto st = vfs::write_file(agent.vfs, path, content, append ? vfs::WriteMode::Append : vfs::WriteMode::Overwrite);
      !st) {
    return std::unexpected(fs_error(st.error(), path));
  }
  auto now = vfs::read_file(agent.vfs, path);
  ToolOutcome out;
  out.structured["path"] = path;
  out.structured["bytesWritten"] = content.size();
  out.structured["size"] = now ? now->size() : 0;
  out.structured["created"] = !existed;
  out.structured["sha256"] = now ? to_hex(Sha256::digest(*now)) : "";
  out.text = std::string(existed ? (append ? "Appended " : "Overwrote ") : "Created ") + path + " (" +
             std::to_string(content.size()) + " bytes written)";
  return out;
}

// ---- edit_file ---------------------------------------------------------

Result<ToolOutcome> edit_file(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"path", "old_string", "new_string", "replace_all"}, "toolInput"));
  const auto path = WG_TRY(canonical(agent, WG_TRY(req_string(in, "path", "toolInput", 8192)), "path"));
  const auto old_string = WG_TRY(req_string(in, "old_string", "toolInput", kMaxContentArg));
  const auto new_string = WG_TRY(req_string(in, "new_string", "toolInput", kMaxContentArg));
  const bool replace_all = WG_TRY(opt_bool(in, "replace_all", "toolInput")).value_or(false);
  if (old_string.empty()) {
    return std::unexpected(invalid("toolInput.old_string: must not be empty (use write_file to create or replace a file)"));
  }
  if (old_string == new_string) return std::unexpected(invalid("toolInput.new_string: identical to old_string"));
  auto data = vfs::read_file(agent.vfs, path);
  if (!data) return std::unexpected(fs_error(data.error(), path));
  std::vector<std::size_t> hits;
  for (std::size_t pos = data->find(old_string); pos != std::string::npos;
       pos = data->find(old_string, pos + old_string.size())) {
    hits.push_back(pos);
  }
  if (hits.empty()) return std::unexpected(invalid(path + ": old_string not found"));
  if (hits.size() > 1 && !replace_all) {
    return std::unexpected(invalid(path + ": old_string occurs " + std::to_string(hits.size()) +
                                   " times; add context to make it unique or pass replace_all: true"));
  }
  std::string result;
  result.reserve(data->size() + hits.size() * new_string.size());
  std::size_t from = 0;
  for (const auto pos : hits) {
    result.append(*data, from, pos - from);
    result += new_string;
    from = pos + old_string.size();
  }
  result.append(*data, from, std::string::npos);
  if (auto st = vfs::write_file(agent.vfs, path, result); !st) return std::unexpected(fs_error(st.error(), path));
  ToolOutcome out;
  out.structured["path"] = path;
  out.structured["replacements"] = hits.size();
  out.structured["size"] = result.size();
  out.text = "Edited " + path + " (" + std::to_string(hits.size()) + " replacement" + (hits.size() == 1 ? "" : "s") + ")";
  return out;
}

// ---- list_files / delete_file / glob / grep ------------------------------

Result<ToolOutcome> list_files(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"path", "recursive"}, "toolInput"));
  const auto path = WG_TRY(canonical(agent, WG_TRY(opt_string(in, "path", "toolInput", 8192)).value_or("/"), "path"));
  const bool recursive = WG_TRY(opt_bool(in, "recursive", "toolInput")).value_or(true);
  auto entries = vfs::list_tree(agent.vfs, path, recursive ? vfs::Recursive::Yes : vfs::Recursive::No);
  if (!entries) return std::unexpected(fs_error(entries.error(), path));
  ToolOutcome out;
  json::array items;
  std::uint64_t total = 0;
  out.text = path + "\n";
  for (const auto& e : *entries) {
    items.push_back(json::object{{"path", e.path}, {"type", type_name(e.type)}, {"size", e.size}});
    if (e.type == vfs::FileType::Regular) total += e.size;
    // An indented tree: depth below `path`, directories with a trailing '/'.
    // A `path` naming a file lists just that file (e.path == path): show its
    // name rather than cutting past the end of the string.
    std::string_view rel = e.path;
    if (rel.size() > path.size()) {
      rel.remove_prefix(path == "/" ? 1 : path.size() + 1);
    } else {
      rel.remove_prefix(rel.rfind('/') + 1);
    }
    const auto depth = static_cast<std::size_t>(std::count(rel.begin(), rel.end(), '/'));
    const auto slash = rel.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
    out.text += std::string(2 * (depth + 1), ' ') + std::string(name);
    out.text += e.type == vfs::FileType::Directory ? "/" : (" (" + std::to_string(e.size) + " bytes)");
    out.text += "\n";
  }
  if (entries->empty()) out.text += "  (empty)\n";
  out.structured["path"] = path;
  out.structured["entries"] = std::move(items);
  out.structured["count"] = entries->size();
  out.structured["totalBytes"] = total;
  return out;
}

Result<ToolOutcome> delete_file(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"path", "recursive"}, "toolInput"));
  const auto path = WG_TRY(canonical(agent, WG_TRY(req_string(in, "path", "toolInput", 8192)), "path"));
  const bool recursive = WG_TRY(opt_bool(in, "recursive", "toolInput")).value_or(false);
  if (path == "/") return std::unexpected(invalid("toolInput.path: the root directory cannot be deleted"));
  if (auto st = vfs::remove(agent.vfs, path, recursive ? vfs::Recursive::Yes : vfs::Recursive::No); !st) {
    if (st.error() == vfs::Errc::NotEmpty) {
      return std::unexpected(invalid(path + ": directory not empty; pass recursive: true to delete it with its contents"));
    }
    return std::unexpected(fs_error(st.error(), path));
  }
  ToolOutcome out;
  out.structured["path"] = path;
  out.structured["deleted"] = true;
  out.text = "Deleted " + path;
  return out;
}

Result<ToolOutcome> glob(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"pattern"}, "toolInput"));
  const auto pattern = WG_TRY(req_string(in, "pattern", "toolInput", 4096));
  auto matches = vfs::glob(agent.vfs, pattern);
  if (!matches) return std::unexpected(fs_error(matches.error(), pattern));
  ToolOutcome out;
  json::array items;
  for (const auto& m : *matches) {
    items.emplace_back(m);
    out.text += m + "\n";
  }
  if (matches->empty()) out.text = "No files match " + pattern;
  out.structured["pattern"] = pattern;
  out.structured["matches"] = std::move(items);
  out.structured["count"] = matches->size();
  return out;
}

Result<ToolOutcome> grep(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"pattern", "path", "ignoreCase", "maxMatches"}, "toolInput"));
  const auto needle = WG_TRY(req_string(in, "pattern", "toolInput", 4096));
  if (needle.empty()) return std::unexpected(invalid("toolInput.pattern: must not be empty"));
  vfs::GrepOptions options;
  options.ignore_case = WG_TRY(opt_bool(in, "ignoreCase", "toolInput")).value_or(false);
  const auto max_matches = WG_TRY(opt_uint(in, "maxMatches", "toolInput", 1, 10000)).value_or(1000);
  if (auto p = WG_TRY(opt_string(in, "path", "toolInput", 4096))) options.path_glob = *p;
  // Ask for one match more than wanted: only then is the result truncated.
  options.max_matches = max_matches + 1;
  auto matches = vfs::grep(agent.vfs, needle, options);
  if (!matches) return std::unexpected(fs_error(matches.error(), needle));
  const bool truncated = matches->size() > max_matches;
  if (truncated) matches->resize(max_matches);
  ToolOutcome out;
  json::array items;
  for (const auto& m : *matches) {
    items.push_back(json::object{{"path", m.path}, {"line", m.line}, {"text", m.text}});
    out.text += m.path + ":" + std::to_string(m.line) + ": " + m.text + "\n";
  }
  if (matches->empty()) out.text = "No lines contain \"" + needle + "\"";
  out.structured["pattern"] = needle;
  out.structured["matches"] = std::move(items);
  out.structured["count"] = matches->size();
  out.structured["truncated"] = truncated;
  return out;
}

Result<ToolOutcome> write_todos(Agent& agent, const json::object& in) {
  WG_TRY(check_keys(in, {"todos"}, "toolInput"));
  const auto* todos = in.if_contains("todos");
  if (!todos) return std::unexpected(invalid("toolInput.todos: missing (an array of {content, status?, id?})"));
  agent.todos = WG_TRY(todos_from_json(*todos, agent.config.limits.max_todos));
  ToolOutcome out;
  out.structured["todos"] = todos_to_json(agent.todos);
  out.structured["count"] = agent.todos.size();
  std::size_t done = 0;
  for (const auto& t : agent.todos) {
    done += t.status == "completed" ? 1 : 0;
    out.text += "[" + std::string(t.status == "completed" ? "x" : (t.status == "in_progress" ? "~" : " ")) + "] " +
                t.content + "\n";
  }
  out.text += std::to_string(done) + "/" + std::to_string(agent.todos.size()) + " completed";
  return out;
}

Result<ToolOutcome> run(Agent& agent, const json::object& in, const ToolEnv& env) {
  const auto request = WG_TRY(parse_run_request(in, "toolInput"));
  if (!env.runner) return std::unexpected(Error(ErrorCode::Unsupported, "run: no program runner in this server"));
  auto result = WG_TRY(env.runner->run(agent, request, env.run));
  ToolOutcome out;
  out.structured = run_result_to_json(result);
  out.text = run_result_text(request, result);
  out.tool_error = result.status != wasi::RunStatus::Exited;
  return out;
}

json::object schema(json::object properties, std::initializer_list<std::string_view> required) {
  json::object s{{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (required.size() > 0) {
    json::array r;
    for (auto name : required) r.emplace_back(name);
    s["required"] = std::move(r);
  }
  return s;
}

json::object prop(std::string_view type, std::string_view description) {
  return json::object{{"type", type}, {"description", description}};
}

}  // namespace

bool is_read_only_tool(std::string_view tool) {
  return tool == "read_file" || tool == "list_files" || tool == "glob" || tool == "grep";
}

Result<RunRequest> parse_run_request(const json::object& in, std::string_view context) {
  WG_TRY(check_keys(in, {"program", "args", "stdin", "env", "fuel", "timeoutMs"}, context));
  RunRequest r;
  r.program = WG_TRY(req_string(in, "program", context, 4096));
  if (r.program.empty()) return std::unexpected(invalid(field_name(context, "program") + ": must not be empty"));
  r.args = WG_TRY(opt_strings(in, "args", context, 1024, 64u << 10)).value_or(std::vector<std::string>{});
  r.stdin_data = WG_TRY(opt_string(in, "stdin", context, 16u << 20)).value_or("");
  if (const auto* env = in.if_contains("env"); env && !env->is_null()) {
    if (!env->is_object()) {
      return std::unexpected(invalid(field_name(context, "env") + ": expected an object of string values"));
    }
    for (const auto& kv : env->get_object()) {
      if (!kv.value().is_string() || kv.key().empty() || kv.key().find('=') != std::string_view::npos) {
        return std::unexpected(invalid(field_name(context, "env") + "." + std::string(kv.key()) +
                                       ": expected a string value and a name without '='"));
      }
      r.env.push_back(std::string(kv.key()) + "=" + std::string(kv.value().get_string()));
    }
  }
  r.fuel = WG_TRY(opt_uint(in, "fuel", context, 1)).value_or(0);
  r.timeout_ms = WG_TRY(opt_uint(in, "timeoutMs", context, 1)).value_or(0);
  return r;
}

json::object run_result_to_json(const wasi::RunResult& result) {
  json::object s;
  s["status"] = wasi::to_string(result.status);
  s["exitCode"] = result.status == wasi::RunStatus::Exited ? json::value(result.exit_code) : json::value(nullptr);
  s["stdout"] = result.stdout_data;
  s["stderr"] = result.stderr_data;
  s["stdoutTruncated"] = result.stdout_truncated;
  s["stderrTruncated"] = result.stderr_truncated;
  s["fuelUsed"] = result.fuel_used;
  if (result.trap) s["error"] = result.trap->message;
  json::array changes;
  for (const auto& c : result.changes) {
    changes.push_back(json::object{{"path", c.path}, {"kind", vfs::to_string(c.kind)}, {"type", type_name(c.type)}});
  }
  s["changes"] = std::move(changes);
  s["digest"] = to_hex(result.digest);
  return s;
}

std::string run_result_text(const RunRequest& request, const wasi::RunResult& result) {
  std::string text;
  if (result.status == wasi::RunStatus::Exited) {
    text = request.program + " exited with code " + std::to_string(result.exit_code);
  } else {
    text = request.program + " stopped: " + std::string(wasi::to_string(result.status));
    if (result.trap) text += " (" + result.trap->message + ")";
    text += "; its file changes were discarded";
  }
  text += " after " + std::to_string(result.fuel_used) + " fuel";
  const auto section = [&](std::string_view name, const std::string& data, bool truncated) {
    if (data.empty()) return;
    text += "\n--- " + std::string(name) + " ---\n";
    text += data.size() > kMaxInlineOutput ? data.substr(0, kMaxInlineOutput) + "\n[... see structuredContent]" : data;
    if (truncated) text += "\n[output limit reached: later output was dropped]";
  };
  section("stdout", result.stdout_data, result.stdout_truncated);
  section("stderr", result.stderr_data, result.stderr_truncated);
  if (!result.changes.empty()) {
    text += "\n--- changed files ---";
    for (const auto& c : result.changes) text += "\n" + std::string(vfs::to_string(c.kind)) + " " + c.path;
  }
  return text;
}

Result<ToolOutcome> run_tool(Agent& agent, std::string_view tool, const json::object& input, const ToolEnv& env) {
  if (!is_builtin_tool(tool)) {
    std::string known;
    for (const auto& name : builtin_tool_names()) known += (known.empty() ? "" : ", ") + name;
    return std::unexpected(invalid("toolName: unknown tool \"" + std::string(tool) + "\"; built-in tools: " + known));
  }
  const auto& allowed = agent.config.tools;
  if (std::find(allowed.begin(), allowed.end(), tool) == allowed.end()) {
    return std::unexpected(Error(ErrorCode::Denied, "toolName: this agent's template does not grant \"" +
                                                        std::string(tool) + "\" (see wasm_agent_tools)"));
  }
  if (tool == "read_file") return read_file(agent, input);
  if (tool == "write_file") return write_file(agent, input);
  if (tool == "edit_file") return edit_file(agent, input);
  if (tool == "list_files") return list_files(agent, input);
  if (tool == "delete_file") return delete_file(agent, input);
  if (tool == "glob") return glob(agent, input);
  if (tool == "grep") return grep(agent, input);
  if (tool == "write_todos") return write_todos(agent, input);
  return run(agent, input, env);
}

json::object builtin_tool_spec(std::string_view tool) {
  json::object spec{{"name", tool}};
  if (tool == "read_file") {
    spec["description"] = "Read a file. Text comes back as lines [offset, offset+limit); binary files as base64.";
    spec["inputSchema"] = schema({{"path", prop("string", "File path (relative paths start at /)")},
                                  {"offset", prop("integer", "First line to return, 1-based (default 1)")},
                                  {"limit", prop("integer", "Maximum lines to return (default 2000)")},
                                  {"encoding", json::object{{"type", "string"}, {"enum", {"auto", "utf8", "base64"}}}}},
                                 {"path"});
  } else if (tool == "write_file") {
    spec["description"] = "Create or overwrite a file (parents are created). Content is text, or base64 with encoding.";
    spec["inputSchema"] = schema({{"path", prop("string", "File path")},
                                  {"content", prop("string", "New contents")},
                                  {"encoding", json::object{{"type", "string"}, {"enum", json::array{"utf8", "base64"}}}},
                                  {"append", prop("boolean", "Append instead of replacing")}},
                                 {"path", "content"});
  } else if (tool == "edit_file") {
    spec["description"] =
        "Replace old_string with new_string in a file. Fails when old_string is empty, absent, or not unique "
        "(unless replace_all).";
    spec["inputSchema"] = schema({{"path", prop("string", "File path")},
                                  {"old_string", prop("string", "Exact text to replace (non-empty)")},
                                  {"new_string", prop("string", "Replacement text")},
                                  {"replace_all", prop("boolean", "Replace every occurrence")}},
                                 {"path", "old_string", "new_string"});
  } else if (tool == "list_files") {
    spec["description"] = "List a directory as a tree with sizes.";
    spec["inputSchema"] = schema({{"path", prop("string", "Directory (default /)")},
                                  {"recursive", prop("boolean", "Include subdirectories (default true)")}},
                                 {});
  } else if (tool == "delete_file") {
    spec["description"] = "Delete a file, symlink or directory (non-empty directories need recursive).";
    spec["inputSchema"] =
        schema({{"path", prop("string", "Path to delete")}, {"recursive", prop("boolean", "Delete contents too")}},
               {"path"});
  } else if (tool == "glob") {
    spec["description"] = "Paths matching a glob pattern (*, ?, [..], ** for any depth).";
    spec["inputSchema"] = schema({{"pattern", prop("string", "e.g. /src/**/*.rb")}}, {"pattern"});
  } else if (tool == "grep") {
    spec["description"] = "Lines containing a literal string, in files matching a path glob.";
    spec["inputSchema"] = schema({{"pattern", prop("string", "Literal text to find")},
                                  {"path", prop("string", "Glob of files to search (default /**)")},
                                  {"ignoreCase", prop("boolean", "Case-insensitive match")},
                                  {"maxMatches", prop("integer", "Stop after this many matches (default 1000)")}},
                                 {"pattern"});
  } else if (tool == "write_todos") {
    spec["description"] = "Replace the todo list.";
    spec["inputSchema"] = schema(
        {{"todos", json::object{{"type", "array"},
                                {"items", schema({{"id", prop("string", "Stable id")},
                                                  {"content", prop("string", "What to do")},
                                                  {"status", json::object{{"type", "string"},
                                                                          {"enum", {"pending", "in_progress",
                                                                                    "completed"}}}}},
                                                 {"content"})}}}},
        {"todos"});
  } else if (tool == "run") {
    spec["description"] =
        "Run a WebAssembly/WASI program inside the agent's filesystem under its limits: a runtime the template "
        "grants (e.g. ruby, cat, ls) or a .wasm file in the filesystem.";
    spec["inputSchema"] = schema({{"program", prop("string", "Runtime name or path of a .wasm file")},
                                  {"args", json::object{{"type", "array"}, {"items", {{"type", "string"}}}}},
                                  {"stdin", prop("string", "Standard input")},
                                  {"env", json::object{{"type", "object"},
                                                       {"additionalProperties", {{"type", "string"}}}}},
                                  {"fuel", prop("integer", "Fuel budget (at most the agent's limit)")},
                                  {"timeoutMs", prop("integer", "Wall-time limit (at most the agent's limit)")}},
                                 {"program"});
  }
  return spec;
}

}  // namespace wg::agent
