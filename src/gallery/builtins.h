// The built-in agent templates, compiled into the binary (never read from
// disk), and the aliases that resolve to them ("swarm" -> "orchestrator").
//
// Contract: the list order is the order Gallery::list() shows; every entry
// passes validate_template(); ids and aliases are unique and disjoint
// (tests/gallery checks both). Built-ins have custom = false.
// Thread-safety: the data is built once, immutable afterwards.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "gallery/template.h"

namespace wg::gallery {

struct TemplateAlias {
  std::string_view alias;
  std::string_view target;
};

std::span<const Template> builtin_templates();
std::span<const TemplateAlias> builtin_aliases();

// The built-in with this id (aliases not resolved), or nullptr.
const Template* find_builtin(std::string_view id);
// The target of an alias, or nullopt.
std::optional<std::string_view> resolve_alias(std::string_view id);

}  // namespace wg::gallery
