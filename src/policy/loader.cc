#include "policy/loader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/sha256.h"
#include "policy/glob.h"

namespace wg::policy {
namespace {

// Counters are referred to as state.<scope>.<counter>; the counter name must
// therefore be free of dots, and we keep it to a conservative alphabet.
bool valid_counter_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "...";
  out += "\"";
  return out;
}

struct Window {
  bool ok = false;
  WindowUnit unit = WindowUnit::Minute;
};

Window parse_window_name(std::string_view s) {
  if (s == "minute") return {true, WindowUnit::Minute};
  if (s == "hour") return {true, WindowUnit::Hour};
  if (s == "day") return {true, WindowUnit::Day};
  return {};
}

std::optional<CounterScope> parse_scope_name(std::string_view s) {
  if (s == "tool") return CounterScope::Tool;
  if (s == "global") return CounterScope::Global;
  if (s == "session") return CounterScope::Session;
  if (s == "identity") return CounterScope::Identity;
  return std::nullopt;
}

// The scope a counter gets when its state block does not say: Intercept keys
// counters under an exact entry by that tool and under "*" as `_global`; a
// glob entry is shared like "*".
CounterScope default_scope(const Entry& entry) {
  return entry.match == Entry::Match::Exact ? CounterScope::Tool : CounterScope::Global;
}

std::string scope_segment(const Entry& entry) {
  return entry.match == Entry::Match::Wildcard ? "_global" : entry.pattern;
}

class Loader {
 public:
  Loader(std::string_view source, const LoaderLimits& limits) : source_(source), limits_(limits) {}

  Result<Policy> run(std::string_view text);

 private:
  using Keys = std::initializer_list<std::string_view>;

  void error(const YAML::Mark& mark, const std::string& message) {
    if (errors_.size() >= limits_.max_errors) return;
    int line = mark.line >= 0 ? mark.line + 1 : 0;
    int column = mark.column >= 0 ? mark.column + 1 : 0;
    errors_.push_back(source_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
  }
  static SourceMark to_mark(const YAML::Mark& m) { return {m.line + 1, m.column + 1}; }

  // Counts a visited node; false once the node budget is exhausted.
  bool visit() {
    if (++nodes_ > limits_.max_nodes) {
      over_budget_ = true;
      return false;
    }
    return true;
  }

  // Iterates a mapping, checking that keys are unique scalars from `allowed`.
  // Calls fn(key, key_node, value_node) for each pair.
  template <class Fn>
  void for_each_key(const YAML::Node& map, std::string_view what, Keys allowed, Fn&& fn) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!visit()) return;
      // it-> yields a temporary pair: copy the (shared) node handles out of it.
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar()) {
        error(key.Mark(), std::string(what) + ": keys must be plain names");
        continue;
      }
      const std::string& k = key.Scalar();
      if (!seen.insert(k).second) {
        error(key.Mark(), "duplicate key " + quoted(k) + " in " + std::string(what));
        continue;
      }
      if (allowed.size() != 0 && std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        error(key.Mark(), "unknown key " + quoted(k) + " in " + std::string(what) + " (expected one of: " + list + ")");
        continue;
      }
      fn(k, key, value);
    }
  }

  // A null value (`key:` with nothing after it) carries a useless mark; use the key's.
  static YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() || value.Mark().line < 0 ? key.Mark() : value.Mark();
  }

  std::optional<std::string> string_value(const YAML::Node& key, const YAML::Node& value, std::string_view what) {
    if (!value.IsScalar()) {
      error(mark_of(key, value), std::string(what) + " must be a string");
      return std::nullopt;
    }
    return value.Scalar();
  }

  std::optional<bool> bool_value(const YAML::Node& key, const YAML::Node& value, std::string_view what) {
    auto s = resolve_scalar(key, value);
    if (s && std::holds_alternative<bool>(*s)) return std::get<bool>(*s);
    if (s) error(mark_of(key, value), std::string(what) + " must be true or false");
    return std::nullopt;
  }

  // YAML 1.2 core schema resolution of a scalar; nullopt (with an error) for
  // non-scalars and unsupported tags.
  std::optional<Scalar> resolve_scalar(const YAML::Node& key, const YAML::Node& value);

  std::optional<Path> parse_path(const YAML::Node& key, const YAML::Node& value, bool args_only);
  std::optional<ConditionNode> parse_condition(const YAML::Node& node, std::size_t depth);
  bool parse_leaf(const YAML::Node& node, Condition& out);
  std::optional<Rule> parse_rule(const YAML::Node& node, const Entry& entry, CallKind section);
  std::optional<StateUpdate> parse_state(const YAML::Node& key, const YAML::Node& node, const Entry& entry,
                                         CallKind section);
  std::optional<RateLimit> parse_rate_limit_node(const YAML::Node& key, const YAML::Node& node, const Entry& entry);
  std::optional<std::chrono::seconds> parse_timeout(const YAML::Node& key, const YAML::Node& value);
  void parse_section(const YAML::Node& key, const YAML::Node& node, CallKind kind, Section& out);
  void resolve_counters(Section& section);
  void resolve_counters(std::vector<ConditionNode>& nodes, const Section& section);

  std::string source_;
  const LoaderLimits& limits_;
  std::vector<std::string> errors_;
  std::size_t nodes_ = 0;
  bool over_budget_ = false;
};

