// The preview1 table and its handlers, called directly with a real linear
// memory: pointer checks, errnos and effects on the context.
#include "wasi/functions.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace wg::wasi {
namespace {

using wasm::Value;

class FunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(vfs_.mkdir(vfs_.root(), "/sandbox"));
    config_.preopens = {{"/sandbox", "/sandbox"}};
    config_.args = {"prog", "a1"};
    config_.clock = ClockMode::Deterministic;
    auto ctx = WasiContext::create(vfs_, config_);
    ASSERT_TRUE(ctx);
    ctx_ = std::move(*ctx);
    auto mem = store_.create_memory(wasm::MemType{wasm::Limits{1, 1}});
    ASSERT_TRUE(mem);
    mem_ = *mem;
  }
  Outcome call(std::string_view name, std::vector<Value> args) {
    for (const FunctionRow& row : function_table()) {
      if (row.name == name) {
        GuestMemory gm(*mem_);
        return row.handler(*ctx_, gm, args);
      }
    }
    ADD_FAILURE() << "no row " << name;
    return errno_::kNosys;
  }
  void poke(std::uint32_t addr, std::string_view bytes) { std::memcpy(mem_->data + addr, bytes.data(), bytes.size()); }
  void poke32(std::uint32_t addr, std::uint32_t v) { std::memcpy(mem_->data + addr, &v, 4); }
  std::uint32_t peek32(std::uint32_t addr) {
    std::uint32_t v;
    std::memcpy(&v, mem_->data + addr, 4);
    return v;
  }
  static Value i32(std::uint32_t v) { return Value::i32(static_cast<std::int32_t>(v)); }
  static Value i64(std::uint64_t v) { return Value::i64(static_cast<std::int64_t>(v)); }

  vfs::Vfs vfs_;
  WasiConfig config_;
  std::unique_ptr<WasiContext> ctx_;
  wasm::Store store_;
  wasm::MemInst* mem_ = nullptr;
};

TEST(FunctionTableTest, HasEveryPreview1FunctionOnceInNameOrder) {
  const std::set<std::string> expected = {
      "args_get", "args_sizes_get", "clock_res_get", "clock_time_get", "environ_get", "environ_sizes_get",
      "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
      "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
      "fd_prestat_dir_name", "fd_prestat_get", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
      "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
      "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
      "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "random_get", "sched_yield", "sock_accept",
      "sock_recv", "sock_send", "sock_shutdown"};
  std::set<std::string> got;
  std::string previous;
  for (const FunctionRow& row : function_table()) {
    EXPECT_LT(previous, std::string(row.name));
    previous = row.name;
    got.insert(std::string(row.name));
  }
  EXPECT_EQ(got, expected);
}

TEST(FunctionTableTest, SignaturesFollowTheWitx) {
  for (const FunctionRow& row : function_table()) {
    const wasm::FuncType t = function_type(row);
    if (row.name == "proc_exit") {
      EXPECT_TRUE(t.results.empty());
    } else {
      EXPECT_EQ(t.results, std::vector<wasm::ValType>{wasm::ValType::I32}) << row.name;
    }
    if (row.name == "path_open") {
      EXPECT_EQ(t.params.size(), 9u);
      EXPECT_EQ(t.params[5], wasm::ValType::I64);
    }
  }
}

TEST_F(FunctionsTest, FdWriteGathersIovecsIntoStdout) {
  poke(100, "hello ");
  poke(200, "world");
  poke32(0, 100);
  poke32(4, 6);
  poke32(8, 200);
  poke32(12, 5);
  auto r = call("fd_write", {i32(1), i32(0), i32(2), i32(300)});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, errno_::kSuccess);
  EXPECT_EQ(peek32(300), 11u);
  EXPECT_EQ(ctx_->stdout_data(), "hello world");
}

TEST_F(FunctionsTest, BadPointersGiveFaultAndChangeNothing) {
  poke32(0, 65530);  // buffer runs past the 64 KiB memory
  poke32(4, 100);
  EXPECT_EQ(*call("fd_write", {i32(1), i32(0), i32(1), i32(300)}), errno_::kFault);
  EXPECT_EQ(*call("fd_write", {i32(1), i32(0xFFFFFFF8u), i32(1), i32(300)}), errno_::kFault);
  poke32(0, 100);
  poke32(4, 1);
  EXPECT_EQ(*call("fd_write", {i32(1), i32(0), i32(1), i32(65535)}), errno_::kFault);  // nwritten straddles the end
  EXPECT_TRUE(ctx_->stdout_data().empty());
  EXPECT_EQ(*call("args_sizes_get", {i32(65534), i32(0)}), errno_::kFault);
  EXPECT_EQ(*call("clock_time_get", {i32(0), i64(0), i32(65530)}), errno_::kFault);
}

TEST_F(FunctionsTest, IovecCountOverTheLimitIsInval) {
  EXPECT_EQ(*call("fd_write", {i32(1), i32(0), i32(1025), i32(300)}), errno_::kInval);
}

TEST_F(FunctionsTest, ArgsAreLaidOutAsNulTerminatedStrings) {
  ASSERT_EQ(*call("args_sizes_get", {i32(0), i32(4)}), errno_::kSuccess);
  EXPECT_EQ(peek32(0), 2u);
  EXPECT_EQ(peek32(4), 8u);  // "prog\0a1\0"
  ASSERT_EQ(*call("args_get", {i32(16), i32(64)}), errno_::kSuccess);
  EXPECT_EQ(peek32(16), 64u);
  EXPECT_EQ(peek32(20), 69u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem_->data + 64), 8), std::string("prog\0a1\0", 8));
}

