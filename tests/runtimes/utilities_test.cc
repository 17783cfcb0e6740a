// Every embedded runtime utility run through wasi::run over an in-memory VFS
// with the VFS root preopened as "/", the way the agent `run` tool runs them.
#include "runtimes/utilities.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "vfs/vfs.h"
#include "wasi/runner.h"

namespace wg::runtimes {
namespace {

class UtilitiesTest : public ::testing::Test {
 protected:
  // Runs utility argv[0] with `argv`, cwd "/".
  wasi::RunResult run(std::vector<std::string> argv, std::string stdin_data = "") {
    auto module = find_utility(argv.at(0));
    EXPECT_FALSE(module.empty()) << "no utility " << argv[0];
    wasi::RunOptions o;
    o.wasi.args = std::move(argv);
    o.wasi.preopens = {{"/", "/"}};
    o.wasi.stdin_data = std::move(stdin_data);
    o.wasi.clock = wasi::ClockMode::Deterministic;
    o.limits.fuel = 2'000'000'000;
    auto r = wasi::run(module, vfs_, o);
    EXPECT_TRUE(r.has_value()) << r.error().to_string();
    if (!r) return {};
    EXPECT_EQ(r->status, wasi::RunStatus::Exited) << wasi::to_string(r->status) << " " << r->stderr_data;
    return std::move(*r);
  }

  void write(const std::string& path, std::string_view content) {
    auto ino = vfs_.open(vfs_.root(), path, vfs::OpenFlags::Create | vfs::OpenFlags::Trunc);
    ASSERT_TRUE(ino.has_value()) << path;
    ASSERT_TRUE(vfs_.pwrite(*ino, 0, content).has_value());
    ASSERT_TRUE(vfs_.close(*ino).has_value());
  }
  void mkdir(const std::string& path) { ASSERT_TRUE(vfs_.mkdir(vfs_.root(), path).has_value()) << path; }
  bool exists(const std::string& path) { return vfs_.lookup(vfs_.root(), path, vfs::Follow::No).has_value(); }
  std::string read(const std::string& path) {
    auto ino = vfs_.lookup(vfs_.root(), path);
    EXPECT_TRUE(ino.has_value()) << path;
    if (!ino) return "<missing>";
    auto data = vfs_.read_all(*ino);
    return data ? *data : "<unreadable>";
  }
  vfs::FileType type_of(const std::string& path) {
    auto st = vfs_.stat_at(vfs_.root(), path, vfs::Follow::No);
    EXPECT_TRUE(st.has_value()) << path;
    return st ? st->type : vfs::FileType::Regular;
  }