std::optional<Scalar> Loader::resolve_scalar(const YAML::Node& key, const YAML::Node& value) {
  if (value.IsNull()) return Scalar(nullptr);
  if (!value.IsScalar()) {
    error(mark_of(key, value), "expected a single value, not a " + std::string(value.IsSequence() ? "list" : "mapping"));
    return std::nullopt;
  }
  const std::string& text = value.Scalar();
  const std::string& tag = value.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return Scalar(text);
  bool plain = tag == "?" || tag.empty();
  if (!plain && tag != "tag:yaml.org,2002:int" && tag != "tag:yaml.org,2002:float" &&
      tag != "tag:yaml.org,2002:bool" && tag != "tag:yaml.org,2002:null") {
    error(value.Mark(), "unsupported YAML tag " + quoted(tag));
    return std::nullopt;
  }
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return Scalar(nullptr);
  if (text == "true" || text == "True" || text == "TRUE") return Scalar(true);
  if (text == "false" || text == "False" || text == "FALSE") return Scalar(false);
  // Numbers: [-+]? digits with optional fraction and exponent.
  bool numeric_shape = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                                         ((text[0] == '-' || text[0] == '+' || text[0] == '.') && text.size() > 1));
  if (numeric_shape) {
    auto d = Decimal::parse(text);
    if (d) return Scalar(*d);
    if (d.error().code() == ErrorCode::LimitExceeded) {
      error(value.Mark(), d.error().message() + " (numbers are exact: at most 18 fractional digits, |x| < 1.7e20)");
      return std::nullopt;
    }
    if (text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
      error(value.Mark(), "hexadecimal and octal numbers are not supported: " + quoted(text));
      return std::nullopt;
    }
  }
  if (text == ".inf" || text == "-.inf" || text == "+.inf" || text == ".nan" || text == ".Inf" || text == ".NaN" ||
      text == "-.Inf" || text == ".INF" || text == ".NAN") {
    error(value.Mark(), "infinite or NaN numbers are not allowed");
    return std::nullopt;
  }
  if (!plain) {
    error(value.Mark(), "value " + quoted(text) + " does not match its tag " + quoted(tag));
    return std::nullopt;
  }
  return Scalar(text);
}

std::optional<Path> Loader::parse_path(const YAML::Node& key, const YAML::Node& value, bool args_only) {
  auto text = string_value(key, value, "path");
  if (!text) return std::nullopt;
  Path path;
  path.text = *text;
  std::string_view rest;
  if (text->starts_with("args.")) {
    path.root = Path::Root::Args;
    rest = std::string_view(*text).substr(5);
    std::size_t start = 0;
    while (true) {
      std::size_t dot = rest.find('.', start);
      std::string_view seg = rest.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
      if (seg.empty()) {
        error(value.Mark(), "path " + quoted(*text) + " has an empty segment");
        return std::nullopt;
      }
      path.segments.emplace_back(seg);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (path.segments.size() > 32) {
      error(value.Mark(), "path " + quoted(*text) + " is deeper than 32 segments");
      return std::nullopt;
    }
    return path;
  }
  if (args_only) {
    error(value.Mark(), "increment_from must start with \"args.\", got " + quoted(*text));
    return std::nullopt;
  }
  if (text->starts_with("state.")) {
    path.root = Path::Root::State;
    rest = std::string_view(*text).substr(6);
    // The counter is the last segment; the scope (a tool name, which may
    // itself contain dots, or `_global`) is everything before it.
    std::size_t dot = rest.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) {
      error(value.Mark(), "state path must be state.<scope>.<counter>, got " + quoted(*text));
      return std::nullopt;
    }
    path.segments = {std::string(rest.substr(0, dot)), std::string(rest.substr(dot + 1))};
    return path;
  }
  error(value.Mark(), "path must start with \"args.\" or \"state.\", got " + quoted(*text));
  return std::nullopt;
}

