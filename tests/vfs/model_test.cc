// Randomised differential test: a long, seeded sequence of operations runs
// against the Vfs and against a plain map of paths; after every step the
// listings must agree, and at checkpoints the incremental digest, snapshots,
// forks, serialisation and diff must agree with what the model predicts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "vfs/serialize.h"
#include "vfs/snapshot.h"
#include "vfs/tree_ops.h"
#include "vfs/vfs.h"

namespace wg::vfs {
namespace {

struct ModelEntry {
  FileType type;
  std::string data;  // contents or symlink target
  friend bool operator==(const ModelEntry&, const ModelEntry&) = default;
};
using Model = std::map<std::string, ModelEntry>;

bool is_under(const std::string& p, const std::string& dir) {
  return p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/';
}

std::vector<TreeEntry> model_listing(const Model& m) {
  std::vector<TreeEntry> out;
  for (const auto& [p, e] : m) out.push_back({p, e.type, e.type == FileType::Directory ? 0 : e.data.size()});
  return out;
}

std::vector<Change> model_diff(const Model& a, const Model& b) {
  std::vector<Change> out;
  std::vector<std::string> paths;
  for (const auto& [p, e] : a) paths.push_back(p);
  for (const auto& [p, e] : b)
    if (!a.contains(p)) paths.push_back(p);
  std::sort(paths.begin(), paths.end());
  for (const std::string& p : paths) {
    auto ia = a.find(p);
    auto ib = b.find(p);
    if (ib == b.end()) {
      out.push_back({Change::Kind::Removed, p, ia->second.type});
    } else if (ia == a.end()) {
      out.push_back({Change::Kind::Added, p, ib->second.type});
    } else if (ia->second != ib->second) {
      const bool da = ia->second.type == FileType::Directory, db = ib->second.type == FileType::Directory;
      if (da || db) {
        out.push_back({Change::Kind::Removed, p, ia->second.type});
        out.push_back({Change::Kind::Added, p, ib->second.type});
      } else {
        out.push_back({Change::Kind::Modified, p, ib->second.type});
      }
    }
  }
  return out;
}

class Runner {
 public:
  explicit Runner(std::uint32_t seed) : rng_(seed) {}

  std::uint32_t pick(std::uint32_t n) { return rng_() % n; }

  std::string random_dir() {
    std::vector<std::string> dirs{"/"};
    for (const auto& [p, e] : model_)
      if (e.type == FileType::Directory) dirs.push_back(p);
    return dirs[pick(static_cast<std::uint32_t>(dirs.size()))];
  }
  std::string random_existing() {
    if (model_.empty()) return "";
    auto it = model_.begin();
    std::advance(it, pick(static_cast<std::uint32_t>(model_.size())));
    return it->first;
  }
  std::string child(const std::string& dir) {
    static const char* kNames[] = {"a", "b", "c", "dd", "e.txt", "f.c"};
    return (dir == "/" ? "" : dir) + "/" + kNames[pick(6)];
  }

