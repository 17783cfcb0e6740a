// The template gallery: built-in templates, custom templates persisted
// through a TemplateStore, BM25 search, categories, the active template and
// its configuration overrides. This is what the wasm_gallery_* MCP tools sit
// on (wired in app/); docs/gallery.md describes the semantics.
//
// Persistence: every mutating call writes through the TemplateStore before
// it returns success; when the store fails, the in-memory state is left as
// it was and the store's error is returned. Stored rows:
//   custom template  id -> template_to_json(t) text
//   setting "gallery.active" -> {"id": "<template id>", "config": {overrides}}
//                               or null (no active template)
// open() skips a corrupt stored template row or setting with a warning
// (warnings()), never failing because of one bad row.
//
// Thread-safety: every Gallery method may be called from any thread; one
// internal mutex (mutex_) serialises them. The TemplateStore is called with
// that mutex held, so a store needs no locking of its own for one Gallery.
// Ownership: the Gallery borrows the TemplateStore, which must outlive it.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "gallery/search.h"
#include "gallery/template.h"

namespace wg::gallery {

// Where custom templates and gallery settings live. app/ adapts the SQLite
// store to it; tests use MemoryTemplateStore. Values are JSON texts the
// store never interprets. Failures are the store's (typically Io).
class TemplateStore {
 public:
  virtual ~TemplateStore() = default;
  // Every custom template row, as (id, json text), in any order.
  virtual Result<std::vector<std::pair<std::string, std::string>>> load_custom_templates() = 0;
  // Inserts or replaces every row, all or none (one transaction).
  virtual Status put_custom_templates(const std::vector<std::pair<std::string, std::string>>& rows) = 0;
  // Deletes one row; NotFound when there is none.
  virtual Status remove_custom_template(std::string_view id) = 0;
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  virtual Status put_setting(std::string_view key, std::string_view json) = 0;
};

// In-memory TemplateStore for tests and for running without a state
// directory. fail_next_writes(n) makes the next n writes fail with Io
// (tests of write-through atomicity). Thread-safety: internally locked.
class MemoryTemplateStore final : public TemplateStore {
 public:
  Result<std::vector<std::pair<std::string, std::string>>> load_custom_templates() override;
  Status put_custom_templates(const std::vector<std::pair<std::string, std::string>>& rows) override;
  Status remove_custom_template(std::string_view id) override;
  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Status put_setting(std::string_view key, std::string_view json) override;

  // Test hooks: raw row access (to plant corrupt rows) and write failures.
  void put_raw(std::string id, std::string json);
  std::size_t template_count() const;
  void fail_next_writes(std::size_t n);

 private:
  Status maybe_fail();
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::string, std::string, std::less<>> templates_;
  std::map<std::string, std::string, std::less<>> settings_;
  std::size_t failing_writes_ = 0;
};

struct GalleryLimits {
  std::size_t max_import_bytes = 1024 * 1024;  // import_custom payload
  std::size_t max_import_templates = 256;      // entries per import
  std::size_t max_custom_templates = 1000;     // customs in total
  std::size_t default_search_limit = 10;
  std::size_t max_search_limit = 100;
};

struct CategoryCount {
  std::string name;
  std::size_t count = 0;
  friend bool operator==(const CategoryCount&, const CategoryCount&) = default;
};

struct ScoredTemplate {
  Template tmpl;
  double score = 0;
};

struct AddResult {
  Template tmpl;
  bool replaced = false;  // a custom template with this id existed before
};

struct ImportResult {
  std::size_t imported = 0;
  std::size_t replaced = 0;  // of those, how many replaced existing customs
  std::vector<std::string> ids;
};

inline constexpr std::string_view kActiveSettingKey = "gallery.active";

class Gallery {
 public:
  // Loads custom templates and the active setting from `store`. Fails only
  // when the store itself fails; bad rows become warnings().
  static Result<std::unique_ptr<Gallery>> open(TemplateStore& store, GalleryLimits limits = {});

  Gallery(const Gallery&) = delete;
  Gallery& operator=(const Gallery&) = delete;

  // Problems found by open(): skipped rows, ignored settings.
  std::vector<std::string> warnings() const;

  // Built-ins in their fixed order, then customs by id.
  std::vector<Template> list() const;
  // By id or alias ("swarm"). NotFound names the nearest ids.
  Result<Template> get(std::string_view id) const;
  // The canonical id `id` resolves to (alias -> target), or NotFound.
  Result<std::string> resolve(std::string_view id) const;
  // BM25 search (gallery/search.h); limit 0 means default_search_limit,
  // above max_search_limit is Invalid.
  Result<std::vector<ScoredTemplate>> search(std::string_view query, std::size_t limit = 0) const;
  // Every category with its template count, sorted by name.
  std::vector<CategoryCount> categories() const;
  // Templates of one category in list() order; NotFound (naming the known
  // categories) when no template has it.
  Result<std::vector<Template>> list_by_category(std::string_view category) const;

  // Adds or replaces a custom template. Invalid when the JSON breaks a rule
  // or the id is a built-in or an alias; LimitExceeded past
  // max_custom_templates.
  Result<AddResult> add_custom(const boost::json::value& json);
  // Removes a custom template (and clears the active setting when it was
  // the active one). Invalid for a built-in or alias; NotFound otherwise.
  Status remove_custom(std::string_view id);
  // Imports a JSON array of templates, or {"templates": [...]}. All or
  // nothing: every entry is validated (and ids checked for clashes and
  // duplicates) before anything is stored. Malformed for bad JSON text,
  // LimitExceeded over max_import_bytes / max_import_templates, Invalid
  // naming the entry ("templates[3]: ...") otherwise.
  Result<ImportResult> import_custom(std::string_view templates_json);
  // Every custom template, by id, as an array import_custom accepts.
  boost::json::array export_custom() const;

  // Makes `id` (or the alias' target) the active template and returns the
  // canonical id. Choosing a different template drops the overrides;
  // choosing the same one keeps them.
  Result<std::string> set_active(std::string_view id);
  Status clear_active();
  std::optional<std::string> active() const;

  // Merges an overrides object into the active template's configuration
  // (parse_overrides_patch: strict keys, null removes an override) and
  // returns the effective template. Invalid when no template is active.
  Result<Template> configure(const boost::json::value& overrides);
  // The current overrides as JSON ({} when none or no active template).
  boost::json::object config() const;
  // The template with the overrides applied when it is the active one;
  // otherwise the same as get().
  Result<Template> effective(std::string_view id) const;

 private:
  Gallery(TemplateStore& store, GalleryLimits limits);

  struct Active {
    std::string id;
    TemplateOverrides overrides;
  };

  // Helpers below require mutex_ held.
  const Template* find_locked(std::string_view id) const;
  Result<std::string> resolve_locked(std::string_view id) const;
  std::vector<const Template*> all_locked() const;
  Error not_found_locked(std::string_view id) const;
  Status check_custom_id_locked(const Template& t, std::string_view path) const;
  Status write_active_locked(const std::optional<Active>& active);

  TemplateStore& store_;
  const GalleryLimits limits_;
  mutable std::mutex mutex_;  // guards customs_, active_, warnings_
  std::map<std::string, Template, std::less<>> customs_;
  std::optional<Active> active_;
  std::vector<std::string> warnings_;
};

}  // namespace wg::gallery