bool Loader::parse_leaf(const YAML::Node& node, Condition& out) {
  // yaml-cpp nodes are shared handles: copying one refers to the same node.
  std::optional<YAML::Node> pk, pn, ok, on, vk, vn;
  for_each_key(node, "condition", {"path", "op", "value"},
               [&](const std::string& k, const YAML::Node& key, const YAML::Node& value) {
                 if (k == "path") { pk.emplace(key); pn.emplace(value); }
                 if (k == "op") { ok.emplace(key); on.emplace(value); }
                 if (k == "value") { vk.emplace(key); vn.emplace(value); }
               });
  const YAML::Node* path_key = pk ? &*pk : nullptr;
  const YAML::Node* path_node = pn ? &*pn : nullptr;
  const YAML::Node* op_key = ok ? &*ok : nullptr;
  const YAML::Node* op_node = on ? &*on : nullptr;
  const YAML::Node* value_key = vk ? &*vk : nullptr;
  const YAML::Node* value_node = vn ? &*vn : nullptr;
  out.mark = to_mark(node.Mark());
  bool good = true;
  if (!path_node) { error(node.Mark(), "condition needs a \"path\""); good = false; }
  if (!op_node) { error(node.Mark(), "condition needs an \"op\""); good = false; }
  if (!value_node) { error(node.Mark(), "condition needs a \"value\""); good = false; }
  if (!good) return false;

  auto path = parse_path(*path_key, *path_node, false);
  auto op_text = string_value(*op_key, *op_node, "op");
  if (!path || !op_text) return false;
  out.path = std::move(*path);

  static const std::map<std::string, Op, std::less<>> kOps = {
      {"eq", Op::Eq}, {"neq", Op::Neq}, {"in", Op::In}, {"not_in", Op::NotIn},
      {"lt", Op::Lt}, {"lte", Op::Lte}, {"gt", Op::Gt}, {"gte", Op::Gte},
      {"regex", Op::Regex}, {"contains", Op::Contains}, {"exists", Op::Exists}};
  auto found = kOps.find(*op_text);
  if (found == kOps.end()) {
    error(op_node->Mark(), "unknown operator " + quoted(*op_text) +
                               " (expected eq, neq, in, not_in, lt, lte, gt, gte, regex, contains or exists)");
    return false;
  }
  out.op = found->second;
  const YAML::Mark vmark = mark_of(*value_key, *value_node);
  const std::string op_name(to_string(out.op));
  bool on_state = out.path.root == Path::Root::State;

  switch (out.op) {
    case Op::In:
    case Op::NotIn: {
      if (!value_node->IsSequence()) {
        error(vmark, "operator \"" + op_name + "\" requires a list value");
        return false;
      }
      for (auto it = value_node->begin(); it != value_node->end(); ++it) {
        if (!visit()) return false;
        auto s = resolve_scalar(*value_key, *it);
        if (!s) return false;
        if (on_state && !std::holds_alternative<Decimal>(*s)) {
          error(it->Mark(), "counters are numbers: every value of \"" + op_name + "\" on " + quoted(out.path.text) +
                                " must be a number");
          return false;
        }
        out.list.push_back(std::move(*s));
      }
      if (out.op == Op::In && out.list.empty()) {
        error(vmark, "operator \"in\" with an empty list can never match");
        return false;
      }
      return true;
    }
    case Op::Lt:
    case Op::Lte:
    case Op::Gt:
    case Op::Gte: {
      auto s = resolve_scalar(*value_key, *value_node);
      if (!s) return false;
      if (!std::holds_alternative<Decimal>(*s)) {
        error(vmark, "operator \"" + op_name + "\" requires a numeric value");
        return false;
      }
      out.value = std::move(*s);
      return true;
    }
    case Op::Exists: {
      if (on_state) {
        error(out.path.text.empty() ? vmark : path_node->Mark(),
              "operator \"exists\" cannot be used on a counter (counters always exist, starting at 0)");
        return false;
      }
      auto s = resolve_scalar(*value_key, *value_node);
      if (!s) return false;
      if (!std::holds_alternative<bool>(*s)) {
        error(vmark, "operator \"exists\" requires a boolean value");
        return false;
      }
      out.value = std::move(*s);
      return true;
    }
    case Op::Regex: {
      if (on_state) {
        error(path_node->Mark(), "operator \"regex\" cannot be used on a counter (counters are numbers)");
        return false;
      }
      auto s = resolve_scalar(*value_key, *value_node);
      if (!s) return false;
      if (!std::holds_alternative<std::string>(*s)) {
        error(vmark, "regex value must be a string");
        return false;
      }
      const std::string& pattern = std::get<std::string>(*s);
      if (pattern.size() > limits_.max_regex_bytes) {
        error(vmark, "regex is longer than " + std::to_string(limits_.max_regex_bytes) + " bytes");
        return false;
      }
      auto re = Regex::compile(pattern);
      if (!re) {
        error(vmark, re.error().message());
        return false;
      }
      out.regex = std::move(*re);
      out.value = std::move(*s);
      return true;
    }
    case Op::Contains: {
      if (on_state) {
        error(path_node->Mark(), "operator \"contains\" cannot be used on a counter (counters are numbers)");
        return false;
      }
      auto s = resolve_scalar(*value_key, *value_node);
      if (!s) return false;
      out.value = std::move(*s);
      return true;
    }
    case Op::Eq:
    case Op::Neq: {
      auto s = resolve_scalar(*value_key, *value_node);
      if (!s) return false;
      if (on_state && !std::holds_alternative<Decimal>(*s)) {
        error(vmark, "counters are numbers: \"" + op_name + "\" on " + quoted(out.path.text) + " needs a number");
        return false;
      }
      out.value = std::move(*s);
      return true;
    }
  }
  return false;
}

