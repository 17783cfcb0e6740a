#include "store/agent_db.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace wg::store {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-agentdb-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(std::string_view name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::unique_ptr<AgentDb> open_db(const std::string& path = ":memory:") {
  auto db = AgentDb::open(path);
  EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().to_string());
  return db ? std::move(*db) : nullptr;
}

AgentRow agent_row(std::string id, std::int64_t created = 1000) {
  AgentRow r;
  r.id = std::move(id);
  r.config_json = R"({"name":"n","model":"m"})";
  r.status = "active";
  r.turn_count = 3;
  r.todos_json = R"([{"id":"1","content":"x","status":"pending"}])";
  r.created_ms = created;
  r.updated_ms = created + 5;
  r.journal_seq = 0;
  r.state_digest = "d0";
  return r;
}

AgentChange create(std::string id, std::int64_t created = 1000) {
  AgentChange c;
  c.agent_id = id;
  c.upsert = agent_row(std::move(id), created);
  return c;
}

JournalRow journal_row(std::int64_t seq, std::string op = "write_file") {
  return JournalRow{seq, std::move(op), R"({"path":"/x"})", "r" + std::to_string(seq), "s" + std::to_string(seq),
                    100 + seq};
}

void must(const Status& s) { ASSERT_TRUE(s.has_value()) << s.error().to_string(); }

template <class T>
T must(Result<T> r) {
  EXPECT_TRUE(r.has_value()) << r.error().to_string();
  return r ? std::move(*r) : T{};
}

std::vector<std::string> paths_of(const std::vector<FileRow>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path);
  return out;
}

TEST(AgentDbTest, AppliedChangesSurviveReopeningTheFile) {
  TempDir dir;
  const std::string path = dir.file(kAgentStateFile);
  AgentChange c = create("agt_1");
  c.upsert->journal_seq = 2;
  c.put_files = {{"/", kFileTypeDirectory, ""}, {"/a.txt", kFileTypeRegular, "hello"},
                 {"/link", kFileTypeSymlink, "/a.txt"}};
  c.append_messages = {{1, R"({"role":"user","content":"hi"})"}, {0, R"({"role":"assistant","content":"yo"})"}};
  c.journal = {journal_row(1, "create"), journal_row(2)};
  {
    auto db = open_db(path);
    must(db->apply(c));
    must(db->apply(create("agt_0", 500)));
    must(db->put_setting("gallery", R"({"x":1})"));
  }
  auto db = open_db(path);
  auto agents = must(db->load_agents());
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0].id, "agt_0");  // created earlier sorts first
  EXPECT_EQ(agents[1], *c.upsert);
  EXPECT_EQ(must(db->load_files("agt_1")), c.put_files);
  auto messages = must(db->load_messages("agt_1"));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], c.append_messages[0]);
  EXPECT_EQ(messages[1].seq, 2);  // seq 0 means "next"
  EXPECT_EQ(messages[1].json, c.append_messages[1].json);
  EXPECT_EQ(must(db->load_journal("agt_1")), c.journal);
  EXPECT_EQ(must(db->get_setting("gallery")), std::optional<std::string>(R"({"x":1})"));
  EXPECT_TRUE(must(db->load_files("agt_0")).empty());
}

TEST(AgentDbTest, UpsertUpdatesTheAgentRowWithoutDroppingItsFiles) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  c.put_files = {{"/f", kFileTypeRegular, "x"}};
  must(db->apply(c));
  AgentChange update;
  update.agent_id = "agt_1";
  update.upsert = agent_row("agt_1");
  update.upsert->status = "stopped";
  update.upsert->turn_count = 9;
  must(db->apply(update));
  auto agents = must(db->load_agents());
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0].status, "stopped");
  EXPECT_EQ(agents[0].turn_count, 9);
  EXPECT_EQ(must(db->load_files("agt_1")).size(), 1u);
}

TEST(AgentDbTest, EraseRemovesTheAgentAndEveryRowItOwns) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  c.put_files = {{"/f", kFileTypeRegular, "x"}};
  c.append_messages = {{1, "{}"}};
  c.journal = {journal_row(1)};
  must(db->apply(c));
  must(db->apply(create("agt_2")));
  AgentChange erase;
  erase.agent_id = "agt_1";
  erase.erase = true;
  must(db->apply(erase));
  auto agents = must(db->load_agents());
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0].id, "agt_2");
  EXPECT_TRUE(must(db->load_files("agt_1")).empty());
  EXPECT_TRUE(must(db->load_messages("agt_1")).empty());
  EXPECT_TRUE(must(db->load_journal("agt_1")).empty());
  auto again = db->apply(erase);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::NotFound);
}

