#include "policy/evaluator.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include <boost/json/object.hpp>

#include "base/check.h"

namespace wg::policy {
namespace {

// Failure inside condition evaluation: decided as a Deny with this code.
struct EvalError {
  DenyCode code;
  std::string message;
};
template <class T>
using Eval = std::expected<T, EvalError>;

std::unexpected<EvalError> eval_error(DenyCode code, std::string message) {
  return std::unexpected<EvalError>(EvalError{code, std::move(message)});
}

std::string_view json_kind(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "an object";
  }
  return "a value";
}

// Walks args.a.b.c. An object segment is a key; an array segment must be a
// canonical decimal index. Anything else is "absent".
const boost::json::value* resolve_args(const boost::json::value& args, const std::vector<std::string>& segments) {
  const boost::json::value* cur = &args;
  for (const auto& seg : segments) {
    if (const auto* obj = cur->if_object()) {
      auto it = obj->find(seg);
      if (it == obj->end()) return nullptr;
      cur = &it->value();
    } else if (const auto* arr = cur->if_array()) {
      if (seg.empty() || (seg.size() > 1 && seg[0] == '0')) return nullptr;
      std::size_t index = 0;
      auto [end, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), index);
      if (ec != std::errc() || end != seg.data() + seg.size() || index >= arr->size()) return nullptr;
      cur = &(*arr)[index];
    } else {
      return nullptr;
    }
  }
  return cur;
}

// The value a condition looks at: absent, a JSON argument, or a counter.
struct Operand {
  enum class Kind : std::uint8_t { Absent, Json, Number };
  Kind kind = Kind::Absent;
  const boost::json::value* json = nullptr;
  Decimal number;
};

bool scalar_equals(const Operand& a, const Scalar& expected) {
  if (a.kind == Operand::Kind::Number) {
    const Decimal* d = std::get_if<Decimal>(&expected);
    return d && *d == a.number;
  }
  const boost::json::value& v = *a.json;
  return std::visit(
      [&](const auto& e) -> bool {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, std::nullptr_t>) {
          return v.is_null();
        } else if constexpr (std::is_same_v<E, bool>) {
          return v.is_bool() && v.get_bool() == e;
        } else if constexpr (std::is_same_v<E, Decimal>) {
          if (!v.is_number()) return false;
          auto d = Decimal::from_json(v);
          return d && *d == e;  // an unrepresentable number equals no literal
        } else {
          return v.is_string() && std::string_view(v.get_string()) == e;
        }
      },
      expected);
}

Eval<Decimal> as_number(const Operand& a, const Condition& c) {
  if (a.kind == Operand::Kind::Number) return a.number;
  if (!a.json->is_number()) {
    return eval_error(DenyCode::TypeMismatch, std::string(c.path.text) + " is " + std::string(json_kind(*a.json)) +
                                                  ", but \"" + std::string(to_string(c.op)) + "\" needs a number");
  }
  auto d = Decimal::from_json(*a.json);
  if (!d) return eval_error(DenyCode::InvalidArgument, c.path.text + ": " + d.error().message());
  return *d;
}

class Evaluator {
 public:
  Evaluator(const Policy& policy, const Call& call, const CountersView& counters, Timestamp now)
      : policy_(policy), call_(call), counters_(counters), now_(now) {}

  Decision run();

 private:
  struct Pending {
    const Rule* rule = nullptr;
    Eval<CounterRef> ref;
    Eval<Decimal> amount;
  };

  Eval<CounterRef> make_ref(const CounterDef& def) const;
  Eval<CounterReading> read(const CounterRef& ref);
  Eval<Decimal> amount_for(const StateUpdate& st) const;
  Eval<Operand> operand(const Condition& c, Decimal* current_out);
  Eval<bool> eval_leaf(const Condition& c, Decimal* current_out);
  Eval<bool> eval_node(const ConditionNode& node);
  Deny limit_denial(const Rule& rule, const Condition& c, Decimal current);
  Decision deny(Deny d) const {
    Decision out;
    out.outcome = std::move(d);
    out.revision = policy_.revision;
    return out;
  }
  Decision deny(DenyCode code, std::string rule, std::string reason) const {
    return deny(Deny{code, std::move(rule), std::move(reason), std::nullopt, std::nullopt});
  }

