// Any byte string given as a module yields a module or a clean error that
// names an offset: truncations and deterministic random mutations of a real
// module. Modules that still compile are run under fuel so nothing hangs.
#include <gtest/gtest.h>

#include <random>

#include "wasm/test_util.h"

namespace wg::wasm {
namespace {

void expect_clean(const std::vector<std::uint8_t>& bytes, std::size_t* compiled) {
  auto m = compile(bytes);
  if (!m) {
    EXPECT_FALSE(m.error().message().empty());
    EXPECT_NE(m.error().message().find("offset"), std::string::npos) << m.error().to_string();
    return;
  }
  ++*compiled;
  StoreLimits limits;
  limits.fuel = 20'000;
  limits.max_memory_pages = 16;
  limits.max_table_elements = 1000;
  Store store(limits);
  auto inst = store.instantiate(*m, Linker{});  // imports stay unresolved: a clean error
  if (!inst || inst->trap) return;
  for (const Export& e : (*m)->module().exports) {
    if (e.kind != ExternKind::Func) continue;
    FuncInst* f = inst->instance->exported_func(e.name);
    std::vector<Value> args;
    for (ValType t : f->type->params) args.push_back(Value{t, 0});
    (void)store.invoke(*f, args);  // any result or trap is fine; a crash is not
    store.set_fuel(20'000);
  }
}

TEST(RobustnessTest, EveryTruncationGivesACleanError) {
  auto bytes = testing::read_guest("basics");
  ASSERT_GT(bytes.size(), 100u);
  std::size_t compiled = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    expect_clean(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)), &compiled);
  }
  EXPECT_LT(compiled, bytes.size());
}

TEST(RobustnessTest, RandomMutationsGiveACleanErrorOrAWorkingModule) {
  auto bytes = testing::read_guest("basics");
  std::mt19937 rng(12345);  // fixed seed: the same mutations every run
  std::size_t compiled = 0;
  for (int i = 0; i < 3000; ++i) {
    auto m = bytes;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = rng() % m.size();
      switch (rng() % 4) {
        case 0: m[at] = static_cast<std::uint8_t>(rng()); break;
        case 1: m[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
        case 2: m.erase(m.begin() + static_cast<std::ptrdiff_t>(at)); break;
        default: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng())); break;
      }
      if (m.empty()) m.push_back(0);
    }
    expect_clean(m, &compiled);
  }
  // Some mutations (e.g. in constants) leave a valid module that then ran.
  EXPECT_GT(compiled, 0u);
}

}  // namespace
}  // namespace wg::wasm