TEST(AgentDbTest, DuplicateJournalSeqRollsBackTheWholeChange) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  c.put_files = {{"/keep", kFileTypeRegular, "old"}};
  c.append_messages = {{1, "m1"}};
  c.journal = {journal_row(1)};
  must(db->apply(c));

  AgentChange bad;
  bad.agent_id = "agt_1";
  bad.upsert = agent_row("agt_1");
  bad.upsert->status = "stopped";
  bad.replace_files = true;
  bad.put_files = {{"/new", kFileTypeRegular, "new"}};
  bad.clear_messages = true;
  bad.append_messages = {{1, "m-other"}};
  bad.journal = {journal_row(2), journal_row(1)};  // 1 already exists
  auto st = db->apply(bad);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::Invalid);
  EXPECT_NE(st.error().message().find("journal seq 1"), std::string::npos) << st.error().message();

  EXPECT_EQ(must(db->load_agents())[0].status, "active");
  EXPECT_EQ(must(db->load_files("agt_1")), c.put_files);
  EXPECT_EQ(must(db->load_messages("agt_1")), c.append_messages);
  EXPECT_EQ(must(db->load_journal("agt_1")), c.journal);
}

TEST(AgentDbTest, DuplicateSeqWithinOneChangeIsRejected) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  c.journal = {journal_row(1), journal_row(1)};
  EXPECT_FALSE(db->apply(c).has_value());
  EXPECT_TRUE(must(db->load_agents()).empty());  // the create rolled back too
}

TEST(AgentDbTest, ChildRowsOfAnUnknownAgentAreNotFound) {
  auto db = open_db();
  AgentChange c;
  c.agent_id = "agt_missing";
  c.put_files = {{"/f", kFileTypeRegular, "x"}};
  auto st = db->apply(c);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::NotFound);
}

TEST(AgentDbTest, MalformedChangesAreInvalid) {
  auto db = open_db();
  AgentChange wrong_id = create("agt_1");
  wrong_id.upsert->id = "agt_2";
  EXPECT_EQ(db->apply(wrong_id).error().code(), ErrorCode::Invalid);
  AgentChange bad_type = create("agt_1");
  bad_type.put_files = {{"/f", 7, ""}};
  EXPECT_EQ(db->apply(bad_type).error().code(), ErrorCode::Invalid);
  AgentChange zero_seq = create("agt_1");
  zero_seq.journal = {journal_row(0)};
  EXPECT_EQ(db->apply(zero_seq).error().code(), ErrorCode::Invalid);
  EXPECT_TRUE(must(db->load_agents()).empty());
}

TEST(AgentDbTest, DeletingADirectoryRemovesRowsBelowItButNotSiblingsSharingAPrefix) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  c.put_files = {{"/a", kFileTypeDirectory, ""},       {"/a/x", kFileTypeRegular, "1"},
                 {"/a/sub", kFileTypeDirectory, ""},   {"/a/sub/y", kFileTypeRegular, "2"},
                 {"/ab", kFileTypeRegular, "3"},       {"/a-b", kFileTypeRegular, "4"},
                 {"/a0", kFileTypeRegular, "5"},       {"/b", kFileTypeRegular, "6"}};
  must(db->apply(c));
  EXPECT_EQ(paths_of(must(db->load_files("agt_1"))),
            (std::vector<std::string>{"/a", "/a-b", "/a/sub", "/a/sub/y", "/a/x", "/a0", "/ab", "/b"}));

  AgentChange del;
  del.agent_id = "agt_1";
  del.delete_files = {"/a", "/missing"};
  must(db->apply(del));
  EXPECT_EQ(paths_of(must(db->load_files("agt_1"))), (std::vector<std::string>{"/a-b", "/a0", "/ab", "/b"}));

  AgentChange root;
  root.agent_id = "agt_1";
  root.delete_files = {"/"};
  must(db->apply(root));
  EXPECT_TRUE(must(db->load_files("agt_1")).empty());
}

TEST(AgentDbTest, ParentsSortBeforeTheirChildren) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  c.put_files = {{"/z/q", kFileTypeRegular, ""}, {"/z", kFileTypeDirectory, ""}, {"/", kFileTypeDirectory, ""},
                 {"/a/b/c", kFileTypeRegular, ""}, {"/a/b", kFileTypeDirectory, ""}, {"/a", kFileTypeDirectory, ""}};
  must(db->apply(c));
  auto paths = paths_of(must(db->load_files("agt_1")));
  for (std::size_t i = 0; i < paths.size(); ++i) {
    for (std::size_t j = i + 1; j < paths.size(); ++j) {
      EXPECT_FALSE(paths[i].starts_with(paths[j] + "/")) << paths[j] << " comes after its child " << paths[i];
    }
  }
}