  const Policy& policy_;
  const Call& call_;
  const CountersView& counters_;
  Timestamp now_;
  boost::json::value empty_args_ = boost::json::object();
  const boost::json::value* args_ = nullptr;
  std::vector<Pending> pending_;
  std::map<std::string, CounterReading> cache_;
};

Eval<CounterRef> Evaluator::make_ref(const CounterDef& def) const {
  CounterRef ref{def, {}};
  switch (def.scope) {
    case CounterScope::Tool: ref.partition = def.fixed_tool.empty() ? call_.name : def.fixed_tool; break;
    case CounterScope::Global: break;
    case CounterScope::Session:
      if (call_.session.empty()) {
        return eval_error(DenyCode::StateError, "counter \"" + def.counter + "\" is per session, but the call has no session");
      }
      ref.partition = call_.session;
      break;
    case CounterScope::Identity:
      if (call_.identity.empty()) {
        return eval_error(DenyCode::StateError,
                          "counter \"" + def.counter + "\" is per client identity, but the call has no identity");
      }
      ref.partition = call_.identity;
      break;
  }
  return ref;
}

Eval<CounterReading> Evaluator::read(const CounterRef& ref) {
  std::string key = ref.key();
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  auto r = counters_.read(ref, now_);
  if (!r) return eval_error(DenyCode::StateError, "reading counter \"" + ref.def.counter + "\": " + r.error().message());
  if (r->value.is_negative()) {
    return eval_error(DenyCode::StateError, "counter \"" + ref.def.counter + "\" is negative in the store");
  }
  cache_.emplace(key, *r);
  return *r;
}

Eval<Decimal> Evaluator::amount_for(const StateUpdate& st) const {
  if (!st.increment_from) return st.increment;
  const boost::json::value* v = resolve_args(*args_, st.increment_from->segments);
  const std::string& p = st.increment_from->text;
  if (!v) return eval_error(DenyCode::InvalidArgument, "increment_from " + p + " is missing from the arguments");
  if (!v->is_number()) {
    return eval_error(DenyCode::InvalidArgument,
                      "increment_from " + p + " is " + std::string(json_kind(*v)) + ", not a number");
  }
  auto d = Decimal::from_json(*v);
  if (!d) return eval_error(DenyCode::InvalidArgument, "increment_from " + p + ": " + d.error().message());
  if (d->is_negative()) return eval_error(DenyCode::InvalidArgument, "increment_from " + p + " is negative");
  return *d;
}

// For a counter, `current_out` receives the value before this call. Limit
// operators (lt, lte) compare the projected value: the current value plus
// what this call would add to the same counter. That is Intercept's
// reserve-then-check rule: the call is refused if, counted, it would cross
// the limit.
Eval<Operand> Evaluator::operand(const Condition& c, Decimal* current_out) {
  Operand out;
  if (c.path.root == Path::Root::Args) {
    const boost::json::value* v = resolve_args(*args_, c.path.segments);
    if (v) {
      out.kind = Operand::Kind::Json;
      out.json = v;
    }
    return out;
  }
  WG_CHECK(c.counter.has_value());  // the loader resolves every state path
  auto ref = make_ref(*c.counter);
  if (!ref) return std::unexpected(ref.error());
  auto reading = read(*ref);
  if (!reading) return std::unexpected(reading.error());
  out.kind = Operand::Kind::Number;
  out.number = reading->value;
  if (current_out) *current_out = reading->value;
  if (c.op == Op::Lt || c.op == Op::Lte) {
    std::string key = ref->key();
    for (const auto& p : pending_) {
      if (!p.ref || p.ref->key() != key) continue;
      if (!p.amount) return std::unexpected(p.amount.error());
      auto sum = out.number.checked_add(*p.amount);
      if (!sum) return eval_error(DenyCode::InvalidArgument, sum.error().message());
      out.number = *sum;
    }
  }
  return out;
}

