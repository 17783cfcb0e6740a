// The reactor host (wasi/reactor.h) against a tiny reactor written in
// tests/wasi/wat/reactor.wat, and the handle table.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "wasi/reactor.h"

namespace wg::wasi {
namespace {

std::shared_ptr<const wasm::CompiledModule> compile_wat(const std::string& name) {
  std::ifstream in(std::string(WG_WASI_WAT_DIR) + "/" + name + ".wasm", std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto m = wasm::compile(bytes);
  EXPECT_TRUE(m) << m.error().to_string();
  return m ? *m : nullptr;
}

class ReactorTest : public ::testing::Test {
 protected:
  // A run of reactor.wat with env.note recording what the guest reports.
  std::unique_ptr<GuestRun> make_run() {
    auto run = GuestRun::create(vfs_, RunOptions{});
    EXPECT_TRUE(run);
    (*run)->define("env", "note", wasm::FuncType{{wasm::ValType::I32}, {}},
                   [this](wasm::HostCall&, std::span<const wasm::Value> args, std::span<wasm::Value>) {
                     notes_.push_back(static_cast<std::uint32_t>(args[0].bits));
                     return wasm::HostResult{};
                   });
    return std::move(*run);
  }

  vfs::Vfs vfs_;
  std::vector<std::uint32_t> notes_;
};

TEST_F(ReactorTest, InitializeRunsBeforeExportsAndDefinedImportsLink) {
  auto run = make_run();
  auto reactor = Reactor::start(*run, compile_wat("reactor"));
  ASSERT_TRUE(reactor) << reactor.error().to_string();
  ASSERT_TRUE(*reactor);
  auto r = (*reactor)->call("check-init", {});
  ASSERT_TRUE(r);
  ASSERT_TRUE(*r);
  EXPECT_EQ((**r)[0].as_i32(), 1);
}

TEST_F(ReactorTest, StringIsCopiedIntoAGuestAllocation) {
  auto run = make_run();
  auto reactor = std::move(*Reactor::start(*run, compile_wat("reactor")));
  ASSERT_TRUE(reactor);
  auto s = reactor->lower_string("abc");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->len, 3u);
  const wasm::Value args[] = {wasm::Value::i32(static_cast<std::int32_t>(s->ptr)), wasm::Value::i32(3)};
  auto r = reactor->call("byte-sum: func(s: string) -> u32", args);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((**r)[0].as_i32(), 'a' + 'b' + 'c');
  EXPECT_EQ(notes_, std::vector<std::uint32_t>{'a' + 'b' + 'c'});
}

TEST_F(ReactorTest, StringListIsAnAlignedArrayOfPointerLengthPairs) {
  auto run = make_run();
  auto reactor = std::move(*Reactor::start(*run, compile_wat("reactor")));
  ASSERT_TRUE(reactor);
  (void)reactor->lower_string("x");  // leave the bump pointer unaligned
  const std::vector<std::string> list = {"one", "", "three"};
  auto l = reactor->lower_strings(list);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->len, 3u);
  EXPECT_EQ(l->ptr % 4, 0u);
  const wasm::Value args[] = {wasm::Value::i32(static_cast<std::int32_t>(l->ptr)), wasm::Value::i32(3)};
  auto r = reactor->call("list-shape: func(l: list<string>) -> u32", args);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((**r)[0].as_i32(), 3 * 1000 + 8);
  auto first_ptr = reactor->load_u32(l->ptr, "test");
  ASSERT_TRUE(first_ptr);
  auto bytes = reactor->memory().span(*first_ptr, 3);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "one");
}

TEST_F(ReactorTest, AllocatorReturningMemoryOutsideEndsTheRunWithAHostTrap) {
  auto run = make_run();
  auto reactor = std::move(*Reactor::start(*run, compile_wat("reactor")));
  ASSERT_TRUE(reactor);
  ASSERT_TRUE(*reactor->call("bad_realloc", {}));
  EXPECT_FALSE(reactor->lower_string("0123456789"));
  EXPECT_TRUE(run->ended());
  RunResult result = run->finish();
  EXPECT_EQ(result.status, RunStatus::Trapped);
  ASSERT_TRUE(result.trap);
  EXPECT_NE(result.trap->message.find("cabi_realloc returned 65530"), std::string::npos) << result.trap->message;
}

TEST_F(ReactorTest, CallRefusesUnknownExportsAndWrongArguments) {
  auto run = make_run();
  auto reactor = std::move(*Reactor::start(*run, compile_wat("reactor")));
  ASSERT_TRUE(reactor);
  auto missing = reactor->call("nope", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  const wasm::Value one[] = {wasm::Value::i32(1)};
  auto wrong = reactor->call("check-init", one);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::Invalid);
  EXPECT_FALSE(run->ended());
}

TEST_F(ReactorTest, CommandModuleIsNotAReactor) {
  auto run = GuestRun::create(vfs_, RunOptions{});
  ASSERT_TRUE(run);
  auto reactor = Reactor::start(**run, compile_wat("command"));
  ASSERT_FALSE(reactor);
  EXPECT_EQ(reactor.error().code(), ErrorCode::Invalid);
}

TEST_F(ReactorTest, UndefinedImportStillFailsToLink) {
  auto run = GuestRun::create(vfs_, RunOptions{});  // env.note not defined
  ASSERT_TRUE(run);
  auto reactor = Reactor::start(**run, compile_wat("reactor"));
  ASSERT_FALSE(reactor);
  EXPECT_EQ(reactor.error().code(), ErrorCode::NotFound);
  EXPECT_NE(reactor.error().message().find("env"), std::string::npos);
}

TEST(HandleTableTest, HandlesAreReusedAfterRemovalAndBoundedByCapacity) {
  HandleTable t(2);
  auto a = t.insert(100);
  auto b = t.insert(200);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_FALSE(t.insert(300));  // full
  EXPECT_EQ(t.get(*b), 200u);
  EXPECT_EQ(t.remove(*a), 100u);
  EXPECT_FALSE(t.get(*a));
  EXPECT_FALSE(t.remove(*a));  // twice
  auto c = t.insert(300);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, *a);
  EXPECT_EQ(t.get(*c), 300u);
  EXPECT_EQ(t.live(), 2u);
  EXPECT_FALSE(t.get(12345));
}

}  // namespace
}  // namespace wg::wasi
