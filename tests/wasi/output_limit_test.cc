// WasiLimits::end_on_output_limit: the write that passes the stdout cap
// ends the run (RunStatus::OutputLimit) with the output up to the cap; by
// default the excess is dropped and the guest runs on.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "wasi/runner.h"

namespace wg::wasi {
namespace {

std::vector<std::uint8_t> flood_bytes() {
  std::ifstream in(std::string(WG_WASI_WAT_DIR) + "/flood.wasm", std::ios::binary);
  EXPECT_TRUE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RunOptions capped(bool end_on_limit) {
  RunOptions o;
  o.wasi.args = {"flood"};
  o.wasi.limits.max_stdout_bytes = 1000;
  o.wasi.limits.end_on_output_limit = end_on_limit;
  o.limits.fuel = 1'000'000;
  return o;
}

TEST(OutputLimitTest, EndingOnTheLimitStopsAtTheWriteThatPassesTheCap) {
  vfs::Vfs fs;
  auto r = run(flood_bytes(), fs, capped(true));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::OutputLimit);
  EXPECT_EQ(to_string(r->status), "output_limit");
  EXPECT_EQ(r->stdout_data.size(), 1000u);
  EXPECT_TRUE(r->stdout_truncated);
  ASSERT_TRUE(r->trap);
  EXPECT_NE(r->trap->message.find("stdout passed its cap of 1000 bytes"), std::string::npos) << r->trap->message;
  // It stopped right away: far less fuel than the budget.
  EXPECT_LT(r->fuel_used, 1'000'000u / 10);
}

TEST(OutputLimitTest, ByDefaultTheExcessIsDroppedAndTheGuestRunsOn) {
  vfs::Vfs fs;
  auto r = run(flood_bytes(), fs, capped(false));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::OutOfFuel);
  EXPECT_EQ(r->stdout_data.size(), 1000u);
  EXPECT_TRUE(r->stdout_truncated);
}

}  // namespace
}  // namespace wg::wasi