Eval<bool> Evaluator::eval_leaf(const Condition& c, Decimal* current_out) {
  auto got = operand(c, current_out);
  if (!got) return std::unexpected(got.error());
  const Operand& a = *got;
  if (c.op == Op::Exists) {
    bool present = a.kind != Operand::Kind::Absent && !(a.kind == Operand::Kind::Json && a.json->is_null());
    return present == std::get<bool>(c.value);
  }
  // As in Intercept, every other operator is false on an absent argument.
  if (a.kind == Operand::Kind::Absent) return false;
  switch (c.op) {
    case Op::Eq: return scalar_equals(a, c.value);
    case Op::Neq: return !scalar_equals(a, c.value);
    case Op::In:
    case Op::NotIn: {
      bool found = std::any_of(c.list.begin(), c.list.end(), [&](const Scalar& s) { return scalar_equals(a, s); });
      return c.op == Op::In ? found : !found;
    }
    case Op::Lt:
    case Op::Lte:
    case Op::Gt:
    case Op::Gte: {
      auto n = as_number(a, c);
      if (!n) return std::unexpected(n.error());
      const Decimal& limit = std::get<Decimal>(c.value);
      switch (c.op) {
        case Op::Lt: return *n < limit;
        case Op::Lte: return *n <= limit;
        case Op::Gt: return *n > limit;
        default: return *n >= limit;
      }
    }
    case Op::Regex: {
      if (a.kind != Operand::Kind::Json || !a.json->is_string()) {
        return eval_error(DenyCode::TypeMismatch, c.path.text + " is " +
                                                      std::string(a.json ? json_kind(*a.json) : "a number") +
                                                      ", but \"regex\" needs a string");
      }
      return c.regex->search(std::string_view(a.json->get_string()));
    }
    case Op::Contains: {
      const boost::json::value& v = *a.json;
      if (const auto* arr = v.if_array()) {
        for (const auto& item : *arr) {
          Operand element;
          element.kind = Operand::Kind::Json;
          element.json = &item;
          if (scalar_equals(element, c.value)) return true;
        }
        return false;
      }
      if (v.is_string()) {
        const std::string* needle = std::get_if<std::string>(&c.value);
        if (!needle) {
          return eval_error(DenyCode::TypeMismatch,
                            c.path.text + " is a string; \"contains\" on a string needs a string value");
        }
        return std::string_view(v.get_string()).find(*needle) != std::string_view::npos;
      }
      return eval_error(DenyCode::TypeMismatch,
                        c.path.text + " is " + std::string(json_kind(v)) + ", but \"contains\" needs a string or an array");
    }
    case Op::Exists: break;
  }
  WG_UNREACHABLE();
}

Eval<bool> Evaluator::eval_node(const ConditionNode& node) {
  switch (node.kind) {
    case ConditionNode::Kind::Leaf: return eval_leaf(node.leaf, nullptr);
    case ConditionNode::Kind::Not: {
      auto r = eval_node(node.children.front());
      if (!r) return r;
      return !*r;
    }
    case ConditionNode::Kind::AllOf:
    case ConditionNode::Kind::AnyOf: {
      bool any = node.kind == ConditionNode::Kind::AnyOf;
      // Short-circuit in order, like the top level. An error anywhere that is
      // evaluated makes the whole call undecidable (and denied): we never
      // skip past an error to a more convenient answer.
      for (const auto& child : node.children) {
        auto r = eval_node(child);
        if (!r) return r;
        if (*r == any) return any;
      }
      return !any;
    }
  }
  WG_UNREACHABLE();
}