  vfs::Vfs vfs_;
};

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

TEST(UtilityTableTest, NamesAreSortedAndEachIsAWasmModule) {
  auto names = utility_names();
  ASSERT_GE(names.size(), 26u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  for (std::string_view name : {"base64", "cat", "cp", "echo", "grep", "head", "ls", "mkdir", "mv", "rm", "seq",
                                "sha256sum", "sort", "tail", "tee", "touch", "tr", "uniq", "wc", "find", "cut", "ln", "rmdir",
                                "pwd", "basename", "dirname"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  for (std::string_view name : names) {
    auto bytes = find_utility(name);
    ASSERT_GE(bytes.size(), 8u) << name;
    EXPECT_TRUE(bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' && bytes[3] == 'm') << name;
  }
  EXPECT_TRUE(find_utility("nope").empty());
  EXPECT_TRUE(find_utility("").empty());
  EXPECT_TRUE(find_utility("cat ").empty());
}

TEST(UtilityTableTest, RubyPathIsTheConfiguredOne) {
  EXPECT_EQ(default_ruby_wasm_path(), std::string_view(WG_EXPECTED_RUBY_WASM));
}

// --- cat -------------------------------------------------------------------

TEST_F(UtilitiesTest, CatConcatenatesFilesAndStdin) {
  write("/a.txt", "one\n");
  write("/b.txt", "two");
  auto r = run({"cat", "a.txt", "-", "/b.txt"}, "mid\n");
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.stdout_data, "one\nmid\ntwo");
  EXPECT_EQ(r.stderr_data, "");
  EXPECT_EQ(run({"cat", "-n", "a.txt", "b.txt"}).stdout_data, "     1\tone\n     2\ttwo");
}

TEST_F(UtilitiesTest, CatReportsAMissingFileAndGoesOn) {
  write("/a.txt", "one\n");
  mkdir("/d");
  auto r = run({"cat", "missing.txt", "a.txt", "d"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stdout_data, "one\n");
  EXPECT_EQ(r.stderr_data, "cat: missing.txt: No such file or directory\ncat: d: Is a directory\n");
}

// --- echo ------------------------------------------------------------------

TEST_F(UtilitiesTest, EchoJoinsArgumentsAndHonoursNAndE) {
  EXPECT_EQ(run({"echo", "hello", "two words"}).stdout_data, "hello two words\n");
  EXPECT_EQ(run({"echo", "-n", "x"}).stdout_data, "x");
  EXPECT_EQ(run({"echo", "-e", "a\\tb\\n\\0101"}).stdout_data, "a\tb\nA\n");
  EXPECT_EQ(run({"echo", "a\\tb"}).stdout_data, "a\\tb\n");
  EXPECT_EQ(run({"echo"}).stdout_data, "\n");
}

TEST_F(UtilitiesTest, EchoPrintsUnknownOptionsAsText) {
  auto r = run({"echo", "-x", "-n"});
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.stdout_data, "-x -n\n");
}

// --- ls --------------------------------------------------------------------

TEST_F(UtilitiesTest, LsListsSortedAndHidesDotFilesUnlessAsked) {
  write("/b", "");
  write("/a", "12345");
  write("/.hidden", "");
  mkdir("/dir");
  write("/dir/inner", "");
  EXPECT_EQ(run({"ls"}).stdout_data, "a\nb\ndir\n");
  EXPECT_EQ(run({"ls", "/"}).stdout_data, "a\nb\ndir\n");
  EXPECT_EQ(run({"ls", "-a", "/"}).stdout_data, ".\n..\n.hidden\na\nb\ndir\n");
  EXPECT_EQ(run({"ls", "-R", "/"}).stdout_data, "/:\na\nb\ndir\n\n/dir:\ninner\n");
  EXPECT_EQ(run({"ls", "dir", "a"}).stdout_data, "a\n\ndir:\ninner\n");
}

TEST_F(UtilitiesTest, LsLongFormatShowsTypeSizeTimeAndLinkTarget) {
  write("/a", "12345");
  mkdir("/d");
  ASSERT_TRUE(vfs_.symlink("a", vfs_.root(), "/l").has_value());
  auto r = run({"ls", "-l", "/"});
  EXPECT_EQ(r.exit_code, 0u) << r.stderr_data;
  std::vector<std::string> lines;
  for (std::size_t at = 0, nl; (nl = r.stdout_data.find('\n', at)) != std::string::npos; at = nl + 1) {
    lines.push_back(r.stdout_data.substr(at, nl - at));
  }
  ASSERT_EQ(lines.size(), 3u) << r.stdout_data;
  EXPECT_TRUE(lines[0].starts_with("-rw-r--r--        5 ")) << lines[0];
  EXPECT_TRUE(lines[0].ends_with(" a")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("drwxr-xr-x ")) << lines[1];
  EXPECT_TRUE(lines[2].starts_with("lrwxrwxrwx ")) << lines[2];
  EXPECT_TRUE(lines[2].ends_with(" l -> a")) << lines[2];
}

TEST_F(UtilitiesTest, LsOfAMissingPathExitsTwo) {
  write("/a", "");
  auto r = run({"ls", "nope", "a"});
  EXPECT_EQ(r.exit_code, 2u);
  EXPECT_EQ(r.stdout_data, "a\n");
  EXPECT_EQ(r.stderr_data, "ls: cannot access 'nope': No such file or directory\n");
}

// --- wc --------------------------------------------------------------------

TEST_F(UtilitiesTest, WcCountsLinesWordsAndBytes) {
  write("/f", "one two\nthree\n\nfour");
  write("/g", "x\n");
  EXPECT_EQ(run({"wc", "f"}).stdout_data, "3 4 19 f\n");
  EXPECT_EQ(run({"wc", "-l", "f", "g"}).stdout_data, "3 f\n1 g\n4 total\n");
  EXPECT_EQ(run({"wc", "-w"}, "a b  c\n").stdout_data, "3\n");
  EXPECT_EQ(run({"wc", "-c", "-l"}, "ab\n").stdout_data, "1 3\n");
}

TEST_F(UtilitiesTest, WcReportsAMissingFile) {
  auto r = run({"wc", "-l", "nope"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "wc: nope: No such file or directory\n");
}

// --- head / tail -----------------------------------------------------------

TEST_F(UtilitiesTest, HeadPrintsTheFirstLinesOrBytes) {
  std::string text;
  for (int i = 1; i <= 15; ++i) text += "line" + std::to_string(i) + "\n";
  write("/f", text);
  auto r = run({"head", "f"});
  EXPECT_EQ(r.stdout_data, text.substr(0, text.find("line11")));
  EXPECT_EQ(run({"head", "-n", "2", "f"}).stdout_data, "line1\nline2\n");
  EXPECT_EQ(run({"head", "-n2"}, "a\nb\nc\n").stdout_data, "a\nb\n");
  EXPECT_EQ(run({"head", "-c", "3", "f"}).stdout_data, "lin");
  write("/g", "g1\ng2\n");
  EXPECT_EQ(run({"head", "-n", "1", "f", "g"}).stdout_data, "==> f <==\nline1\n\n==> g <==\ng1\n");
}

TEST_F(UtilitiesTest, HeadRejectsABadCountAndAMissingFile) {
  auto r = run({"head", "-n", "x"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "head: invalid number of lines: 'x'\n");
  auto m = run({"head", "nope"});
  EXPECT_EQ(m.exit_code, 1u);
  EXPECT_EQ(m.stderr_data, "head: nope: No such file or directory\n");
}

TEST_F(UtilitiesTest, TailPrintsTheLastLinesOrFromALine) {
  write("/f", "1\n2\n3\n4\n5\n");
  EXPECT_EQ(run({"tail", "-n", "2", "f"}).stdout_data, "4\n5\n");
  EXPECT_EQ(run({"tail", "-n", "+4", "f"}).stdout_data, "4\n5\n");
  EXPECT_EQ(run({"tail", "-n", "9", "f"}).stdout_data, "1\n2\n3\n4\n5\n");
  EXPECT_EQ(run({"tail", "-n", "0", "f"}).stdout_data, "");
  EXPECT_EQ(run({"tail", "-n", "1"}, "a\nb").stdout_data, "b");
  EXPECT_EQ(run({"tail", "-c", "3", "f"}).stdout_data, "\n5\n");
  EXPECT_EQ(run({"tail"}, "x\n").stdout_data, "x\n");
}

TEST_F(UtilitiesTest, TailReportsAMissingFile) {
  auto r = run({"tail", "nope"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "tail: nope: No such file or directory\n");
  EXPECT_EQ(run({"tail", "-n", "-x"}).exit_code, 1u);
}

// --- grep ------------------------------------------------------------------

TEST_F(UtilitiesTest, GrepMatchesFixedStringsAndRegularExpressions) {
  write("/f", "apple\nBanana\ncherry pie\napricot\n");
  auto r = run({"grep", "ap", "f"});
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.stdout_data, "apple\napricot\n");
  EXPECT_EQ(run({"grep", "^a.*e$", "f"}).stdout_data, "apple\n");
  EXPECT_EQ(run({"grep", "-E", "(pie|cot)$", "f"}).stdout_data, "cherry pie\napricot\n");
  EXPECT_EQ(run({"grep", "-F", "n.n", "f"}).exit_code, 1u);
  EXPECT_EQ(run({"grep", "n.n", "f"}).stdout_data, "Banana\n");
  EXPECT_EQ(run({"grep", "-i", "banana", "f"}).stdout_data, "Banana\n");
  EXPECT_EQ(run({"grep", "-iF", "BAN", "f"}).stdout_data, "Banana\n");
  EXPECT_EQ(run({"grep", "-n", "an", "f"}).stdout_data, "2:Banana\n");
  EXPECT_EQ(run({"grep", "-v", "a", "f"}).stdout_data, "cherry pie\n");
  EXPECT_EQ(run({"grep", "-c", "p", "f"}).stdout_data, "3\n");
  EXPECT_EQ(run({"grep", "x"}, "axb\nc\n").stdout_data, "axb\n");
  auto q = run({"grep", "-q", "cherry", "f"});
  EXPECT_EQ(q.exit_code, 0u);
  EXPECT_EQ(q.stdout_data, "");
}

TEST_F(UtilitiesTest, GrepRecursesThroughDirectoriesInNameOrder) {
  mkdir("/src");
  mkdir("/src/sub");
  write("/src/b.c", "int main;\n");
  write("/src/a.c", "// main here\nnothing\n");
  write("/src/sub/c.c", "main\n");
  write("/top.txt", "main\n");
  EXPECT_EQ(run({"grep", "-rn", "main", "src"}).stdout_data,
            "src/a.c:1:// main here\nsrc/b.c:1:int main;\nsrc/sub/c.c:1:main\n");
  EXPECT_EQ(run({"grep", "-rl", "main", "/src"}).stdout_data, "/src/a.c\n/src/b.c\n/src/sub/c.c\n");
  EXPECT_EQ(run({"grep", "-r", "-c", "nothing", "src"}).stdout_data, "src/a.c:1\nsrc/b.c:0\nsrc/sub/c.c:0\n");
  auto all = run({"grep", "-r", "main"});
  EXPECT_EQ(all.stdout_data, "src/a.c:// main here\nsrc/b.c:int main;\nsrc/sub/c.c:main\ntop.txt:main\n");
}

TEST_F(UtilitiesTest, GrepExitsOneWithoutAMatchAndTwoOnErrors) {
  write("/f", "abc\n");
  auto none = run({"grep", "zzz", "f"});
  EXPECT_EQ(none.exit_code, 1u);
  EXPECT_EQ(none.stdout_data, "");
  auto missing = run({"grep", "abc", "f", "nope"});
  EXPECT_EQ(missing.exit_code, 2u);
  EXPECT_EQ(missing.stdout_data, "f:abc\n");
  EXPECT_EQ(missing.stderr_data, "grep: nope: No such file or directory\n");
  auto bad = run({"grep", "-E", "a(", "f"});
  EXPECT_EQ(bad.exit_code, 2u);
  EXPECT_TRUE(bad.stderr_data.starts_with("grep: invalid regular expression 'a(': ")) << bad.stderr_data;
  EXPECT_EQ(run({"grep"}).exit_code, 2u);
}

// --- sort / uniq -----------------------------------------------------------

TEST_F(UtilitiesTest, SortOrdersBytewiseNumericallyReversedAndUnique) {
  write("/f", "pear\napple\nPear\nbanana\napple\n");
  EXPECT_EQ(run({"sort", "f"}).stdout_data, "Pear\napple\napple\nbanana\npear\n");
  EXPECT_EQ(run({"sort", "-r", "f"}).stdout_data, "pear\nbanana\napple\napple\nPear\n");
  EXPECT_EQ(run({"sort", "-u", "f"}).stdout_data, "Pear\napple\nbanana\npear\n");
  EXPECT_EQ(run({"sort", "-n"}, "10\n9\n-1\n2.5\nx\n").stdout_data, "-1\nx\n2.5\n9\n10\n");
  EXPECT_EQ(run({"sort", "-rn"}, "10\n9\n100\n").stdout_data, "100\n10\n9\n");
  EXPECT_EQ(run({"sort", "-nu"}, "2 b\n1\n2 a\n").stdout_data, "1\n2 b\n");
  EXPECT_EQ(run({"sort"}, "b\na").stdout_data, "a\nb\n");
  auto o = run({"sort", "-o", "f", "f"});
  EXPECT_EQ(o.stdout_data, "");
  EXPECT_EQ(read("/f"), "Pear\napple\napple\nbanana\npear\n");
}

TEST_F(UtilitiesTest, SortReportsAMissingFile) {
  auto r = run({"sort", "nope"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stdout_data, "");
  EXPECT_EQ(r.stderr_data, "sort: nope: No such file or directory\n");
}

TEST_F(UtilitiesTest, UniqCollapsesAdjacentRunsAndCounts) {
  const std::string in = "a\na\nb\na\nc\nc\nc\n";
  EXPECT_EQ(run({"uniq"}, in).stdout_data, "a\nb\na\nc\n");
  EXPECT_EQ(run({"uniq", "-c"}, in).stdout_data, "      2 a\n      1 b\n      1 a\n      3 c\n");
  EXPECT_EQ(run({"uniq", "-d"}, in).stdout_data, "a\nc\n");
  EXPECT_EQ(run({"uniq", "-u"}, in).stdout_data, "b\na\n");
  EXPECT_EQ(run({"uniq", "-i"}, "A\na\n").stdout_data, "A\n");
  write("/in", in);
  EXPECT_EQ(run({"uniq", "in", "out"}).exit_code, 0u);
  EXPECT_EQ(read("/out"), "a\nb\na\nc\n");
}

TEST_F(UtilitiesTest, UniqReportsAMissingInput) {
  auto r = run({"uniq", "nope"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "uniq: nope: No such file or directory\n");
}

// --- sha256sum / base64 ----------------------------------------------------

TEST_F(UtilitiesTest, Sha256sumMatchesTheFipsTestVectors) {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty message.
  EXPECT_EQ(run({"sha256sum"}, "abc").stdout_data,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n");
  EXPECT_EQ(run({"sha256sum"}, "").stdout_data,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -\n");
  EXPECT_EQ(run({"sha256sum"}, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").stdout_data,
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1  -\n");
  write("/million", std::string(1'000'000, 'a'));
  EXPECT_EQ(run({"sha256sum", "million"}).stdout_data,
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0  million\n");
}

TEST_F(UtilitiesTest, Sha256sumAgreesWithTheHostForEveryLengthAroundABlock) {
  std::string expected;
  std::vector<std::string> argv = {"sha256sum"};
  for (std::size_t n : {1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 1000u, 8193u}) {
    std::string name = "f" + std::to_string(n);
    std::string data = random_bytes(n, static_cast<unsigned>(n));
    write("/" + name, data);
    argv.push_back(name);
    expected += to_hex(Sha256::digest(data)) + "  " + name + "\n";
  }
  EXPECT_EQ(run(argv).stdout_data, expected);
}

TEST_F(UtilitiesTest, Sha256sumReportsAMissingFileAndStillSumsTheRest) {
  write("/a", "abc");
  auto r = run({"sha256sum", "nope", "a"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stdout_data, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a\n");
  EXPECT_EQ(r.stderr_data, "sha256sum: nope: No such file or directory\n");
}

TEST_F(UtilitiesTest, Base64EncodesWrapsAndDecodesBinary) {
  // RFC 4648 section 10 test vectors.
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(run({"base64"}, plain).stdout_data, encoded.empty() ? "" : encoded + "\n") << plain;
    EXPECT_EQ(run({"base64", "-d"}, encoded).stdout_data, plain) << encoded;
  }
  const std::string data = random_bytes(1000, 7);  // NULs and high bytes included
  write("/bin", data);
  auto enc = run({"base64", "bin"});
  EXPECT_EQ(enc.stdout_data.find('\n'), 76u);  // wrapped at 76 columns
  write("/bin.b64", enc.stdout_data);
  EXPECT_EQ(run({"base64", "-d", "bin.b64"}).stdout_data, data);
  auto flat = run({"base64", "-w", "0", "bin"});
  EXPECT_EQ(flat.stdout_data.find('\n'), flat.stdout_data.size() - 1);
}

TEST_F(UtilitiesTest, Base64RejectsInvalidInput) {
  for (std::string bad : {"Zm9v!", "Zg=x", "Z", "Zm9=v"}) {
    auto r = run({"base64", "-d"}, bad);
    EXPECT_EQ(r.exit_code, 1u) << bad;
    EXPECT_EQ(r.stderr_data, "base64: invalid input\n") << bad;
  }
  EXPECT_EQ(run({"base64", "nope"}).stderr_data, "base64: nope: No such file or directory\n");
}

// --- mkdir / touch ---------------------------------------------------------

TEST_F(UtilitiesTest, MkdirCreatesDirectoriesAndParentsWithP) {
  EXPECT_EQ(run({"mkdir", "a", "/b"}).exit_code, 0u);
  EXPECT_EQ(type_of("/a"), vfs::FileType::Directory);
  EXPECT_EQ(type_of("/b"), vfs::FileType::Directory);
  auto p = run({"mkdir", "-p", "x/y/z", "a"});
  EXPECT_EQ(p.exit_code, 0u) << p.stderr_data;
  EXPECT_EQ(type_of("/x/y/z"), vfs::FileType::Directory);
}

TEST_F(UtilitiesTest, MkdirFailsOnAnExistingNameOrMissingParent) {
  write("/f", "");
  auto r = run({"mkdir", "f", "no/parent"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data,
            "mkdir: cannot create directory 'f': File exists\n"
            "mkdir: cannot create directory 'no/parent': No such file or directory\n");
  EXPECT_FALSE(exists("/no"));
  EXPECT_EQ(run({"mkdir", "-p", "f/sub"}).exit_code, 1u);
  EXPECT_EQ(run({"mkdir"}).stderr_data, "mkdir: missing operand\n");
}

TEST_F(UtilitiesTest, TouchCreatesMissingFilesAndUpdatesExistingTimes) {
  write("/old", "keep");
  const auto before = vfs_.stat_at(vfs_.root(), "/old")->mtime_ns;
  auto r = run({"touch", "new", "old"});
  EXPECT_EQ(r.exit_code, 0u) << r.stderr_data;
  EXPECT_EQ(read("/new"), "");
  EXPECT_EQ(read("/old"), "keep");
  EXPECT_NE(vfs_.stat_at(vfs_.root(), "/old")->mtime_ns, before);
  EXPECT_EQ(run({"touch", "-c", "absent"}).exit_code, 0u);
  EXPECT_FALSE(exists("/absent"));
}

TEST_F(UtilitiesTest, TouchFailsWhenTheParentIsMissing) {
  auto r = run({"touch", "no/such"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "touch: cannot touch 'no/such': No such file or directory\n");
}

// --- cp / mv / rm ----------------------------------------------------------

TEST_F(UtilitiesTest, CpCopiesFilesIntoDirectoriesAndTreesWithR) {
  write("/a", std::string("bin\0ary", 7));
  mkdir("/d");
  EXPECT_EQ(run({"cp", "a", "b"}).exit_code, 0u);
  EXPECT_EQ(read("/b"), std::string("bin\0ary", 7));
  EXPECT_EQ(run({"cp", "a", "b", "d"}).exit_code, 0u);
  EXPECT_EQ(read("/d/a"), read("/a"));
  EXPECT_EQ(read("/d/b"), read("/a"));
  mkdir("/d/sub");
  write("/d/sub/x", "x");
  ASSERT_TRUE(vfs_.symlink("x", vfs_.root(), "/d/sub/link").has_value());
  auto r = run({"cp", "-r", "d", "e"});
  EXPECT_EQ(r.exit_code, 0u) << r.stderr_data;
  EXPECT_EQ(read("/e/sub/x"), "x");
  EXPECT_EQ(type_of("/e/sub/link"), vfs::FileType::Symlink);
  EXPECT_EQ(read("/e/a"), read("/a"));
}

TEST_F(UtilitiesTest, CpRefusesDirectoriesWithoutRAndMissingSources) {
  mkdir("/d");
  auto dir = run({"cp", "d", "e"});
  EXPECT_EQ(dir.exit_code, 1u);
  EXPECT_EQ(dir.stderr_data, "cp: -r not specified; omitting directory 'd'\n");
  EXPECT_FALSE(exists("/e"));
  auto missing = run({"cp", "nope", "e"});
  EXPECT_EQ(missing.exit_code, 1u);
  EXPECT_EQ(missing.stderr_data, "cp: cannot stat 'nope': No such file or directory\n");
  EXPECT_EQ(run({"cp", "-r", "d", "d/inside"}).exit_code, 1u);
  EXPECT_EQ(run({"cp", "x"}).stderr_data, "cp: missing destination file operand after 'x'\n");
}

TEST_F(UtilitiesTest, MvRenamesAndMovesIntoDirectories) {
  write("/a", "A");
  write("/b", "B");
  mkdir("/d");
  EXPECT_EQ(run({"mv", "a", "c"}).exit_code, 0u);
  EXPECT_FALSE(exists("/a"));
  EXPECT_EQ(read("/c"), "A");
  EXPECT_EQ(run({"mv", "b", "c", "d"}).exit_code, 0u);
  EXPECT_EQ(read("/d/b"), "B");
  EXPECT_EQ(read("/d/c"), "A");
  EXPECT_EQ(run({"mv", "d", "e"}).exit_code, 0u);
  EXPECT_EQ(read("/e/b"), "B");
}

TEST_F(UtilitiesTest, MvReportsAMissingSource) {
  auto r = run({"mv", "nope", "x"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "mv: cannot stat 'nope': No such file or directory\n");
  write("/a", "");
  EXPECT_EQ(run({"mv", "a", "a", "notadir"}).stderr_data, "mv: target 'notadir' is not a directory\n");
}

TEST_F(UtilitiesTest, RmRemovesFilesAndTreesWithR) {
  write("/a", "");
  mkdir("/d");
  mkdir("/d/sub");
  write("/d/sub/x", "");
  write("/d/y", "");
  EXPECT_EQ(run({"rm", "a"}).exit_code, 0u);
  EXPECT_FALSE(exists("/a"));
  auto r = run({"rm", "-r", "d"});
  EXPECT_EQ(r.exit_code, 0u) << r.stderr_data;
  EXPECT_FALSE(exists("/d"));
  EXPECT_EQ(run({"rm", "-f", "nope"}).exit_code, 0u);
  EXPECT_EQ(run({"rm", "-f"}).exit_code, 0u);
}

TEST_F(UtilitiesTest, RmRefusesDirectoriesWithoutRMissingFilesAndTheRoot) {
  mkdir("/d");
  write("/d/x", "");
  auto dir = run({"rm", "d"});
  EXPECT_EQ(dir.exit_code, 1u);
  EXPECT_EQ(dir.stderr_data, "rm: cannot remove 'd': Is a directory\n");
  auto missing = run({"rm", "nope"});
  EXPECT_EQ(missing.exit_code, 1u);
  EXPECT_EQ(missing.stderr_data, "rm: cannot remove 'nope': No such file or directory\n");
  auto root = run({"rm", "-rf", "/"});
  EXPECT_EQ(root.exit_code, 1u);
  EXPECT_EQ(root.stderr_data, "rm: refusing to remove '/'\n");
  EXPECT_EQ(run({"rm", "-r", "."}).exit_code, 1u);
  EXPECT_EQ(read("/d/x"), "");
}

// --- tr / tee / seq --------------------------------------------------------

TEST_F(UtilitiesTest, TrTranslatesDeletesAndSqueezes) {
  EXPECT_EQ(run({"tr", "a-z", "A-Z"}, "hello, World\n").stdout_data, "HELLO, WORLD\n");
  EXPECT_EQ(run({"tr", "[:lower:]", "[:upper:]"}, "abc\n").stdout_data, "ABC\n");
  EXPECT_EQ(run({"tr", "-d", "lo"}, "hello world").stdout_data, "he wrd");
  EXPECT_EQ(run({"tr", "-s", " "}, "a   b  c").stdout_data, "a b c");
  EXPECT_EQ(run({"tr", "abc", "x"}, "aabbcd").stdout_data, "xxxxxd");
  EXPECT_EQ(run({"tr", "\\n", " "}, "a\nb\n").stdout_data, "a b ");
  EXPECT_EQ(run({"tr", "-cd", "[:digit:]"}, "a1b2c3\n").stdout_data, "123");
}

TEST_F(UtilitiesTest, TrRejectsMissingOperandsAndBadSets) {
  auto r = run({"tr", "a"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "tr: missing operand after 'a'\n");
  EXPECT_EQ(run({"tr"}).stderr_data, "tr: missing operand\n");
  EXPECT_EQ(run({"tr", "z-a", "x"}).stderr_data, "tr: invalid set 'z-a'\n");
  EXPECT_EQ(run({"tr", "[:bogus:]", "x"}).exit_code, 1u);
}

TEST_F(UtilitiesTest, TeeCopiesStdinToStdoutAndFiles) {
  auto r = run({"tee", "a", "b"}, "data\n");
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_EQ(r.stdout_data, "data\n");
  EXPECT_EQ(read("/a"), "data\n");
  EXPECT_EQ(read("/b"), "data\n");
  EXPECT_EQ(run({"tee", "-a", "a"}, "more\n").exit_code, 0u);
  EXPECT_EQ(read("/a"), "data\nmore\n");
  EXPECT_EQ(run({"tee", "b"}, "new\n").exit_code, 0u);
  EXPECT_EQ(read("/b"), "new\n");
}

TEST_F(UtilitiesTest, TeeReportsAnUnwritableFileButFeedsTheOthers) {
  auto r = run({"tee", "no/such", "ok"}, "x\n");
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stdout_data, "x\n");
  EXPECT_EQ(r.stderr_data, "tee: no/such: No such file or directory\n");
  EXPECT_EQ(read("/ok"), "x\n");
}

TEST_F(UtilitiesTest, SeqCountsUpAndDownWithSeparatorAndWidth) {
  EXPECT_EQ(run({"seq", "3"}).stdout_data, "1\n2\n3\n");
  EXPECT_EQ(run({"seq", "2", "4"}).stdout_data, "2\n3\n4\n");
  EXPECT_EQ(run({"seq", "10", "-3", "1"}).stdout_data, "10\n7\n4\n1\n");
  EXPECT_EQ(run({"seq", "-s", ",", "1", "3"}).stdout_data, "1,2,3\n");
  EXPECT_EQ(run({"seq", "-w", "8", "10"}).stdout_data, "08\n09\n10\n");
  EXPECT_EQ(run({"seq", "-2", "0"}).stdout_data, "-2\n-1\n0\n");
  EXPECT_EQ(run({"seq", "5", "1"}).stdout_data, "");
}

TEST_F(UtilitiesTest, SeqRejectsBadArguments) {
  auto zero = run({"seq", "1", "0", "5"});
  EXPECT_EQ(zero.exit_code, 1u);
  EXPECT_EQ(zero.stderr_data, "seq: invalid Zero increment value: '0'\n");
  auto word = run({"seq", "x"});
  EXPECT_EQ(word.exit_code, 1u);
  EXPECT_EQ(word.stderr_data, "seq: invalid integer argument: 'x'\n");
  EXPECT_EQ(run({"seq"}).stderr_data, "seq: missing operand\n");
}

// --- find / cut / ln / rmdir / pwd / basename / dirname ---------------------

TEST_F(UtilitiesTest, FindWalksInNameOrderWithNameTypeAndDepthTests) {
  mkdir("/p");
  mkdir("/p/sub");
  write("/p/b.txt", "");
  write("/p/a.c", "");
  write("/p/sub/c.txt", "");
  EXPECT_EQ(run({"find", "p"}).stdout_data, "p\np/a.c\np/b.txt\np/sub\np/sub/c.txt\n");
  EXPECT_EQ(run({"find", "/p", "-name", "*.txt"}).stdout_data, "/p/b.txt\n/p/sub/c.txt\n");
  EXPECT_EQ(run({"find", "p", "-type", "d"}).stdout_data, "p\np/sub\n");
  EXPECT_EQ(run({"find", "p", "-maxdepth", "1", "-type", "f"}).stdout_data, "p/a.c\np/b.txt\n");
  EXPECT_EQ(run({"find", "p", "-mindepth", "2"}).stdout_data, "p/sub/c.txt\n");
  EXPECT_EQ(run({"find", "-name", "a.c"}).stdout_data, "./p/a.c\n");
}

TEST_F(UtilitiesTest, FindReportsMissingPathsAndBadPredicates) {
  auto r = run({"find", "nope"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "find: 'nope': No such file or directory\n");
  EXPECT_EQ(run({"find", ".", "-bogus", "x"}).stderr_data, "find: unknown predicate '-bogus'\n");
  EXPECT_EQ(run({"find", ".", "-type", "q"}).exit_code, 1u);
  EXPECT_EQ(run({"find", ".", "-name"}).stderr_data, "find: missing argument to '-name'\n");
}

TEST_F(UtilitiesTest, CutSelectsFieldsAndBytes) {
  const std::string in = "a:b:c\nxyz\n";
  EXPECT_EQ(run({"cut", "-d", ":", "-f", "1,3"}, in).stdout_data, "a:c\nxyz\n");
  EXPECT_EQ(run({"cut", "-d:", "-f2-", "-s"}, in).stdout_data, "b:c\n");
  EXPECT_EQ(run({"cut", "-c", "2-"}, in).stdout_data, ":b:c\nyz\n");
  EXPECT_EQ(run({"cut", "-c", "-2"}, in).stdout_data, "a:\nxy\n");
  EXPECT_EQ(run({"cut", "-f", "2"}, "1\t2\t3\n").stdout_data, "2\n");
}

TEST_F(UtilitiesTest, CutRejectsBadListsAndMissingFiles) {
  EXPECT_EQ(run({"cut", "-f", "0"}).stderr_data, "cut: invalid list '0'\n");
  EXPECT_EQ(run({"cut", "-f", "3-1"}).exit_code, 1u);
  EXPECT_EQ(run({"cut"}).stderr_data, "cut: you must specify a list of bytes, characters, or fields\n");
  auto r = run({"cut", "-f1", "nope"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "cut: nope: No such file or directory\n");
}

TEST_F(UtilitiesTest, LnMakesSymbolicLinks) {
  write("/t", "target");
  mkdir("/d");
  EXPECT_EQ(run({"ln", "-s", "t", "l"}).exit_code, 0u);
  EXPECT_EQ(type_of("/l"), vfs::FileType::Symlink);
  EXPECT_EQ(read("/l"), "target");
  EXPECT_EQ(run({"ln", "-s", "/t", "d"}).exit_code, 0u);
  EXPECT_EQ(*vfs_.readlink(vfs_.root(), "/d/t"), "/t");
  EXPECT_EQ(run({"ln", "-sf", "d", "l"}).exit_code, 0u);
  EXPECT_EQ(*vfs_.readlink(vfs_.root(), "/l"), "d");
}

TEST_F(UtilitiesTest, LnRefusesHardLinksAndExistingNames) {
  write("/t", "");
  EXPECT_EQ(run({"ln", "t", "h"}).stderr_data, "ln: hard links are not supported; use -s\n");
  auto r = run({"ln", "-s", "x", "t"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data, "ln: failed to create symbolic link 't': File exists\n");
}

TEST_F(UtilitiesTest, RmdirRemovesEmptyDirectoriesAndParentsWithP) {
  mkdir("/a");
  mkdir("/a/b");
  mkdir("/a/b/c");
  EXPECT_EQ(run({"rmdir", "-p", "a/b/c"}).exit_code, 0u);
  EXPECT_FALSE(exists("/a"));
  mkdir("/x");
  EXPECT_EQ(run({"rmdir", "/x"}).exit_code, 0u);
  EXPECT_FALSE(exists("/x"));
}

TEST_F(UtilitiesTest, RmdirRefusesNonEmptyAndMissingDirectories) {
  mkdir("/d");
  write("/d/f", "");
  auto r = run({"rmdir", "d", "nope"});
  EXPECT_EQ(r.exit_code, 1u);
  EXPECT_EQ(r.stderr_data,
            "rmdir: failed to remove 'd': Directory not empty\n"
            "rmdir: failed to remove 'nope': No such file or directory\n");
  EXPECT_TRUE(exists("/d/f"));
}

TEST_F(UtilitiesTest, PwdBasenameAndDirnameHandlePaths) {
  EXPECT_EQ(run({"pwd"}).stdout_data, "/\n");
  EXPECT_EQ(run({"basename", "/a/b.c", ".c"}).stdout_data, "b\n");
  EXPECT_EQ(run({"basename", "a/b/"}).stdout_data, "b\n");
  EXPECT_EQ(run({"basename", "/"}).stdout_data, "/\n");
  EXPECT_EQ(run({"dirname", "/a/b", "a", "/", "a/b/", "/a"}).stdout_data, "/a\n.\n/\na\n/\n");
  EXPECT_EQ(run({"basename"}).exit_code, 1u);
  EXPECT_EQ(run({"dirname"}).stderr_data, "dirname: missing operand\n");
  EXPECT_EQ(run({"basename", "a", "b", "c"}).stderr_data, "basename: extra operand 'c'\n");
}

}  // namespace
}  // namespace wg::runtimes
