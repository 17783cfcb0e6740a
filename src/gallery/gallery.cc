#include "gallery/gallery.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <set>

#include "base/check.h"
#include "gallery/builtins.h"
#include "gallery/json_util.h"

namespace wg::gallery {
namespace json = boost::json;

// --- MemoryTemplateStore -----------------------------------------------------

Status MemoryTemplateStore::maybe_fail() {
  if (failing_writes_ == 0) return ok();
  --failing_writes_;
  return make_error(ErrorCode::Io, "memory template store: injected write failure");
}

Result<std::vector<std::pair<std::string, std::string>>> MemoryTemplateStore::load_custom_templates() {
  std::lock_guard lock(mutex_);
  return std::vector<std::pair<std::string, std::string>>(templates_.begin(), templates_.end());
}

Status MemoryTemplateStore::put_custom_templates(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::lock_guard lock(mutex_);
  WG_TRY(maybe_fail());
  for (const auto& [id, text] : rows) templates_[id] = text;
  return ok();
}

Status MemoryTemplateStore::remove_custom_template(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = templates_.find(id);
  if (it == templates_.end()) return make_error(ErrorCode::NotFound, "no stored template " + quoted(id));
  WG_TRY(maybe_fail());
  templates_.erase(it);
  return ok();
}

Result<std::optional<std::string>> MemoryTemplateStore::get_setting(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = settings_.find(key);
  if (it == settings_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryTemplateStore::put_setting(std::string_view key, std::string_view json) {
  std::lock_guard lock(mutex_);
  WG_TRY(maybe_fail());
  settings_.insert_or_assign(std::string(key), std::string(json));
  return ok();
}

void MemoryTemplateStore::put_raw(std::string id, std::string json) {
  std::lock_guard lock(mutex_);
  templates_[std::move(id)] = std::move(json);
}

std::size_t MemoryTemplateStore::template_count() const {
  std::lock_guard lock(mutex_);
  return templates_.size();
}

void MemoryTemplateStore::fail_next_writes(std::size_t n) {
  std::lock_guard lock(mutex_);
  failing_writes_ = n;
}

// --- Gallery -------------------------------------------------------------------

namespace {

std::string serialize_template(const Template& t) { return json::serialize(template_to_json(t)); }

std::unexpected<Error> invalid(std::string message) { return make_error(ErrorCode::Invalid, std::move(message)); }

}  // namespace

Gallery::Gallery(TemplateStore& store, GalleryLimits limits) : store_(store), limits_(limits) {}

Result<std::unique_ptr<Gallery>> Gallery::open(TemplateStore& store, GalleryLimits limits) {
  std::unique_ptr<Gallery> g(new Gallery(store, limits));
  std::lock_guard lock(g->mutex_);
  auto rows = WG_TRY_CTX(store.load_custom_templates(), "gallery: loading custom templates");
  std::sort(rows.begin(), rows.end());
  for (const auto& [id, text] : rows) {
    const std::string where = "stored custom template " + quoted(id);
    auto value = parse_json_text(text);
    if (!value) {
      g->warnings_.push_back(where + " skipped: " + value.error().message());
      continue;
    }
    auto parsed = parse_custom_template(*value, "template");
    if (!parsed) {
      g->warnings_.push_back(where + " skipped: " + parsed.error().message());
      continue;
    }
    if (parsed->id != id) {
      g->warnings_.push_back(where + " skipped: its JSON has id " + quoted(parsed->id));
      continue;
    }
    if (find_builtin(id) != nullptr || resolve_alias(id)) {
      g->warnings_.push_back(where + " skipped: the id belongs to a built-in template");
      continue;
    }
    g->customs_.emplace(id, std::move(*parsed));
  }

  auto setting = WG_TRY_CTX(store.get_setting(kActiveSettingKey), "gallery: loading the active template");
  if (setting) {
    const std::string where = "setting " + quoted(kActiveSettingKey);
    auto value = parse_json_text(*setting);
    if (!value) {
      g->warnings_.push_back(where + " ignored: " + value.error().message());
    } else if (!value->is_null()) {
      const json::object* obj = value->if_object();
      const json::value* id = obj ? obj->if_contains("id") : nullptr;
      const json::value* config = obj ? obj->if_contains("config") : nullptr;
      if (id == nullptr || !id->is_string() || config == nullptr || obj->size() != 2) {
        g->warnings_.push_back(where + " ignored: expected {\"id\": string, \"config\": object}");
      } else if (g->find_locked(std::string_view(id->as_string())) == nullptr) {
        g->warnings_.push_back(where + " ignored: template " + quoted(std::string_view(id->as_string())) +
                               " no longer exists");
      } else if (auto overrides = parse_overrides(*config, "config"); !overrides) {
        g->warnings_.push_back(where + " ignored: " + overrides.error().message());
      } else {
        g->active_ = Active{std::string(id->as_string()), std::move(*overrides)};
      }
    }
  }
  return g;
}

std::vector<std::string> Gallery::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

const Template* Gallery::find_locked(std::string_view id) const {
  if (const Template* t = find_builtin(id)) return t;
  auto it = customs_.find(id);
  return it == customs_.end() ? nullptr : &it->second;
}

std::vector<const Template*> Gallery::all_locked() const {
  std::vector<const Template*> out;
  for (const Template& t : builtin_templates()) out.push_back(&t);
  for (const auto& [id, t] : customs_) out.push_back(&t);
  return out;
}

Error Gallery::not_found_locked(std::string_view id) const {
  std::vector<std::pair<std::size_t, std::string>> candidates;
  for (const Template* t : all_locked()) candidates.emplace_back(edit_distance(id, t->id), t->id);
  for (const TemplateAlias& a : builtin_aliases()) candidates.emplace_back(edit_distance(id, a.alias), a.alias);
  std::sort(candidates.begin(), candidates.end());
  std::vector<std::string> nearest;
  for (std::size_t i = 0; i < candidates.size() && i < 3; ++i) nearest.push_back(candidates[i].second);
  return Error(ErrorCode::NotFound, "no template " + quoted(id) + "; nearest ids: " + join_names(nearest));
}

Result<std::string> Gallery::resolve_locked(std::string_view id) const {
  if (auto target = resolve_alias(id)) return std::string(*target);
  if (find_locked(id) != nullptr) return std::string(id);
  return std::unexpected(not_found_locked(id));
}

Result<std::string> Gallery::resolve(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return resolve_locked(id);
}

std::vector<Template> Gallery::list() const {
  std::lock_guard lock(mutex_);
  std::vector<Template> out;
  for (const Template* t : all_locked()) out.push_back(*t);
  return out;
}

Result<Template> Gallery::get(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const std::string canonical = WG_TRY(resolve_locked(id));
  return *find_locked(canonical);
}

Result<std::vector<ScoredTemplate>> Gallery::search(std::string_view query, std::size_t limit) const {
  if (limit == 0) limit = limits_.default_search_limit;
  if (limit > limits_.max_search_limit) {
    return invalid("limit: must be between 1 and " + std::to_string(limits_.max_search_limit) + ", got " +
                   std::to_string(limit));
  }
  std::lock_guard lock(mutex_);
  const std::vector<const Template*> docs = all_locked();
  const std::vector<SearchHit> hits = WG_TRY(search_templates(docs, query, limit));
  std::vector<ScoredTemplate> out;
  out.reserve(hits.size());
  for (const SearchHit& h : hits) out.push_back(ScoredTemplate{*docs[h.index], h.score});
  return out;
}

std::vector<CategoryCount> Gallery::categories() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::size_t> counts;
  for (const Template* t : all_locked()) ++counts[t->category];
  std::vector<CategoryCount> out;
  for (const auto& [name, count] : counts) out.push_back(CategoryCount{name, count});
  return out;
}

Result<std::vector<Template>> Gallery::list_by_category(std::string_view category) const {
  std::lock_guard lock(mutex_);
  std::vector<Template> out;
  std::set<std::string> known;
  for (const Template* t : all_locked()) {
    known.insert(t->category);
    if (t->category == category) out.push_back(*t);
  }
  if (out.empty()) {
    std::vector<std::string> names(known.begin(), known.end());
    std::string message = "no category " + quoted(category);
    if (auto near = nearest_name(category, names)) {
      message += "; did you mean " + quoted(*near) + "?";
    } else {
      message += ".";
    }
    message += " Known categories: " + join_names(names);
    return make_error(ErrorCode::NotFound, message);
  }
  return out;
}

Status Gallery::check_custom_id_locked(const Template& t, std::string_view path) const {
  if (find_builtin(t.id) != nullptr) {
    return invalid(std::string(path) + ".id: " + quoted(t.id) +
                   " is a built-in template; choose another id for a custom template");
  }
  if (auto target = resolve_alias(t.id)) {
    return invalid(std::string(path) + ".id: " + quoted(t.id) + " is an alias of the built-in template " +
                   quoted(*target) + "; choose another id");
  }
  return ok();
}

Result<AddResult> Gallery::add_custom(const json::value& value) {
  Template t = WG_TRY(parse_custom_template(value, "template"));
  std::lock_guard lock(mutex_);
  WG_TRY(check_custom_id_locked(t, "template"));
  const bool replaced = customs_.contains(t.id);
  if (!replaced && customs_.size() >= limits_.max_custom_templates) {
    return make_error(ErrorCode::LimitExceeded, "the gallery already holds " + std::to_string(customs_.size()) +
                                                    " custom templates, the limit; remove one first");
  }
  WG_TRY(store_.put_custom_templates({{t.id, serialize_template(t)}}));
  customs_.insert_or_assign(t.id, t);
  return AddResult{std::move(t), replaced};
}

Status Gallery::remove_custom(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (find_builtin(id) != nullptr) {
    return invalid("built-in template " + quoted(id) + " cannot be removed; only custom templates can");
  }
  if (auto target = resolve_alias(id)) {
    return invalid(quoted(id) + " is an alias of the built-in template " + quoted(*target) + " and cannot be removed");
  }
  auto it = customs_.find(id);
  if (it == customs_.end()) {
    std::vector<std::string> ids;
    for (const auto& [custom_id, t] : customs_) ids.push_back(custom_id);
    std::string message = "no custom template " + quoted(id);
    if (auto near = nearest_name(id, ids)) {
      message += "; did you mean " + quoted(*near) + "?";
    } else {
      message += ".";
    }
    message += ids.empty() ? " There are no custom templates." : " Custom templates: " + join_names(ids);
    return make_error(ErrorCode::NotFound, message);
  }
  WG_TRY(store_.remove_custom_template(id));
  customs_.erase(it);
  if (active_ && active_->id == id) {
    // The template is gone either way; a failed write here leaves a dangling
    // setting that the next open() reports and ignores.
    if (auto written = write_active_locked(std::nullopt); !written) {
      warnings_.push_back("clearing the active template after removing " + quoted(id) +
                          " failed: " + written.error().message());
    }
    active_.reset();
  }
  return ok();
}

Result<ImportResult> Gallery::import_custom(std::string_view text) {
  if (text.size() > limits_.max_import_bytes) {
    return make_error(ErrorCode::LimitExceeded, "templatesJson: " + std::to_string(text.size()) +
                                                    " bytes; the limit is " + std::to_string(limits_.max_import_bytes) +
                                                    " bytes");
  }
  const json::value doc =
      WG_TRY_CTX(parse_json_text(text, JsonTextLimits{limits_.max_import_bytes, 32}), "templatesJson");
  const json::array* entries = doc.if_array();
  if (const json::object* obj = doc.if_object()) {
    for (const auto& member : *obj) {
      if (member.key() != "templates") {
        return invalid("templatesJson: unknown key " + quoted(std::string_view(member.key())) +
                       "; expected an array of templates or {\"templates\": [...]}");
      }
    }
    const json::value* inner = obj->if_contains("templates");
    entries = inner ? inner->if_array() : nullptr;
  }
  if (entries == nullptr) {
    return invalid("templatesJson: expected an array of templates or {\"templates\": [...]}");
  }
  if (entries->size() > limits_.max_import_templates) {
    return make_error(ErrorCode::LimitExceeded, "templatesJson: " + std::to_string(entries->size()) +
                                                    " templates; the limit is " +
                                                    std::to_string(limits_.max_import_templates) + " per import");
  }
  std::vector<Template> parsed;
  parsed.reserve(entries->size());
  std::map<std::string, std::size_t, std::less<>> first_index;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string path = "templates[" + std::to_string(i) + "]";
    Template t = WG_TRY(parse_custom_template((*entries)[i], path));
    auto [it, inserted] = first_index.emplace(t.id, i);
    if (!inserted) {
      return invalid(path + ".id: " + quoted(t.id) + " appears twice (also templates[" + std::to_string(it->second) +
                     "])");
    }
    parsed.push_back(std::move(t));
  }

  std::lock_guard lock(mutex_);
  ImportResult result;
  std::size_t added = 0;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    WG_TRY(check_custom_id_locked(parsed[i], "templates[" + std::to_string(i) + "]"));
    if (customs_.contains(parsed[i].id)) {
      ++result.replaced;
    } else {
      ++added;
    }
  }
  if (customs_.size() + added > limits_.max_custom_templates) {
    return make_error(ErrorCode::LimitExceeded, "importing " + std::to_string(added) + " new templates would make " +
                                                    std::to_string(customs_.size() + added) +
                                                    " custom templates; the limit is " +
                                                    std::to_string(limits_.max_custom_templates));
  }
  std::vector<std::pair<std::string, std::string>> rows;
  rows.reserve(parsed.size());
  for (const Template& t : parsed) rows.emplace_back(t.id, serialize_template(t));
  WG_TRY(store_.put_custom_templates(rows));
  for (Template& t : parsed) {
    result.ids.push_back(t.id);
    customs_.insert_or_assign(t.id, std::move(t));
  }
  result.imported = parsed.size();
  return result;
}