  void step() {
    switch (pick(7)) {
      case 0:
      case 1: {  // write a file
        std::string p = child(random_dir());
        auto it = model_.find(p);
        if (it != model_.end() && it->second.type != FileType::Regular) return;
        std::string content(pick(20), static_cast<char>('a' + pick(26)));
        ASSERT_TRUE(write_file(fs_, p, content)) << p;
        model_[p] = {FileType::Regular, content};
        break;
      }
      case 2: {  // mkdir
        std::string p = child(random_dir());
        auto r = fs_.mkdir(fs_.root(), p);
        ASSERT_EQ(r.has_value(), !model_.contains(p)) << p;
        if (r) model_[p] = {FileType::Directory, ""};
        break;
      }
      case 3: {  // symlink
        std::string p = child(random_dir());
        std::string target = pick(2) ? "/a" : "../b";
        auto r = fs_.symlink(target, fs_.root(), p);
        ASSERT_EQ(r.has_value(), !model_.contains(p)) << p;
        if (r) model_[p] = {FileType::Symlink, target};
        break;
      }
      case 4: {  // recursive remove
        std::string p = random_existing();
        if (p.empty()) return;
        ASSERT_TRUE(remove(fs_, p, Recursive::Yes)) << p;
        for (auto it = model_.begin(); it != model_.end();)
          it = (it->first == p || is_under(it->first, p)) ? model_.erase(it) : std::next(it);
        break;
      }
      case 5: {  // rename
        std::string from = random_existing();
        if (from.empty()) return;
        std::string to = child(random_dir());
        auto r = fs_.rename(fs_.root(), from, fs_.root(), to);
        const ModelEntry src = model_[from];
        bool expect_ok = true;
        if (to == from) {
          expect_ok = true;
        } else if (is_under(to, from)) {
          expect_ok = false;
        } else if (auto dst = model_.find(to); dst != model_.end()) {
          const bool src_dir = src.type == FileType::Directory, dst_dir = dst->second.type == FileType::Directory;
          bool dst_empty = true;
          for (const auto& [q, e] : model_)
            if (is_under(q, to)) dst_empty = false;
          expect_ok = src_dir ? (dst_dir && dst_empty) : !dst_dir;
        }
        ASSERT_EQ(r.has_value(), expect_ok) << from << " -> " << to;
        if (!r || to == from) return;
        Model moved;
        for (auto it = model_.begin(); it != model_.end();) {
          if (it->first == to || is_under(it->first, to)) {
            it = model_.erase(it);
          } else if (it->first == from || is_under(it->first, from)) {
            moved[to + it->first.substr(from.size())] = it->second;
            it = model_.erase(it);
          } else {
            ++it;
          }
        }
        model_.merge(moved);
        break;
      }
      case 6: {  // truncate an existing file through a handle
        std::string p = random_existing();
        if (p.empty() || model_[p].type != FileType::Regular) return;
        auto ino = fs_.open(fs_.root(), p, OpenFlags::None);
        ASSERT_TRUE(ino);
        std::uint64_t size = pick(10);
        ASSERT_TRUE(fs_.truncate(*ino, size));
        ASSERT_TRUE(fs_.close(*ino));
        model_[p].data.resize(size, '\0');
        break;
      }
    }
  }

  Vfs fs_;
  Model model_;

 private:
  std::mt19937 rng_;
};

TEST(ModelTest, RandomOperationsAgreeWithAPathMapModel) {
  for (std::uint32_t seed : {1u, 2u, 3u, 4u, 5u, 6u}) {
    SCOPED_TRACE(seed);
    Runner run(seed);
    Snapshot checkpoint = run.fs_.snapshot();
    Model checkpoint_model;
    std::optional<Snapshot> early;
    Model early_model;
    for (int i = 0; i < 1000; ++i) {
      run.step();
      if (::testing::Test::HasFatalFailure()) return;
      auto listing = list_tree(run.fs_, "/");
      ASSERT_TRUE(listing);
      ASSERT_EQ(*listing, model_listing(run.model_)) << "step " << i;
      if (i % 50 != 49) continue;
      // Checkpoint: incremental digest, diff, snapshot isolation, round trip.
      ASSERT_EQ(run.fs_.digest(), run.fs_.digest_from_scratch()) << i;
      Snapshot now = run.fs_.snapshot();
      ASSERT_EQ(diff(checkpoint, now), model_diff(checkpoint_model, run.model_)) << i;
      auto back = deserialize(serialize(now), Limits{});
      ASSERT_TRUE(back);
      ASSERT_EQ(back->digest(), now.digest());
      ASSERT_EQ(*list_tree(*back, "/"), *listing);
      ASSERT_EQ(run.fs_.usage(), back->usage());
      checkpoint = now;
      checkpoint_model = run.model_;
      if (!early) {
        early = now;
        early_model = run.model_;
      }
    }
    // An early snapshot is untouched by everything that followed.
    ASSERT_TRUE(early);
    for (const auto& [p, e] : early_model) {
      auto ino = early->lookup(p, Follow::No);
      ASSERT_TRUE(ino) << p;
      ASSERT_EQ(early->stat(*ino)->type, e.type) << p;
      if (e.type != FileType::Directory) {
        ASSERT_EQ(std::string(*early->contents(*ino)), e.data) << p;
      }
    }
    ASSERT_EQ(diff(*early, run.fs_.snapshot()), model_diff(early_model, run.model_));
  }
}

}  // namespace
}  // namespace wg::vfs