Deny Evaluator::limit_denial(const Rule& rule, const Condition& c, Decimal current) {
  Deny d;
  d.code = DenyCode::LimitExceeded;
  d.rule = rule.name;
  const CounterWindow& w = c.counter->window;
  if (w.kind == WindowKind::Fixed) {
    auto left = fixed_window_end(w.unit, now_) - now_;
    d.retry_after = std::chrono::ceil<std::chrono::seconds>(left);
  } else if (auto ref = make_ref(*c.counter)) {
    auto it = cache_.find(ref->key());
    if (it != cache_.end() && it->second.oldest_expires_at) {
      auto left = *it->second.oldest_expires_at - now_;
      d.retry_after = std::max(std::chrono::seconds(0), std::chrono::ceil<std::chrono::seconds>(left));
    }
  }
  if (c.op == Op::Lt || c.op == Op::Lte) {
    const Decimal& limit = std::get<Decimal>(c.value);
    Decimal headroom = limit.checked_sub(current).value_or(Decimal());
    // lt is exclusive: with whole-number counters the last allowed value is limit - 1.
    if (c.op == Op::Lt && limit.is_integer() && current.is_integer()) {
      headroom = headroom.checked_sub(Decimal::from_int(1)).value_or(Decimal());
    }
    d.remaining = headroom.is_negative() ? Decimal() : headroom;
  }
  if (!rule.on_deny.empty()) {
    d.reason = rule.on_deny;
  } else if (rule.rate_limit) {
    d.reason = "rate limit of " + std::to_string(rule.rate_limit->count) + " per " +
               std::string(to_string(rule.rate_limit->window.unit)) + " reached";
  } else {
    d.reason = "limit on " + c.path.text + " reached (rule \"" + rule.name + "\")";
  }
  return d;
}

Decision Evaluator::run() {
  if (call_.args.is_null()) {
    args_ = &empty_args_;
  } else if (call_.args.is_object()) {
    args_ = &call_.args;
  } else {
    return deny(DenyCode::MalformedCall, "(call)", "arguments must be an object");
  }
  if (call_.name.empty()) return deny(DenyCode::MalformedCall, "(call)", "the call has no name");

  if (call_.kind == CallKind::Tool && policy_.hides_tool(call_.name)) {
    return deny(DenyCode::Hidden, "(hidden)", "tool \"" + call_.name + "\" is hidden by policy");
  }

  const Section& section = policy_.section(call_.kind);
  Decision out;
  out.revision = policy_.revision;
  if (!section.present) {
    out.outcome = Allow{};
    return out;
  }

  // Intercept's order: the tool's own rules, then wildcard rules. Globs
  // (an extension) sit between the two, in file order.
  std::vector<const Entry*> entries;
  for (const auto& e : section.entries) {
    if (e.match == Entry::Match::Exact && e.matches(call_.name)) entries.push_back(&e);
  }
  for (const auto& e : section.entries) {
    if (e.match == Entry::Match::Glob && e.matches(call_.name)) entries.push_back(&e);
  }
  bool listed = !entries.empty();
  if (policy_.default_action == DefaultAction::Deny && !listed) {
    return deny(DenyCode::NotListed, "(default deny)",
                std::string(to_string(call_.kind)) + " \"" + call_.name + "\" is not permitted by policy");
  }
  for (const auto& e : section.entries) {
    if (e.match == Entry::Match::Wildcard) entries.push_back(&e);
  }

  std::vector<const Rule*> rules;
  for (const Entry* e : entries) {
    for (const auto& r : e->rules) rules.push_back(&r);
  }
  for (const Rule* r : rules) {
    if (r->state) pending_.push_back(Pending{r, make_ref(r->state->counter), amount_for(*r->state)});
  }

  const Rule* approval = nullptr;
  for (const Rule* rule : rules) {
    switch (rule->action) {
      case RuleAction::Deny:
        return deny(DenyCode::RuleDenied, rule->name,
                    rule->on_deny.empty() ? "denied by rule \"" + rule->name + "\"" : rule->on_deny);
      case RuleAction::Evaluate:
        for (const auto& node : rule->conditions) {
          Decimal current;
          auto ok = node.kind == ConditionNode::Kind::Leaf ? eval_leaf(node.leaf, &current) : eval_node(node);
          if (!ok) return deny(ok.error().code, rule->name, ok.error().message);
          if (*ok) continue;
          if (node.kind == ConditionNode::Kind::Leaf && node.leaf.path.root == Path::Root::State) {
            return deny(limit_denial(*rule, node.leaf, current));
          }
          return deny(DenyCode::ConditionFailed, rule->name,
                      rule->on_deny.empty() ? "conditions of rule \"" + rule->name + "\" not met" : rule->on_deny);
        }
        break;
      case RuleAction::RequireApproval: {
        bool triggered = true;
        for (const auto& node : rule->conditions) {
          auto ok = eval_node(node);
          if (!ok) return deny(ok.error().code, rule->name, ok.error().message);
          if (!*ok) {
            triggered = false;
            break;
          }
        }
        // The first triggered approval rule is the one reported; later rules
        // still run, so a later deny wins over asking a human.
        if (triggered && !approval) approval = rule;
        break;
      }
    }
  }

  for (const auto& p : pending_) {
    if (!p.ref) return deny(p.ref.error().code, p.rule->name, p.ref.error().message);
    if (!p.amount) return deny(p.amount.error().code, p.rule->name, p.amount.error().message);
    out.updates.push_back(CounterUpdate{*p.ref, *p.amount});
  }
  if (approval) {
    out.outcome = RequireApproval{approval->name,
                                  approval->on_deny.empty() ? "rule \"" + approval->name + "\" requires human approval"
                                                            : approval->on_deny,
                                  approval->approval_timeout};
  } else {
    out.outcome = Allow{};
  }
  return out;
}

