#include "wasm/validate/module_cache.h"

namespace wg::wasm {

Result<std::shared_ptr<const CompiledModule>> ModuleCache::get_or_compile(std::span<const std::uint8_t> bytes,
                                                                          const CompileOptions& options) {
  const Key key{Sha256::digest(bytes), options.nan_mode};
  {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      ++hits_;
      return it->second.module;
    }
  }
  auto compiled = WG_TRY(compile(bytes, options));
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) return it->second.module;
  lru_.push_front(key);
  entries_.emplace(key, Entry{compiled, lru_.begin()});
  while (entries_.size() > capacity_ && !lru_.empty()) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  return compiled;
}

std::size_t ModuleCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::size_t ModuleCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

}  // namespace wg::wasm