std::optional<ConditionNode> Loader::parse_condition(const YAML::Node& node, std::size_t depth) {
  if (!visit()) return std::nullopt;
  if (depth > limits_.max_condition_depth) {
    error(node.Mark(), "conditions nested deeper than " + std::to_string(limits_.max_condition_depth));
    return std::nullopt;
  }
  if (!node.IsMap()) {
    error(node.Mark(), "a condition must be a mapping (path/op/value, any_of, all_of or not)");
    return std::nullopt;
  }
  ConditionNode out;
  out.mark = to_mark(node.Mark());
  bool is_group = false;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string k = it->first.Scalar();
    if (k == "any_of" || k == "all_of" || k == "not") is_group = true;
  }
  if (!is_group) {
    out.kind = ConditionNode::Kind::Leaf;
    if (!parse_leaf(node, out.leaf)) return std::nullopt;
    return out;
  }
  if (node.size() != 1) {
    error(node.Mark(), "a group condition (any_of, all_of, not) must be the only key of its mapping");
    return std::nullopt;
  }
  auto it = node.begin();
  const YAML::Node key = it->first;
  const YAML::Node body = it->second;
  const std::string k = key.Scalar();
  if (k == "not") {
    out.kind = ConditionNode::Kind::Not;
    if (!body.IsMap()) {
      error(mark_of(key, body), "\"not\" takes one condition (a mapping); wrap several in all_of or any_of");
      return std::nullopt;
    }
    auto child = parse_condition(body, depth + 1);
    if (!child) return std::nullopt;
    out.children.push_back(std::move(*child));
    return out;
  }
  out.kind = k == "any_of" ? ConditionNode::Kind::AnyOf : ConditionNode::Kind::AllOf;
  if (!body.IsSequence() || body.size() == 0) {
    error(mark_of(key, body), "\"" + k + "\" takes a non-empty list of conditions");
    return std::nullopt;
  }
  bool good = true;
  for (auto c = body.begin(); c != body.end(); ++c) {
    auto child = parse_condition(*c, depth + 1);
    if (!child) {
      good = false;
      continue;
    }
    out.children.push_back(std::move(*child));
  }
  if (!good) return std::nullopt;
  return out;
}

Result<RateLimit> parse_rate_limit_text(std::string_view text) {
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return make_error(ErrorCode::Invalid,
                      "rate_limit must look like \"N/window\" (e.g. \"5/hour\"), got " + quoted(text));
  }
  std::string_view count_text = text.substr(0, slash);
  std::string_view window_text = text.substr(slash + 1);
  std::uint64_t count = 0;
  auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (count_text.empty() || ec != std::errc() || end != count_text.data() + count_text.size() || count == 0 ||
      count > 1'000'000'000'000ULL) {
    return make_error(ErrorCode::Invalid, "rate_limit count must be a positive integer, got " + quoted(count_text));
  }
  Window w = parse_window_name(window_text);
  if (!w.ok) {
    return make_error(ErrorCode::Invalid,
                      "rate_limit window must be \"minute\", \"hour\" or \"day\", got " + quoted(window_text));
  }
  RateLimit rl;
  rl.count = count;
  rl.window.unit = w.unit;
  return rl;
}

