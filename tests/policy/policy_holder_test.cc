#include "policy/policy_holder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wg::policy {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-holder-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const char* name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

constexpr const char* kAllow = "version: \"1\"\ntools: {}\n";
constexpr const char* kDenyAll = "version: \"1\"\ndefault: deny\ntools: {}\n";
constexpr const char* kBad = "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        acton: deny\n";

TEST(PolicyHolderTest, FirstLoadMustSucceed) {
  TempDir dir;
  write(dir.file("p.yaml"), kBad);
  auto h = PolicyHolder::open(dir.file("p.yaml"));
  ASSERT_FALSE(h.has_value());
  EXPECT_NE(h.error().message().find("p.yaml:6:9"), std::string::npos) << h.error().message();
  EXPECT_FALSE(PolicyHolder::open(dir.file("missing.yaml")).has_value());
}

TEST(PolicyHolderTest, ReloadsChangedFileAndReportsUnchangedOtherwise) {
  TempDir dir;
  const auto path = dir.file("p.yaml");
  write(path, kAllow);
  auto h = PolicyHolder::open(path);
  ASSERT_TRUE(h.has_value());
  auto first = (*h)->current();
  EXPECT_EQ((*h)->reload_if_changed().outcome, ReloadOutcome::Unchanged);
  write(path, kDenyAll);
  auto r = (*h)->reload_if_changed();
  EXPECT_EQ(r.outcome, ReloadOutcome::Reloaded);
  auto second = (*h)->current();
  EXPECT_NE(second->revision, first->revision);
  EXPECT_EQ(r.revision, second->revision);
  EXPECT_EQ(second->default_action, DefaultAction::Deny);
  EXPECT_EQ(first->default_action, DefaultAction::Allow) << "an old snapshot stays valid for calls in flight";
}

TEST(PolicyHolderTest, BadFileKeepsTheOldPolicyAndSaysWhy) {
  TempDir dir;
  const auto path = dir.file("p.yaml");
  write(path, kAllow);
  auto h = std::move(*PolicyHolder::open(path));
  const std::string good = h->current()->revision;
  write(path, kBad);
  auto r = h->reload_if_changed();
  EXPECT_EQ(r.outcome, ReloadOutcome::Rejected);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_NE(r.error->message().find(":6:9: "), std::string::npos) << r.error->message();
  EXPECT_EQ(r.revision, good);
  EXPECT_EQ(h->current()->revision, good);
  ASSERT_TRUE(h->last_error().has_value());
  // Still rejected (and still saying why) until the file changes.
  EXPECT_EQ(h->reload_if_changed().outcome, ReloadOutcome::Rejected);
  std::filesystem::remove(path);
  auto gone = h->reload_if_changed();
  EXPECT_EQ(gone.outcome, ReloadOutcome::Rejected);
  EXPECT_EQ(h->current()->revision, good) << "a deleted file keeps the policy too";
  write(path, kDenyAll);
  EXPECT_EQ(h->reload_if_changed().outcome, ReloadOutcome::Reloaded);
  EXPECT_FALSE(h->last_error().has_value());
  EXPECT_EQ(h->current()->default_action, DefaultAction::Deny);
}

TEST(PolicyHolderTest, RestoringTheContentInForceClearsTheError) {
  TempDir dir;
  const auto path = dir.file("p.yaml");
  write(path, kAllow);
  auto h = std::move(*PolicyHolder::open(path));
  write(path, kBad);
  EXPECT_EQ(h->reload_if_changed().outcome, ReloadOutcome::Rejected);
  write(path, kAllow);
  EXPECT_EQ(h->reload().outcome, ReloadOutcome::Unchanged);
  EXPECT_FALSE(h->last_error().has_value());
}

}  // namespace
}  // namespace wg::policy