void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += '|';
}

}  // namespace

std::string CounterRef::key() const {
  std::string out;
  append_field(out, to_string(def.section));
  append_field(out, def.scope_segment);
  append_field(out, def.counter);
  append_field(out, to_string(def.scope));
  append_field(out, partition);
  append_field(out, to_string(def.window.unit));
  append_field(out, to_string(def.window.kind));
  return out;
}

std::string_view to_string(DenyCode code) {
  switch (code) {
    case DenyCode::Hidden: return "hidden";
    case DenyCode::NotListed: return "not_listed";
    case DenyCode::RuleDenied: return "rule_denied";
    case DenyCode::ConditionFailed: return "condition_failed";
    case DenyCode::LimitExceeded: return "limit_exceeded";
    case DenyCode::TypeMismatch: return "type_mismatch";
    case DenyCode::InvalidArgument: return "invalid_argument";
    case DenyCode::StateError: return "state_error";
    case DenyCode::MalformedCall: return "malformed_call";
  }
  WG_UNREACHABLE();
}

Timestamp fixed_window_start(WindowUnit unit, Timestamp now) {
  CounterWindow w{unit, WindowKind::Fixed};
  auto len = std::chrono::duration_cast<std::chrono::milliseconds>(w.length());
  auto since = now.time_since_epoch();
  auto start = since - ((since % len) + len) % len;  // floor, also before 1970
  return Timestamp(start);
}

Timestamp fixed_window_end(WindowUnit unit, Timestamp now) {
  CounterWindow w{unit, WindowKind::Fixed};
  return fixed_window_start(unit, now) + std::chrono::duration_cast<std::chrono::milliseconds>(w.length());
}

Decision decide(const Policy& policy, const Call& call, const CountersView& counters, Timestamp now) {
  return Evaluator(policy, call, counters, now).run();
}

std::string describe(const Decision& decision) {
  if (decision.allowed()) return "allow";
  if (const auto* a = decision.approval()) {
    return "require_approval rule \"" + a->rule + "\" (timeout " + std::to_string(a->timeout.count()) + "s): " +
           a->reason;
  }
  const Deny& d = *decision.deny();
  std::string out = "deny [" + std::string(to_string(d.code)) + "] rule \"" + d.rule + "\": " + d.reason;
  if (d.retry_after) out += " (retry after " + std::to_string(d.retry_after->count()) + "s)";
  if (d.remaining) out += " (remaining " + d.remaining->to_string() + ")";
  return out;
}

boost::json::object deny_details(const Deny& deny) {
  boost::json::object o;
  o["code"] = to_string(deny.code);
  o["rule"] = deny.rule;
  o["reason"] = deny.reason;
  if (deny.retry_after) o["retryAfter"] = deny.retry_after->count();
  if (deny.remaining) o["remaining"] = deny.remaining->to_string();
  return o;
}

}  // namespace wg::policy
