// Sandbox limits: each ends the run with its own trap kind or result, and
// the determinism switch makes NaN results bit-identical.
#include <gtest/gtest.h>

#include <atomic>

#include "wasm/test_util.h"

namespace wg::wasm {
namespace {

using testing::compile_guest;

ModuleInstance* instantiate(Store& store, const char* name = "basics", CompileOptions opt = {}) {
  auto inst = store.instantiate(compile_guest(name, opt), std::vector<Extern>{});
  EXPECT_TRUE(inst.has_value()) << (inst ? "" : inst.error().to_string());
  return inst ? inst->instance : nullptr;
}

TEST(LimitsTest, FuelRunsOutInAnInfiniteLoop) {
  StoreLimits limits;
  limits.fuel = 10'000;
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  auto r = store.invoke(*inst->exported_func("spin"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::OutOfFuel);
  EXPECT_EQ(store.fuel_remaining(), 0u);
}

TEST(LimitsTest, FuelIsDeterministicAndChargedPerBlock) {
  auto used = [] {
    StoreLimits limits;
    limits.fuel = 1'000'000;
    Store store(limits);
    ModuleInstance* inst = instantiate(store);
    auto r = store.invoke(*inst->exported_func("sum"), std::vector<Value>{Value::i32(100)});
    EXPECT_TRUE(r.has_value());
    return 1'000'000 - store.fuel_remaining();
  };
  const std::uint64_t a = used();
  EXPECT_EQ(a, used());
  EXPECT_GT(a, 100u * 5);  // at least the loop body's instructions per iteration
}

TEST(LimitsTest, RefilledFuelLetsTheNextCallRun) {
  StoreLimits limits;
  limits.fuel = 5;
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  EXPECT_FALSE(store.invoke(*inst->exported_func("sum"), std::vector<Value>{Value::i32(1000)}).has_value());
  store.set_fuel(1'000'000);
  EXPECT_TRUE(store.invoke(*inst->exported_func("sum"), std::vector<Value>{Value::i32(1000)}).has_value());
}

TEST(LimitsTest, DeepRecursionIsCallStackExhaustedNotAHostCrash) {
  StoreLimits limits;
  limits.max_call_depth = 1'000'000;  // the value stack runs out first
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  auto r = store.invoke(*inst->exported_func("recurse"), std::vector<Value>{Value::i32(0)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::CallStackExhausted);
  EXPECT_EQ(r.error().message, "call stack exhausted");
}

TEST(LimitsTest, CallDepthLimitIsEnforced) {
  StoreLimits limits;
  limits.max_call_depth = 50;
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  EXPECT_TRUE(store.invoke(*inst->exported_func("fac"), std::vector<Value>{Value::i64(40)}).has_value());
  auto r = store.invoke(*inst->exported_func("fac"), std::vector<Value>{Value::i64(60)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::CallStackExhausted);
  // The store is usable again after the trap.
  EXPECT_TRUE(store.invoke(*inst->exported_func("fac"), std::vector<Value>{Value::i64(3)}).has_value());
}

TEST(LimitsTest, InterruptFlagStopsARunningLoop) {
  std::atomic<bool> interrupt{false};
  StoreLimits limits;
  limits.interrupt = &interrupt;
  Store store(limits);
  int ticks = 0;
  Linker linker;
  // The host raises the flag on its tenth call, as a watchdog thread would.
  linker.define("env", "tick",
                Extern{ExternKind::Func, store.create_host_func(FuncType{}, [&](HostCall&, auto, auto) -> HostResult {
                         if (++ticks == 10) interrupt.store(true);
                         return std::nullopt;
                       })});
  linker.define(
      "env", "add",
      Extern{ExternKind::Func, store.create_host_func(FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
                                                      [](HostCall&, auto, auto) -> HostResult { return {}; })});
  Extern base{ExternKind::Global};
  base.global = store.create_global(GlobalType{ValType::I32, Mutability::Const}, Value::i32(0));
  linker.define("env", "base", base);
  auto inst = store.instantiate(compile_guest("host"), linker);
  ASSERT_TRUE(inst.has_value());
  auto r = store.invoke(*inst->instance->exported_func("spin_ticking"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::Interrupted);
  EXPECT_EQ(ticks, 10);
}

TEST(LimitsTest, PassedDeadlineStopsAnInfiniteLoop) {
  StoreLimits limits;
  limits.deadline = std::chrono::steady_clock::now();  // already passed
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  auto r = store.invoke(*inst->exported_func("spin"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::DeadlineExceeded);
}

TEST(LimitsTest, MemoryGrowthStopsAtTheStoreCap) {
  StoreLimits limits;
  limits.max_memory_pages = 4;
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  FuncInst* grow = inst->exported_func("grow");
  EXPECT_EQ((*store.invoke(*grow, std::vector<Value>{Value::i32(3)}))[0].as_i32(), 1);
  EXPECT_EQ((*store.invoke(*grow, std::vector<Value>{Value::i32(1)}))[0].as_i32(), -1);
}

TEST(LimitsTest, MemoryCapCanTrapInsteadOfFailingTheGrow) {
  StoreLimits limits;
  limits.max_memory_pages = 4;
  limits.grow_failure = GrowFailure::Trap;
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  auto r = store.invoke(*inst->exported_func("grow"), std::vector<Value>{Value::i32(10)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::MemoryLimit);
}

TEST(LimitsTest, InitialMemoryAboveTheCapRefusesInstantiation) {
  StoreLimits limits;
  limits.max_memory_pages = 0;
  Store store(limits);
  auto inst = store.instantiate(compile_guest("basics"), std::vector<Extern>{});
  ASSERT_FALSE(inst.has_value());
  EXPECT_EQ(inst.error().code(), ErrorCode::LimitExceeded);
}

TEST(LimitsTest, TableGrowthStopsAtTheStoreCap) {
  StoreLimits limits;
  limits.max_table_elements = 8;
  Store store(limits);
  ModuleInstance* inst = instantiate(store);
  FuncInst* grow = inst->exported_func("table_grow");
  EXPECT_EQ((*store.invoke(*grow, std::vector<Value>{Value::i32(7)}))[0].as_i32(), 1);
  EXPECT_EQ((*store.invoke(*grow, std::vector<Value>{Value::i32(1)}))[0].as_i32(), -1);
  StoreLimits trapping = limits;
  trapping.grow_failure = GrowFailure::Trap;
  Store store2(trapping);
  ModuleInstance* inst2 = instantiate(store2);
  auto r = store2.invoke(*inst2->exported_func("table_grow"), std::vector<Value>{Value::i32(100)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::TableLimit);
}

TEST(DeterminismTest, CanonicalModeRewritesEveryArithmeticNaN) {
  CompileOptions opt;
  opt.nan_mode = NanMode::Canonical;
  Store store;
  ModuleInstance* inst = instantiate(store, "basics", opt);
  auto r = store.invoke(*inst->exported_func("f32_div"), std::vector<Value>{Value::f32(0), Value::f32(0)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].bits, 0x7FC00000u);
  // A NaN operand with a payload and the sign bit set comes out canonical.
  auto r2 = store.invoke(*inst->exported_func("f64_add"),
                         std::vector<Value>{Value::f64_bits(0xFFF0000000000123ull), Value::f64(1)});
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ((*r2)[0].bits, 0x7FF8000000000000ull);
}

TEST(DeterminismTest, NativeModeKeepsThePropagatedPayload) {
  Store store;
  ModuleInstance* inst = instantiate(store);
  auto r = store.invoke(*inst->exported_func("f64_add"),
                        std::vector<Value>{Value::f64_bits(0x7FF8000000000123ull), Value::f64(1)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].bits, 0x7FF8000000000123ull);
}

}  // namespace
}  // namespace wg::wasm
