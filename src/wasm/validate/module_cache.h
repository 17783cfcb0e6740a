// A cache of compiled modules keyed by the SHA-256 digest of their bytes
// and the compile options that change the compiled form.
//
// Contract: get_or_compile() returns the cached CompiledModule when the same
// bytes were compiled with the same NaN mode, otherwise compiles (decode +
// validate + compile) and caches the result. Errors are not cached. When
// more than `capacity` modules are cached, the least recently used one is
// dropped (instances keep their shared_ptr alive).
// Thread-safety: all members may be called from any thread; a mutex guards
// the map (compilation runs outside the lock, so two threads may compile the
// same bytes once each; the first result wins).
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <utility>

#include "base/sha256.h"
#include "wasm/validate/compiler.h"

namespace wg::wasm {

class ModuleCache {
 public:
  explicit ModuleCache(std::size_t capacity = 64) : capacity_(capacity) {}

  Result<std::shared_ptr<const CompiledModule>> get_or_compile(std::span<const std::uint8_t> bytes,
                                                               const CompileOptions& options = {});
  std::size_t size() const;
  std::size_t hits() const;

 private:
  using Key = std::pair<Sha256Digest, NanMode>;
  struct Entry {
    std::shared_ptr<const CompiledModule> module;
    std::list<Key>::iterator lru;
  };
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::map<Key, Entry> entries_;  // guarded by mu_
  std::list<Key> lru_;            // guarded by mu_; front = most recent
  std::size_t hits_ = 0;          // guarded by mu_
};

}  // namespace wg::wasm