std::optional<RateLimit> Loader::parse_rate_limit_node(const YAML::Node& key, const YAML::Node& node,
                                                       const Entry& entry) {
  if (node.IsScalar()) {
    auto rl = parse_rate_limit_text(node.Scalar());
    if (!rl) {
      error(node.Mark(), rl.error().message());
      return std::nullopt;
    }
    rl->scope = default_scope(entry);
    return *rl;
  }
  if (!node.IsMap()) {
    error(mark_of(key, node), "rate_limit must be \"N/window\" or a mapping with count and window");
    return std::nullopt;
  }
  RateLimit rl;
  rl.scope = default_scope(entry);
  bool have_count = false, have_window = false, good = true;
  for_each_key(node, "rate_limit", {"count", "window", "scope", "sliding"},
               [&](const std::string& k, const YAML::Node& kn, const YAML::Node& v) {
                 if (k == "count") {
                   auto s = resolve_scalar(kn, v);
                   if (!s) { good = false; return; }
                   const Decimal* d = std::get_if<Decimal>(&*s);
                   if (!d || !d->is_integer() || d->is_negative() || d->is_zero() ||
                       *d > Decimal::from_int(1'000'000'000'000)) {
                     error(mark_of(kn, v), "rate_limit count must be a positive integer");
                     good = false;
                     return;
                   }
                   rl.count = static_cast<std::uint64_t>(std::stoull(d->to_string()));
                   have_count = true;
                 } else if (k == "window") {
                   Window w = v.IsScalar() ? parse_window_name(v.Scalar()) : Window{};
                   if (!w.ok) {
                     error(mark_of(kn, v), "rate_limit window must be \"minute\", \"hour\" or \"day\"");
                     good = false;
                     return;
                   }
                   rl.window.unit = w.unit;
                   have_window = true;
                 } else if (k == "scope") {
                   auto sc = v.IsScalar() ? parse_scope_name(v.Scalar()) : std::nullopt;
                   if (!sc) {
                     error(mark_of(kn, v), "scope must be tool, global, session or identity");
                     good = false;
                     return;
                   }
                   rl.scope = *sc;
                 } else if (k == "sliding") {
                   auto b = bool_value(kn, v, "sliding");
                   if (!b) { good = false; return; }
                   rl.window.kind = *b ? WindowKind::Sliding : WindowKind::Fixed;
                 }
               });
  if (!have_count) { error(node.Mark(), "rate_limit needs a count"); good = false; }
  if (!have_window) { error(node.Mark(), "rate_limit needs a window"); good = false; }
  if (!good) return std::nullopt;
  return rl;
}

std::optional<StateUpdate> Loader::parse_state(const YAML::Node& key, const YAML::Node& node, const Entry& entry,
                                               CallKind section) {
  if (!node.IsMap()) {
    error(mark_of(key, node), "state must be a mapping (counter, window, increment or increment_from)");
    return std::nullopt;
  }
  StateUpdate st;
  st.counter.section = section;
  st.counter.scope_segment = scope_segment(entry);
  st.counter.scope = default_scope(entry);
  bool have_counter = false, have_window = false, have_increment = false, good = true;
  for_each_key(node, "state", {"counter", "window", "increment", "increment_from", "scope", "sliding"},
               [&](const std::string& k, const YAML::Node& kn, const YAML::Node& v) {
                 if (k == "counter") {
                   auto s = string_value(kn, v, "counter");
                   if (!s) { good = false; return; }
                   if (!valid_counter_name(*s)) {
                     error(mark_of(kn, v), "counter must be 1-128 characters of letters, digits, _ or -, got " +
                                               quoted(*s));
                     good = false;
                     return;
                   }
                   st.counter.counter = *s;
                   have_counter = true;
                 } else if (k == "window") {
                   Window w = v.IsScalar() ? parse_window_name(v.Scalar()) : Window{};
                   if (!w.ok) {
                     error(mark_of(kn, v), "window must be \"minute\", \"hour\" or \"day\", got " +
                                               quoted(v.IsScalar() ? v.Scalar() : "?"));
                     good = false;
                     return;
                   }
                   st.counter.window.unit = w.unit;
                   have_window = true;
                 } else if (k == "increment") {
                   auto s = resolve_scalar(kn, v);
                   if (!s) { good = false; return; }
                   const Decimal* d = std::get_if<Decimal>(&*s);
                   if (!d) {
                     error(mark_of(kn, v), "increment must be a number");
                     good = false;
                   } else if (d->is_negative()) {
                     error(mark_of(kn, v), "increment must not be negative (counters only grow within a window)");
                     good = false;
                   } else if (d->is_zero()) {
                     error(mark_of(kn, v), "increment of 0 never changes the counter");
                     good = false;
                   } else {
                     st.increment = *d;
                     have_increment = true;
                   }
                 } else if (k == "increment_from") {
                   auto p = parse_path(kn, v, true);
                   if (!p) { good = false; return; }
                   st.increment_from = std::move(*p);
                 } else if (k == "scope") {
                   auto sc = v.IsScalar() ? parse_scope_name(v.Scalar()) : std::nullopt;
                   if (!sc) {
                     error(mark_of(kn, v), "scope must be tool, global, session or identity");
                     good = false;
                     return;
                   }
                   st.counter.scope = *sc;
                 } else if (k == "sliding") {
                   auto b = bool_value(kn, v, "sliding");
                   if (!b) { good = false; return; }
                   st.counter.window.kind = *b ? WindowKind::Sliding : WindowKind::Fixed;
                 }
               });
  if (!have_counter) { error(node.Mark(), "state needs a counter"); good = false; }
  if (!have_window) { error(node.Mark(), "state needs a window"); good = false; }
  if (have_increment && st.increment_from) {
    error(node.Mark(), "state has both increment and increment_from; use one");
    good = false;
  }
  if (!good) return std::nullopt;
  if (st.counter.scope == CounterScope::Tool && entry.match == Entry::Match::Exact) {
    st.counter.fixed_tool = entry.pattern;
  }
  return st;
}