json::array Gallery::export_custom() const {
  std::lock_guard lock(mutex_);
  json::array out;
  for (const auto& [id, t] : customs_) out.push_back(template_to_json(t));
  return out;
}

Status Gallery::write_active_locked(const std::optional<Active>& active) {
  if (!active) return store_.put_setting(kActiveSettingKey, "null");
  json::object setting;
  setting["id"] = active->id;
  setting["config"] = overrides_to_json(active->overrides);
  return store_.put_setting(kActiveSettingKey, json::serialize(setting));
}

Result<std::string> Gallery::set_active(std::string_view id) {
  std::lock_guard lock(mutex_);
  const std::string canonical = WG_TRY(resolve_locked(id));
  Active next{canonical, {}};
  if (active_ && active_->id == canonical) next.overrides = active_->overrides;
  WG_TRY(write_active_locked(next));
  active_ = std::move(next);
  return canonical;
}

Status Gallery::clear_active() {
  std::lock_guard lock(mutex_);
  WG_TRY(write_active_locked(std::nullopt));
  active_.reset();
  return ok();
}

std::optional<std::string> Gallery::active() const {
  std::lock_guard lock(mutex_);
  if (!active_) return std::nullopt;
  return active_->id;
}

Result<Template> Gallery::configure(const json::value& overrides) {
  std::lock_guard lock(mutex_);
  if (!active_) {
    return invalid("no template is active, so there is nothing to configure; make a template active first");
  }
  const OverridesPatch patch = WG_TRY(parse_overrides_patch(overrides, "config"));
  Active next{active_->id, apply_patch(active_->overrides, patch)};
  const Template* base = find_locked(next.id);
  WG_CHECK(base != nullptr);  // active_ always names an existing template
  Template effective = apply_overrides(*base, next.overrides);
  WG_TRY(validate_template(effective, "config"));
  WG_TRY(write_active_locked(next));
  active_ = std::move(next);
  return effective;
}

json::object Gallery::config() const {
  std::lock_guard lock(mutex_);
  if (!active_) return {};
  return overrides_to_json(active_->overrides);
}

Result<Template> Gallery::effective(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const std::string canonical = WG_TRY(resolve_locked(id));
  const Template* t = find_locked(canonical);
  if (active_ && active_->id == canonical) return apply_overrides(*t, active_->overrides);
  return *t;
}

}  // namespace wg::gallery
