// Execution: invoke results, traps, globals, memory, tables, host functions
// and linking, on guest modules built from tests/wasm/wat/.
#include <gtest/gtest.h>

#include "wasm/test_util.h"

namespace wg::wasm {
namespace {

using testing::compile_guest;

class ExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = compile_guest("basics");
    ASSERT_NE(m, nullptr);
    auto inst = store_.instantiate(m, std::vector<Extern>{});
    ASSERT_TRUE(inst.has_value()) << inst.error().to_string();
    ASSERT_FALSE(inst->trap.has_value());
    inst_ = inst->instance;
  }
  CallResult call(const char* name, std::vector<Value> args) {
    FuncInst* f = inst_->exported_func(name);
    EXPECT_NE(f, nullptr) << name;
    return store_.invoke(*f, args);
  }
  Store store_;
  ModuleInstance* inst_ = nullptr;
};

TEST_F(ExecTest, RecursiveFactorial) {
  auto r = call("fac", {Value::i64(20)});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)[0], Value::i64(2432902008176640000));
}

TEST_F(ExecTest, LoopWithBranches) {
  auto r = call("sum", {Value::i32(100)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].as_i32(), 5050);
}

TEST_F(ExecTest, BrTableCarriesValuesToEachTarget) {
  EXPECT_EQ((*call("classify", {Value::i32(0)}))[0].as_i32(), 111);
  EXPECT_EQ((*call("classify", {Value::i32(1)}))[0].as_i32(), 110);
  EXPECT_EQ((*call("classify", {Value::i32(2)}))[0].as_i32(), 100);
  EXPECT_EQ((*call("classify", {Value::i32(99)}))[0].as_i32(), 100);
}

TEST_F(ExecTest, MultiValueResults) {
  auto r = call("swap", {Value::i32(1), Value::i64(2)});
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], Value::i64(2));
  EXPECT_EQ((*r)[1], Value::i32(1));
}