std::optional<std::chrono::seconds> Loader::parse_timeout(const YAML::Node& key, const YAML::Node& value) {
  auto fail = [&] {
    error(mark_of(key, value), "approval_timeout must be seconds or a duration like \"90s\", \"5m\", \"2h\", \"1d\" "
                               "(between 1 second and 7 days)");
    return std::nullopt;
  };
  if (!value.IsScalar() || value.Scalar().empty()) return fail();
  std::string text = value.Scalar();
  std::int64_t unit = 1;
  char last = text.back();
  if (last == 's' || last == 'm' || last == 'h' || last == 'd') {
    unit = last == 's' ? 1 : last == 'm' ? 60 : last == 'h' ? 3600 : 86400;
    text.pop_back();
  }
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n <= 0 || n > 7 * 86400) return fail();
  std::int64_t seconds = n * unit;
  if (seconds > 7 * 86400) return fail();
  return std::chrono::seconds(seconds);
}

std::optional<Rule> Loader::parse_rule(const YAML::Node& node, const Entry& entry, CallKind section) {
  if (!visit()) return std::nullopt;
  if (!node.IsMap()) {
    error(node.Mark(), "a rule must be a mapping");
    return std::nullopt;
  }
  Rule rule;
  rule.mark = to_mark(node.Mark());
  bool good = true, have_name = false, have_conditions = false, have_timeout = false;
  YAML::Mark action_mark = node.Mark();
  YAML::Mark rate_mark = node.Mark();
  std::optional<YAML::Node> rate_key, rate_node;
  for_each_key(
      node, "rule", {"name", "action", "conditions", "on_deny", "rate_limit", "state", "approval_timeout"},
      [&](const std::string& k, const YAML::Node& kn, const YAML::Node& v) {
        if (k == "name") {
          have_name = true;  // present: report what is wrong with it, not its absence
          auto s = string_value(kn, v, "name");
          if (!s || s->empty()) {
            if (s) error(mark_of(kn, v), "rule name must not be empty");
            good = false;
            return;
          }
          rule.name = *s;
        } else if (k == "action") {
          auto s = string_value(kn, v, "action");
          if (!s) { good = false; return; }
          action_mark = v.Mark();
          if (*s == "evaluate") rule.action = RuleAction::Evaluate;
          else if (*s == "deny") rule.action = RuleAction::Deny;
          else if (*s == "require_approval") rule.action = RuleAction::RequireApproval;
          else {
            error(v.Mark(), "action must be \"evaluate\", \"deny\" or \"require_approval\", got " + quoted(*s));
            good = false;
            return;
          }
        } else if (k == "conditions") {
          if (!v.IsSequence()) {
            error(mark_of(kn, v), "conditions must be a list");
            good = false;
            return;
          }
          have_conditions = v.size() != 0;
          for (auto it = v.begin(); it != v.end(); ++it) {
            auto c = parse_condition(*it, 1);
            if (!c) { good = false; continue; }
            rule.conditions.push_back(std::move(*c));
          }
        } else if (k == "on_deny") {
          auto s = string_value(kn, v, "on_deny");
          if (!s) { good = false; return; }
          rule.on_deny = *s;
        } else if (k == "rate_limit") {
          rate_mark = kn.Mark();
          rate_key = kn;
          rate_node = v;
        } else if (k == "state") {
          auto st = parse_state(kn, v, entry, section);
          if (!st) { good = false; return; }
          rule.state = std::move(*st);
        } else if (k == "approval_timeout") {
          auto t = parse_timeout(kn, v);
          if (!t) { good = false; return; }
          rule.approval_timeout = *t;
          have_timeout = true;
        }
      });
  if (!have_name) {
    error(node.Mark(), "rule must have a name");
    good = false;
  }
  if (rate_node) {
    auto rl = parse_rate_limit_node(*rate_key, *rate_node, entry);
    if (!rl) {
      good = false;
    } else if (have_conditions || rule.state) {
      error(rate_mark, "rate_limit cannot be combined with conditions or state; use the full form instead");
      good = false;
    } else if (rule.action != RuleAction::Evaluate) {
      error(rate_mark, "rate_limit can only be used with action \"evaluate\"");
      good = false;
    } else {
      // Expand as Intercept does: a counter `_rate_<window>` that each
      // permitted call increments by one, and a condition that the counter,
      // including this call, stays at or below the count.
      rule.rate_limit = *rl;
      StateUpdate st;
      st.counter.section = section;
      st.counter.scope_segment = scope_segment(entry);
      st.counter.counter = "_rate_" + std::string(to_string(rl->window.unit));
      if (rl->window.kind == WindowKind::Sliding) st.counter.counter += "_sliding";
      if (rl->scope != default_scope(entry)) st.counter.counter += "_" + std::string(to_string(rl->scope));
      st.counter.scope = rl->scope;
      st.counter.window = rl->window;
      if (rl->scope == CounterScope::Tool && entry.match == Entry::Match::Exact) st.counter.fixed_tool = entry.pattern;
      ConditionNode cn;
      cn.kind = ConditionNode::Kind::Leaf;
      cn.mark = rule.mark;
      cn.leaf.path.root = Path::Root::State;
      cn.leaf.path.segments = {st.counter.scope_segment, st.counter.counter};
      cn.leaf.path.text = "state." + st.counter.scope_segment + "." + st.counter.counter;
      cn.leaf.op = Op::Lte;
      cn.leaf.value = Decimal::from_int(static_cast<std::int64_t>(rl->count));
      cn.leaf.mark = rule.mark;
      rule.conditions.push_back(std::move(cn));
      rule.state = std::move(st);
      have_conditions = true;
    }
  }
  if (good) {
    switch (rule.action) {
      case RuleAction::Evaluate:
        if (!have_conditions) {
          error(node.Mark(), "evaluate rules must have at least one condition (or a rate_limit)");
          good = false;
        }
        break;
      case RuleAction::Deny:
        if (have_conditions || rule.state) {
          error(action_mark, "deny rules deny unconditionally: remove conditions and state");
          good = false;
        }
        break;
      case RuleAction::RequireApproval:
        if (rule.state) {
          error(action_mark, "require_approval rules cannot carry state; count in a separate evaluate rule");
          good = false;
        }
        if (!have_timeout) rule.approval_timeout = std::chrono::seconds(300);
        break;
    }
    if (have_timeout && rule.action != RuleAction::RequireApproval) {
      error(node.Mark(), "approval_timeout only applies to action \"require_approval\"");
      good = false;
    }
  }
  if (!good) return std::nullopt;
  return rule;
}

