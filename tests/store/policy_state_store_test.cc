#include "store/policy_state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/database.h"

namespace wg::store {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-pstate-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const char* name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::unique_ptr<PolicyStateStore> open_store(const std::string& path = ":memory:") {
  auto s = PolicyStateStore::open(path);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().to_string());
  return s ? std::move(*s) : nullptr;
}

std::vector<CounterEntry> read_all(PolicyStateStore& s, const std::string& key, EpochMs now) {
  std::vector<CounterEntry> out;
  auto st = s.atomically([&](StateTxn& t) -> Status {
    out = WG_TRY(t.entries(key, 0, 1'000'000'000, now));
    return ok();
  });
  EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().to_string());
  return out;
}

ReservationId reserve_one(PolicyStateStore& s, const std::string& key, std::string amount, EpochMs now, EpochMs expires,
                          EpochMs lease) {
  ReservationId id;
  auto st = s.atomically([&](StateTxn& t) -> Status {
    std::vector<CounterIncrement> incs{{key, amount, expires}};
    id = WG_TRY(t.reserve(incs, now, lease));
    return ok();
  });
  EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().to_string());
  return id;
}

TEST(PolicyStateStoreTest, ReservedIncrementsCountAtOnceAndVanishWhenReleased) {
  auto s = open_store();
  auto id = reserve_one(*s, "k", "2.5", 100, 10'000, 5'000);
  auto rows = read_all(*s, "k", 200);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].amount, "2.5");
  EXPECT_EQ(rows[0].at_ms, 100);
  EXPECT_TRUE(rows[0].reserved);
  ASSERT_TRUE(s->release_reservation(id).has_value());
  EXPECT_TRUE(read_all(*s, "k", 200).empty());
}

TEST(PolicyStateStoreTest, CommittedReservationStaysAndCannotBeSettledTwice) {
  auto s = open_store();
  auto id = reserve_one(*s, "k", "1", 100, 10'000, 5'000);
  ASSERT_TRUE(s->commit_reservation(id).has_value());
  auto rows = read_all(*s, "k", 200);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].reserved);
  auto again = s->commit_reservation(id);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::NotFound);
  auto release = s->release_reservation(id);
  ASSERT_FALSE(release.has_value());
  EXPECT_EQ(read_all(*s, "k", 200).size(), 1u) << "a late release must not remove a committed increment";
}