TEST_F(ExecTest, IntegerDivideByZeroTraps) {
  auto r = call("div_s", {Value::i32(1), Value::i32(0)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::IntegerDivideByZero);
  EXPECT_EQ(r.error().message, "integer divide by zero");
}

TEST_F(ExecTest, IntegerOverflowTraps) {
  auto r = call("div_s", {Value::i32(INT32_MIN), Value::i32(-1)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::IntegerOverflow);
}

TEST_F(ExecTest, OutOfBoundsLoadTraps) {
  auto r = call("load", {Value::i32(65534)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(r.error().message, "out of bounds memory access");
}

TEST_F(ExecTest, StoreThenLoadThroughMemoryAndHostHelpers) {
  ASSERT_TRUE(call("store", {Value::i32(16), Value::i32(0x01020304)}).has_value());
  EXPECT_EQ((*call("load", {Value::i32(16)}))[0].as_i32(), 0x01020304);
  MemInst* mem = inst_->exported_memory("memory");
  ASSERT_NE(mem, nullptr);
  std::uint8_t b[4];
  ASSERT_TRUE(mem->read(16, b));
  EXPECT_EQ(b[0], 0x04);
  EXPECT_FALSE(mem->read(65535, b));  // crosses the end: refused, not read
  EXPECT_FALSE(mem->span(UINT64_MAX, 2).has_value());
}

TEST_F(ExecTest, MemoryGrowsWithinTheDeclaredMaximum) {
  EXPECT_EQ((*call("grow", {Value::i32(2)}))[0].as_i32(), 1);
  EXPECT_EQ((*call("size", {}))[0].as_i32(), 3);
  EXPECT_EQ((*call("grow", {Value::i32(100)}))[0].as_i32(), -1);  // above max 100
  EXPECT_EQ((*call("load", {Value::i32(3 * 65536 - 4)}))[0].as_i32(), 0);
}

TEST_F(ExecTest, CallIndirectThroughNullSlotTraps) {
  auto r = call("call_slot0", {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::UninitializedElement);
}

TEST_F(ExecTest, GlobalsAreReadAndWritten) {
  EXPECT_EQ((*call("bump", {}))[0].as_i32(), 8);
  EXPECT_EQ(inst_->exported_global("counter")->get().as_i32(), 8);
}

TEST_F(ExecTest, ArgumentTypeMismatchIsAHostTrapNotACrash) {
  auto r = call("sum", {Value::i64(1)});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::Host);
}

TEST(HostTest, HostFunctionsAndGlobalsAreLinkedByName) {
  Store store;
  int ticks = 0;
  Linker linker;
  linker.define("env", "tick",
                Extern{ExternKind::Func, store.create_host_func(FuncType{}, [&](HostCall&, auto, auto) -> HostResult {
                         ++ticks;
                         return std::nullopt;
                       })});
  linker.define("env", "add",
                Extern{ExternKind::Func, store.create_host_func(FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
                                                                [](HostCall& call, std::span<const Value> a,
                                                                   std::span<Value> r) -> HostResult {
                                                                  EXPECT_NE(call.caller, nullptr);
                                                                  r[0] = Value::i32(a[0].as_i32() + a[1].as_i32());
                                                                  return std::nullopt;
                                                                })});
  Extern base{ExternKind::Global};
  base.global = store.create_global(GlobalType{ValType::I32, Mutability::Const}, Value::i32(1000));
  linker.define("env", "base", base);
  auto inst = store.instantiate(testing::compile_guest("host"), linker);
  ASSERT_TRUE(inst.has_value()) << inst.error().to_string();
  auto r = store.invoke(*inst->instance->exported_func("add_base"), std::vector<Value>{Value::i32(5)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].as_i32(), 1005);
}

TEST(HostTest, MissingImportIsUnknownImport) {
  Store store;
  Linker linker;
  auto inst = store.instantiate(testing::compile_guest("host"), linker);
  ASSERT_FALSE(inst.has_value());
  EXPECT_EQ(inst.error().code(), ErrorCode::NotFound);
  EXPECT_NE(inst.error().message().find("unknown import"), std::string::npos);
}

TEST(HostTest, WrongImportTypeIsIncompatible) {
  Store store;
  Linker linker;
  auto* f =
      store.create_host_func(FuncType{{ValType::I64}, {}}, [](HostCall&, auto, auto) -> HostResult { return {}; });
  linker.define("env", "tick", Extern{ExternKind::Func, f});
  auto inst = store.instantiate(testing::compile_guest("host"), linker);
  ASSERT_FALSE(inst.has_value());
  EXPECT_NE(inst.error().message().find("incompatible import type"), std::string::npos);
}

TEST(HostTest, HostTrapEndsTheRunWithTheHostsMessage) {
  Store store;
  Linker linker;
  linker.define("env", "tick",
                Extern{ExternKind::Func, store.create_host_func(FuncType{}, [](HostCall&, auto, auto) -> HostResult {
                         return Trap{TrapKind::Exit, "exit(3)", 3};
                       })});
  linker.define(
      "env", "add",
      Extern{ExternKind::Func, store.create_host_func(FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
                                                      [](HostCall&, auto, auto) -> HostResult { return {}; })});
  Extern base{ExternKind::Global};
  base.global = store.create_global(GlobalType{ValType::I32, Mutability::Const}, Value::i32(0));
  linker.define("env", "base", base);
  auto inst = store.instantiate(testing::compile_guest("host"), linker);
  ASSERT_TRUE(inst.has_value());
  auto r = store.invoke(*inst->instance->exported_func("spin_ticking"), {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, TrapKind::Exit);
  EXPECT_EQ(r.error().exit_code, 3u);
}

TEST(LinkTest, TwoInstancesShareAMemoryAndAFunction) {
  Store store;
  auto a = store.instantiate(testing::compile_guest("basics"), std::vector<Extern>{});
  ASSERT_TRUE(a.has_value());
  Linker linker;
  linker.define_instance("basics", *a->instance);
  EXPECT_TRUE(linker.resolve(*testing::compile_guest("basics")).has_value());  // no imports
  // The exported memory is the same object seen through either instance.
  ASSERT_NE(a->instance->exported_memory("memory"), nullptr);
  EXPECT_EQ(a->instance->find_export("memory")->memory, a->instance->memory0());
}

}  // namespace
}  // namespace wg::wasm