void Loader::parse_section(const YAML::Node& key, const YAML::Node& node, CallKind kind, Section& out) {
  out.present = true;
  if (!node.IsMap()) {
    if (node.IsNull()) return;  // `tools:` with nothing under it: no entries
    error(mark_of(key, node), std::string(key.Scalar()) + " must be a mapping of names to {rules: [...]}");
    return;
  }
  std::string what = key.Scalar() + " entry";
  for_each_key(node, key.Scalar(), {}, [&](const std::string& name, const YAML::Node& kn, const YAML::Node& v) {
    Entry entry;
    entry.pattern = name;
    entry.mark = to_mark(kn.Mark());
    if (name.empty()) {
      error(kn.Mark(), "entry name must not be empty");
      return;
    }
    entry.match = name == "*" ? Entry::Match::Wildcard : is_glob(name) ? Entry::Match::Glob : Entry::Match::Exact;
    if (v.IsNull()) {
      out.entries.push_back(std::move(entry));
      return;
    }
    if (!v.IsMap()) {
      error(mark_of(kn, v), quoted(name) + " must be a mapping with a \"rules\" list");
      return;
    }
    std::map<std::string, YAML::Mark> counters;
    for_each_key(v, what, {"rules"}, [&](const std::string&, const YAML::Node& rk, const YAML::Node& rules) {
      if (rules.IsNull()) return;
      if (!rules.IsSequence()) {
        error(mark_of(rk, rules), "rules must be a list");
        return;
      }
      for (auto it = rules.begin(); it != rules.end(); ++it) {
        auto rule = parse_rule(*it, entry, kind);
        if (!rule) continue;
        if (rule->state) {
          auto [pos, inserted] = counters.emplace(rule->state->counter.counter, it->Mark());
          if (!inserted) {
            error(it->Mark(), "duplicate state counter " + quoted(rule->state->counter.counter) + " (also declared at line " +
                                  std::to_string(pos->second.line + 1) + ")");
            continue;
          }
        }
        entry.rules.push_back(std::move(*rule));
      }
    });
    out.entries.push_back(std::move(entry));
  });
}

void Loader::resolve_counters(std::vector<ConditionNode>& nodes, const Section& section) {
  for (auto& node : nodes) {
    if (node.kind != ConditionNode::Kind::Leaf) {
      resolve_counters(node.children, section);
      continue;
    }
    Condition& c = node.leaf;
    if (c.path.root != Path::Root::State || c.counter) continue;
    const std::string& scope = c.path.segments[0];
    const std::string& counter = c.path.segments[1];
    for (const auto& entry : section.entries) {
      if (scope_segment(entry) != scope) continue;
      for (const auto& rule : entry.rules) {
        if (rule.state && rule.state->counter.counter == counter) c.counter = rule.state->counter;
      }
    }
    if (!c.counter) {
      YAML::Mark m;
      m.line = c.mark.line - 1;
      m.column = c.mark.column - 1;
      error(m, "condition references " + quoted(c.path.text) + " but no state block declares counter " +
                   quoted(counter) + " under " + quoted(scope == "_global" ? "*" : scope));
    }
  }
}