TEST_F(FunctionsTest, PathOpenCreatesAFileThatFdReadReadsBack) {
  poke(1000, "new.txt");
  ASSERT_EQ(*call("path_open", {i32(3), i32(0), i32(1000), i32(7), i32(kOflagCreat), i64(right::kAll), i64(0),
                                i32(0), i32(1100)}),
            errno_::kSuccess);
  const std::uint32_t fd = peek32(1100);
  EXPECT_EQ(fd, 4u);
  poke(2000, "data!");
  poke32(0, 2000);
  poke32(4, 5);
  ASSERT_EQ(*call("fd_pwrite", {i32(fd), i32(0), i32(1), i64(0), i32(8)}), errno_::kSuccess);
  poke32(0, 3000);
  poke32(4, 64);
  ASSERT_EQ(*call("fd_read", {i32(fd), i32(0), i32(1), i32(8)}), errno_::kSuccess);
  EXPECT_EQ(peek32(8), 5u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem_->data + 3000), 5), "data!");
  EXPECT_EQ(*vfs_.read_all(*vfs_.lookup(vfs_.root(), "/sandbox/new.txt")), "data!");
  EXPECT_EQ(*call("fd_close", {i32(fd)}), errno_::kSuccess);
  EXPECT_EQ(*call("fd_read", {i32(fd), i32(0), i32(1), i32(8)}), errno_::kBadf);
}

TEST_F(FunctionsTest, PathOpenRejectsEscapesAndUnknownFlags) {
  poke(1000, "../x");
  EXPECT_EQ(*call("path_open", {i32(3), i32(0), i32(1000), i32(4), i32(0), i64(right::kAll), i64(0), i32(0), i32(1100)}),
            errno_::kNotcapable);
  poke(1000, "f");
  EXPECT_EQ(*call("path_open", {i32(3), i32(0), i32(1000), i32(1), i32(0x10), i64(0), i64(0), i32(0), i32(1100)}),
            errno_::kInval);
  EXPECT_EQ(*call("path_open", {i32(1), i32(0), i32(1000), i32(1), i32(0), i64(0), i64(0), i32(0), i32(1100)}),
            errno_::kNotdir);
}

TEST_F(FunctionsTest, ClocksRejectUnknownIdsAndAdvanceDeterministically) {
  EXPECT_EQ(*call("clock_time_get", {i32(9), i64(0), i32(0)}), errno_::kInval);
  ASSERT_EQ(*call("clock_time_get", {i32(kClockMonotonic), i64(0), i32(0)}), errno_::kSuccess);
  std::uint64_t t1;
  std::memcpy(&t1, mem_->data, 8);
  EXPECT_EQ(t1, kDeterministicTick);
}

TEST_F(FunctionsTest, PollOneoffJumpsTheVirtualClockToTheTimeout) {
  std::uint8_t sub[kSubscriptionSize] = {};
  const std::uint64_t userdata = 42, timeout = 5'000'000'000ull;
  std::memcpy(sub, &userdata, 8);
  sub[8] = kEventClock;
  const std::uint32_t id = kClockMonotonic;
  std::memcpy(sub + 16, &id, 4);
  std::memcpy(sub + 24, &timeout, 8);
  std::memcpy(mem_->data + 0, sub, sizeof sub);
  const std::uint64_t before = ctx_->clock().monotonic_ns();
  ASSERT_EQ(*call("poll_oneoff", {i32(0), i32(100), i32(1), i32(200)}), errno_::kSuccess);
  EXPECT_EQ(peek32(200), 1u);
  std::uint64_t got;
  std::memcpy(&got, mem_->data + 100, 8);
  EXPECT_EQ(got, userdata);
  EXPECT_GE(ctx_->clock().monotonic_ns(), before + timeout);
  EXPECT_EQ(*call("poll_oneoff", {i32(0), i32(100), i32(0), i32(200)}), errno_::kInval);
}

TEST_F(FunctionsTest, ProcExitEndsTheRunWithItsCode) {
  auto r = call("proc_exit", {i32(17)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, wasm::TrapKind::Exit);
  EXPECT_EQ(r.error().exit_code, 17u);
}

TEST_F(FunctionsTest, SocketsAreNotSupported) {
  EXPECT_EQ(*call("sock_send", {i32(3), i32(0), i32(0), i32(0), i32(0)}), errno_::kNotsup);
  EXPECT_EQ(*call("sock_recv", {i32(3), i32(0), i32(0), i32(0), i32(0), i32(0)}), errno_::kNotsup);
}

TEST_F(FunctionsTest, RightsCanOnlyBeDropped) {
  EXPECT_EQ(*call("fd_fdstat_set_rights", {i32(3), i64(right::kPathOpen), i64(0)}), errno_::kSuccess);
  EXPECT_EQ(*call("fd_fdstat_set_rights", {i32(3), i64(right::kPathOpen | right::kFdReaddir), i64(0)}),
            errno_::kNotcapable);
  poke(1000, "f");
  EXPECT_EQ(*call("path_create_directory", {i32(3), i32(1000), i32(1)}), errno_::kNotcapable);
}

}  // namespace
}  // namespace wg::wasi