TEST(PolicyStateStoreTest, EntriesHonourKeyRangeAndExpiry) {
  auto s = open_store();
  reserve_one(*s, "a", "1", 100, 1'000, 99'999);
  reserve_one(*s, "a", "2", 500, 1'500, 99'999);
  reserve_one(*s, "b", "4", 500, 1'500, 99'999);
  std::vector<CounterEntry> rows;
  ASSERT_TRUE(s->atomically([&](StateTxn& t) -> Status {
                 rows = WG_TRY(t.entries("a", 100, 500, 600));
                 return ok();
               }).has_value());
  ASSERT_EQ(rows.size(), 1u) << "the range is half-open: [100, 500)";
  EXPECT_EQ(rows[0].amount, "1");
  EXPECT_EQ(read_all(*s, "a", 1'200).size(), 1u) << "the first increment expired at 1000";
}

TEST(PolicyStateStoreTest, PurgeCommitsReservationsPastTheirLeaseAndDropsExpiredEntries) {
  auto s = open_store();
  auto stale = reserve_one(*s, "k", "1", 100, 10'000, 1'000);
  auto fresh = reserve_one(*s, "k", "1", 100, 10'000, 50'000);
  ASSERT_TRUE(s->purge(1'000).has_value());
  // The stale reservation became a permanent increment: releasing it fails.
  EXPECT_FALSE(s->release_reservation(stale).has_value());
  EXPECT_EQ(read_all(*s, "k", 2'000).size(), 2u);
  ASSERT_TRUE(s->release_reservation(fresh).has_value());
  ASSERT_TRUE(s->purge(10'000).has_value());
  std::vector<CounterEntry> rows;
  ASSERT_TRUE(s->atomically([&](StateTxn& t) -> Status {
                 rows = WG_TRY(t.entries("k", 0, 100'000, 0));  // even "as of" time 0: the row is gone
                 return ok();
               }).has_value());
  EXPECT_TRUE(rows.empty());
}

TEST(PolicyStateStoreTest, AtomicallyRollsBackWhenTheBodyFails) {
  auto s = open_store();
  auto st = s->atomically([&](StateTxn& t) -> Status {
    std::vector<CounterIncrement> incs{{"k", "1", 10'000}};
    WG_TRY(t.reserve(incs, 100, 5'000));
    return make_error(ErrorCode::Denied, "changed my mind");
  });
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::Denied);
  EXPECT_TRUE(read_all(*s, "k", 200).empty());
}

// Two stores on one file stand for two wasmgate processes. Each checks the
// limit (1) and reserves inside one transaction; released together by a
// barrier, exactly one of them may win every round.
TEST(PolicyStateStoreTest, ConcurrentCheckAndReserveAdmitsExactlyOneForTheLastUnit) {
  TempDir dir;
  const std::string path = dir.file("state.sqlite3");
  auto first = open_store(path);
  auto second = open_store(path);
  ASSERT_TRUE(first && second);
  constexpr int kRounds = 40;
  std::atomic<int> wins[kRounds] = {};
  std::atomic<int> failures{0};
  std::barrier sync(2);
  auto racer = [&](PolicyStateStore& s) {
    for (int round = 0; round < kRounds; ++round) {
      const std::string key = "round-" + std::to_string(round);
      sync.arrive_and_wait();
      auto st = s.atomically([&](StateTxn& t) -> Status {
        auto rows = WG_TRY(t.entries(key, 0, 1'000'000, 1));
        if (!rows.empty()) return ok();  // limit 1 already taken
        std::vector<CounterIncrement> incs{{key, "1", 1'000'000}};
        WG_TRY(t.reserve(incs, 1, 500'000));
        wins[round].fetch_add(1);
        return ok();
      });
      if (!st) failures.fetch_add(1);
    }
  };
  std::thread a(racer, std::ref(*first));
  std::thread b(racer, std::ref(*second));
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  for (int round = 0; round < kRounds; ++round) {
    EXPECT_EQ(wins[round].load(), 1) << "round " << round;
    EXPECT_EQ(read_all(*first, "round-" + std::to_string(round), 2).size(), 1u);
  }
}

TEST(PolicyStateStoreTest, OneStoreSharedByThreadsAlsoAdmitsExactlyOne) {
  auto s = open_store();
  constexpr int kThreads = 4;
  std::atomic<int> wins{0};
  std::barrier sync(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      sync.arrive_and_wait();
      auto st = s->atomically([&](StateTxn& t) -> Status {
        if (!WG_TRY(t.entries("k", 0, 1'000'000, 1)).empty()) return ok();
        std::vector<CounterIncrement> incs{{"k", "1", 1'000'000}};
        WG_TRY(t.reserve(incs, 1, 500'000));
        wins.fetch_add(1);
        return ok();
      });
      EXPECT_TRUE(st.has_value());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
}

ApprovalRequest request(std::string digest = "d1", std::string revision = "r1") {
  ApprovalRequest r;
  r.binding = {"tool", "wire_money", std::move(digest), std::move(revision)};
  r.rule = "big transfers";
  r.reason = "needs a human";
  r.session = "s";
  r.identity = "alice";
  r.args_preview = "{\"amount\":5000}";
  r.created_ms = 1'000;
  r.expires_ms = 61'000;
  return r;
}

ApprovalRecord create(PolicyStateStore& s, const ApprovalRequest& r) {
  ApprovalRecord rec;
  auto st = s.atomically([&](StateTxn& t) -> Status {
    rec = WG_TRY(t.create_approval(r));
    return ok();
  });
  EXPECT_TRUE(st.has_value());
  return rec;
}

Status consume(PolicyStateStore& s, const std::string& id, EpochMs now) {
  return s.atomically([&](StateTxn& t) { return t.consume_approval(id, now); });
}

std::optional<ApprovalRecord> live(PolicyStateStore& s, const ApprovalBinding& b, EpochMs now) {
  std::optional<ApprovalRecord> out;
  EXPECT_TRUE(s.atomically([&](StateTxn& t) -> Status {
                 out = WG_TRY(t.live_approval(b, now));
                 return ok();
               }).has_value());
  return out;
}

TEST(PolicyStateStoreTest, ApprovalIsApprovedOnceAndUsedOnce) {
  auto s = open_store();
  auto rec = create(*s, request());
  EXPECT_EQ(rec.id.rfind("ap_", 0), 0u);
  EXPECT_EQ(rec.id.size(), 35u);
  auto pending = consume(*s, rec.id, 2'000);
  ASSERT_FALSE(pending.has_value()) << "a pending approval cannot be used";
  EXPECT_EQ(pending.error().code(), ErrorCode::Invalid);
  ASSERT_TRUE(s->decide_approval(rec.id, ApprovalStatus::Approved, "bob", 3'000).has_value());
  EXPECT_FALSE(s->decide_approval(rec.id, ApprovalStatus::Denied, "eve", 3'500).has_value())
      << "a decided approval cannot be decided again";
  ASSERT_TRUE(consume(*s, rec.id, 4'000).has_value());
  EXPECT_FALSE(consume(*s, rec.id, 4'001).has_value()) << "used once";
  auto got = s->get_approval(rec.id, 5'000);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, ApprovalStatus::Used);
  EXPECT_EQ(got->decided_by, "bob");
  EXPECT_EQ(got->decided_ms, 3'000);
  EXPECT_EQ(got->used_ms, 4'000);
  EXPECT_EQ(got->request.args_preview, "{\"amount\":5000}");
  EXPECT_FALSE(live(*s, rec.request.binding, 5'000).has_value()) << "a used approval is no longer live";
}

TEST(PolicyStateStoreTest, ApprovalExpiresAndCannotThenBeApprovedOrUsed) {
  auto s = open_store();
  auto a = create(*s, request("d1"));
  auto b = create(*s, request("d2"));
  ASSERT_TRUE(s->decide_approval(b.id, ApprovalStatus::Approved, "bob", 60'000).has_value());
  auto late = s->decide_approval(a.id, ApprovalStatus::Approved, "bob", 61'000);
  ASSERT_FALSE(late.has_value());
  EXPECT_NE(late.error().message().find("expired"), std::string::npos) << late.error().message();
  EXPECT_FALSE(consume(*s, b.id, 61'000).has_value()) << "approved but expired";
  auto listed = s->list_approvals(61'000, ApprovalStatus::Expired);
  ASSERT_TRUE(listed.has_value());
  EXPECT_EQ(listed->size(), 2u);
  ASSERT_TRUE(s->purge(61'000).has_value());
  auto pending = s->list_approvals(0, ApprovalStatus::Pending);
  ASSERT_TRUE(pending.has_value());
  EXPECT_TRUE(pending->empty()) << "purge stored the expiry";
}

TEST(PolicyStateStoreTest, LiveApprovalMatchesOnlyTheExactBinding) {
  auto s = open_store();
  auto rec = create(*s, request("d1", "r1"));
  auto same = live(*s, {"tool", "wire_money", "d1", "r1"}, 2'000);
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->id, rec.id);
  EXPECT_FALSE(live(*s, {"tool", "wire_money", "d2", "r1"}, 2'000)) << "other arguments";
  EXPECT_FALSE(live(*s, {"tool", "wire_money", "d1", "r2"}, 2'000)) << "other policy revision";
  EXPECT_FALSE(live(*s, {"tool", "send_money", "d1", "r1"}, 2'000)) << "other tool";
  EXPECT_FALSE(live(*s, {"prompt", "wire_money", "d1", "r1"}, 2'000)) << "other kind";
  ASSERT_TRUE(s->decide_approval(rec.id, ApprovalStatus::Denied, "bob", 3'000).has_value());
  auto denied = live(*s, {"tool", "wire_money", "d1", "r1"}, 3'000);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->status, ApprovalStatus::Denied);
}

TEST(PolicyStateStoreTest, UnknownApprovalIsNotFound) {
  auto s = open_store();
  auto r = s->decide_approval("ap_nope", ApprovalStatus::Approved, "bob", 1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_EQ(consume(*s, "ap_nope", 1).error().code(), ErrorCode::NotFound);
  EXPECT_EQ(s->get_approval("ap_nope", 1).error().code(), ErrorCode::NotFound);
}

TEST(PolicyStateStoreTest, StateSurvivesReopeningTheFile) {
  TempDir dir;
  const std::string path = dir.file("state.sqlite3");
  std::string id;
  {
    auto s = open_store(path);
    id = create(*s, request()).id;
    auto r = reserve_one(*s, "k", "3", 100, 10'000, 5'000);
    ASSERT_TRUE(s->commit_reservation(r).has_value());
  }
  auto s = open_store(path);
  EXPECT_EQ(read_all(*s, "k", 200).size(), 1u);
  EXPECT_TRUE(s->get_approval(id, 2'000).has_value());
}

}  // namespace
}  // namespace wg::store