void Loader::resolve_counters(Section& section) {
  for (auto& entry : section.entries) {
    for (auto& rule : entry.rules) resolve_counters(rule.conditions, section);
  }
}

Result<Policy> Loader::run(std::string_view text) {
  if (text.size() > limits_.max_text_bytes) {
    return make_error(ErrorCode::LimitExceeded, source_ + ": policy is larger than " +
                                                    std::to_string(limits_.max_text_bytes) + " bytes");
  }
  std::vector<YAML::Node> docs;
  // The one adapter around yaml-cpp's exceptions for parsing.
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::Malformed, source_ + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (docs.size() != 1) {
    return make_error(ErrorCode::Invalid, source_ + ":1:1: a policy file must hold exactly one YAML document");
  }
  const YAML::Node& root = docs[0];
  if (!root.IsMap()) {
    return make_error(ErrorCode::Invalid, source_ + ":1:1: a policy must be a mapping with version and tools");
  }
  Policy policy;
  policy.source_name = source_;
  bool have_version = false, have_tools = false;
  // Walking a parsed tree does not normally throw, but yaml-cpp may; keep the
  // adapter around the whole walk so that no exception escapes.
  try {
    for_each_key(root, "policy", {"version", "description", "default", "hide", "tools", "resources", "prompts"},
                 [&](const std::string& k, const YAML::Node& kn, const YAML::Node& v) {
                   if (k == "version") {
                     have_version = true;
                     if (!v.IsScalar() || v.Scalar() != "1") {
                       error(mark_of(kn, v), "version must be \"1\", got " + quoted(v.IsScalar() ? v.Scalar() : "?"));
                       return;
                     }
                     policy.version = "1";
                   } else if (k == "description") {
                     if (auto s = string_value(kn, v, "description")) policy.description = *s;
                   } else if (k == "default") {
                     auto s = string_value(kn, v, "default");
                     if (!s) return;
                     if (*s == "allow") policy.default_action = DefaultAction::Allow;
                     else if (*s == "deny") policy.default_action = DefaultAction::Deny;
                     else error(v.Mark(), "default must be \"allow\" or \"deny\", got " + quoted(*s));
                   } else if (k == "hide") {
                     if (v.IsNull()) return;
                     if (!v.IsSequence()) {
                       error(mark_of(kn, v), "hide must be a list of tool names");
                       return;
                     }
                     std::set<std::string> seen;
                     for (auto it = v.begin(); it != v.end(); ++it) {
                       if (!visit()) return;
                       if (!it->IsScalar() || it->Scalar().empty()) {
                         error(it->Mark(), "hide entries must be non-empty tool names");
                         continue;
                       }
                       if (!seen.insert(it->Scalar()).second) {
                         error(it->Mark(), "hide: duplicate entry " + quoted(it->Scalar()));
                         continue;
                       }
                       policy.hide.push_back(it->Scalar());
                     }
                   } else if (k == "tools") {
                     have_tools = true;
                     parse_section(kn, v, CallKind::Tool, policy.tools);
                   } else if (k == "resources") {
                     parse_section(kn, v, CallKind::Resource, policy.resources);
                   } else if (k == "prompts") {
                     parse_section(kn, v, CallKind::Prompt, policy.prompts);
                   }
                 });
  } catch (const YAML::Exception& e) {
    error(e.mark, e.msg);
  }
  if (over_budget_) {
    return make_error(ErrorCode::LimitExceeded,
                      source_ + ": policy has more than " + std::to_string(limits_.max_nodes) + " YAML nodes");
  }
  if (!have_version) error(root.Mark(), "version is required (version: \"1\")");
  if (!have_tools) error(root.Mark(), "tools is required (tools: {} for none)");
  resolve_counters(policy.tools);
  resolve_counters(policy.resources);
  resolve_counters(policy.prompts);
  if (!errors_.empty()) {
    std::string message;
    for (const auto& e : errors_) message += (message.empty() ? "" : "\n") + e;
    return make_error(ErrorCode::Invalid, std::move(message));
  }
  policy.revision = to_hex(Sha256::digest(text));
  return policy;
}

}  // namespace

Result<Policy> load_policy(std::string_view text, std::string_view source_name, const LoaderLimits& limits) {
  Loader loader(source_name, limits);
  return loader.run(text);
}

Result<RateLimit> parse_rate_limit(std::string_view text) { return parse_rate_limit_text(text); }

}  // namespace wg::policy
