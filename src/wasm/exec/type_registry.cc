#include "wasm/exec/type_registry.h"

#include <map>
#include <mutex>

namespace wg::wasm {
namespace {

struct Key {
  std::vector<ValType> params, results;
  bool operator<(const Key& o) const { return std::tie(params, results) < std::tie(o.params, o.results); }
};

}  // namespace

std::uint32_t intern_type(const FuncType& type) {
  static std::mutex mu;
  static std::map<Key, std::uint32_t>* ids = new std::map<Key, std::uint32_t>();  // guarded by mu; never freed
  std::lock_guard lock(mu);
  auto [it, inserted] = ids->try_emplace(Key{type.params, type.results}, static_cast<std::uint32_t>(ids->size()));
  return it->second;
}

}  // namespace wg::wasm