TEST(AgentDbTest, ReplaceFilesAndPutFilesApplyInOrder) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  c.put_files = {{"/old", kFileTypeRegular, "x"}, {"/same", kFileTypeRegular, "v1"}};
  must(db->apply(c));
  AgentChange r;
  r.agent_id = "agt_1";
  r.replace_files = true;
  r.put_files = {{"/same", kFileTypeRegular, "v2"}};
  must(db->apply(r));
  EXPECT_EQ(must(db->load_files("agt_1")), (std::vector<FileRow>{{"/same", kFileTypeRegular, "v2"}}));
}

TEST(AgentDbTest, BinaryContentWithNulAndInvalidUtf8Survives) {
  TempDir dir;
  const std::string path = dir.file("bin.sqlite3");
  std::string blob("a\0b\xff\xfe\xc3(\x00\x80", 9);
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  AgentChange c = create("agt_1");
  c.put_files = {{"/bin", kFileTypeRegular, blob}, {"/all", kFileTypeRegular, all_bytes},
                 {"/empty", kFileTypeRegular, ""}};
  {
    auto db = open_db(path);
    must(db->apply(c));
  }
  auto db = open_db(path);
  auto files = must(db->load_files("agt_1"));
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].content, all_bytes);
  EXPECT_EQ(files[1].content, blob);
  EXPECT_EQ(files[1].content.size(), 9u);
  EXPECT_EQ(files[2].content, "");
}

TEST(AgentDbTest, LoadJournalPagesAfterASeqWithALimit) {
  auto db = open_db();
  AgentChange c = create("agt_1");
  for (int i = 1; i <= 10; ++i) c.journal.push_back(journal_row(i));
  must(db->apply(c));
  auto page = must(db->load_journal("agt_1", 3, 4));
  ASSERT_EQ(page.size(), 4u);
  EXPECT_EQ(page.front().seq, 4);
  EXPECT_EQ(page.back().seq, 7);
  EXPECT_EQ(must(db->load_journal("agt_1", 8)).size(), 2u);
  EXPECT_TRUE(must(db->load_journal("agt_1", 10)).empty());
  EXPECT_TRUE(must(db->load_journal("agt_1", 0, 0)).empty());
}

TEST(AgentDbTest, CopyAgentDuplicatesFilesMessagesAndJournalThenAppliesTheCopyChange) {
  auto db = open_db();
  AgentChange src = create("agt_src");
  src.put_files = {{"/a", kFileTypeDirectory, ""}, {"/a/f", kFileTypeRegular, "data"}};
  src.append_messages = {{1, "m1"}, {2, "m2"}};
  src.journal = {journal_row(1, "create"), journal_row(2)};
  must(db->apply(src));

  AgentChange fork = create("agt_dst", 2000);
  fork.put_files = {{"/forked", kFileTypeRegular, "yes"}};
  fork.journal = {journal_row(3, "fork")};
  must(db->copy_agent("agt_src", fork));

  EXPECT_EQ(paths_of(must(db->load_files("agt_dst"))), (std::vector<std::string>{"/a", "/a/f", "/forked"}));
  EXPECT_EQ(must(db->load_messages("agt_dst")), src.append_messages);
  auto journal = must(db->load_journal("agt_dst"));
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[2].op, "fork");
  // The source is untouched.
  EXPECT_EQ(must(db->load_files("agt_src")), src.put_files);
  EXPECT_EQ(must(db->load_journal("agt_src")).size(), 2u);

  // A fork whose extra journal collides with a copied seq leaves nothing behind.
  AgentChange clash = create("agt_dst2");
  clash.journal = {journal_row(2)};
  EXPECT_EQ(db->copy_agent("agt_src", clash).error().code(), ErrorCode::Invalid);
  EXPECT_TRUE(must(db->load_files("agt_dst2")).empty());
  EXPECT_EQ(must(db->load_agents()).size(), 2u);

  EXPECT_EQ(db->copy_agent("agt_nope", create("agt_x")).error().code(), ErrorCode::NotFound);
  EXPECT_EQ(db->copy_agent("agt_src", create("agt_dst")).error().code(), ErrorCode::Invalid);  // exists
  AgentChange no_row;
  no_row.agent_id = "agt_y";
  EXPECT_EQ(db->copy_agent("agt_src", no_row).error().code(), ErrorCode::Invalid);
}

TEST(AgentDbTest, TemplatesAndSettingsRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("t.sqlite3");
  {
    auto db = open_db(path);
    must(db->put_templates({{"zeta", R"({"id":"zeta"})"}, {"alpha", R"({"id":"alpha"})"}}));
    must(db->put_templates({{"zeta", R"({"id":"zeta","v":2})"}}));
    must(db->put_setting("k", "1"));
    must(db->put_setting("k", "2"));
  }
  auto db = open_db(path);
  auto t = must(db->load_templates());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].first, "alpha");
  EXPECT_EQ(t[1].second, R"({"id":"zeta","v":2})");
  must(db->remove_template("alpha"));
  EXPECT_EQ(db->remove_template("alpha").error().code(), ErrorCode::NotFound);
  EXPECT_EQ(must(db->load_templates()).size(), 1u);
  EXPECT_EQ(must(db->get_setting("k")), std::optional<std::string>("2"));
  EXPECT_EQ(must(db->get_setting("absent")), std::nullopt);
  // put_templates is one transaction: a bad entry keeps the good ones out.
  EXPECT_FALSE(db->put_templates({{"good", "{}"}, {"", "{}"}}).has_value());
  EXPECT_EQ(must(db->load_templates()).size(), 1u);
}

TEST(AgentDbTest, ANewerSchemaIsRefused) {
  TempDir dir;
  const std::string path = dir.file("new.sqlite3");
  {
    auto raw = sqlite::Database::open(path);
    ASSERT_TRUE(raw.has_value());
    must(raw->exec("PRAGMA user_version = 99"));
  }
  auto db = AgentDb::open(path);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code(), ErrorCode::Unsupported);
}

// Crash safety: a child process applies numbered changes as fast as it can
// and reports each acknowledged seq over a pipe; the parent SIGKILLs it
// after reading a random number of acks (so the kill lands at an arbitrary
// point, often mid-transaction), reopens the database and checks that every
// acknowledged change is present and every stored change is whole. Several
// rounds continue on the same file, as a server restarts after each crash.
[[noreturn]] void run_writer(const std::string& path, int ack_fd, std::int64_t first_seq) {
  auto db = AgentDb::open(path);
  if (!db) _exit(3);
  for (std::int64_t seq = first_seq;; ++seq) {
    AgentChange c;
    c.agent_id = "agt_crash";
    c.upsert = agent_row("agt_crash");
    c.upsert->journal_seq = seq;
    c.upsert->state_digest = "s" + std::to_string(seq);
    c.put_files = {{"/f" + std::to_string(seq), kFileTypeRegular, std::string(1000 + seq % 97, 'x')}};
    c.append_messages = {{seq, "m" + std::to_string(seq)}};
    c.journal = {journal_row(seq)};
    if (!(*db)->apply(c)) _exit(4);
    if (write(ack_fd, &seq, sizeof seq) != static_cast<ssize_t>(sizeof seq)) _exit(5);
  }
}

TEST(AgentDbTest, SigkillUnderLoadLosesNoAcknowledgedChangeAndLeavesNoHalfChange) {
  TempDir dir;
  const std::string path = dir.file(kAgentStateFile);
  std::mt19937 rng(12345);
  std::set<std::int64_t> acked;
  std::int64_t next_seq = 1;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      run_writer(path, fds[1], next_seq);
    }
    close(fds[1]);
    const int kill_after = std::uniform_int_distribution<int>(1, 40)(rng);
    auto read_ack = [&](std::int64_t& seq) {
      std::size_t got = 0;
      auto* p = reinterpret_cast<char*>(&seq);
      while (got < sizeof seq) {
        const ssize_t n = read(fds[0], p + got, sizeof seq - got);
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
      }
      return true;
    };
    std::int64_t seq = 0;
    for (int i = 0; i < kill_after; ++i) {
      ASSERT_TRUE(read_ack(seq)) << "writer died early in round " << round;
      acked.insert(seq);
    }
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer exited with status " << status;
    // Acks written before the kill are still in the pipe: they count too.
    while (read_ack(seq)) acked.insert(seq);
    close(fds[0]);

    auto db = open_db(path);
    ASSERT_NE(db, nullptr);
    auto journal = must(db->load_journal("agt_crash"));
    auto files = must(db->load_files("agt_crash"));
    auto messages = must(db->load_messages("agt_crash"));
    std::set<std::int64_t> journal_seqs, file_seqs, message_seqs;
    for (const auto& j : journal) journal_seqs.insert(j.seq);
    for (const auto& f : files) file_seqs.insert(std::stoll(f.path.substr(2)));
    for (const auto& m : messages) message_seqs.insert(m.seq);
    for (std::int64_t a : acked) EXPECT_TRUE(journal_seqs.contains(a)) << "acknowledged seq " << a << " lost";
    EXPECT_EQ(journal_seqs, file_seqs) << "a change was half-applied";
    EXPECT_EQ(journal_seqs, message_seqs) << "a change was half-applied";
    auto agents = must(db->load_agents());
    ASSERT_EQ(agents.size(), 1u);
    ASSERT_FALSE(journal_seqs.empty());
    EXPECT_EQ(agents[0].journal_seq, *journal_seqs.rbegin());
    // At most the one change in flight may be stored without an ack.
    EXPECT_LE(journal_seqs.size(), acked.size() + round + 1);
    next_seq = *journal_seqs.rbegin() + 1;
  }
  EXPECT_GE(acked.size(), 6u);
}

}  // namespace
}  // namespace wg::store
