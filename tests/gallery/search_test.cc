#include "gallery/search.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gallery/builtins.h"

namespace wg::gallery {
namespace {

std::vector<const Template*> builtins() {
  std::vector<const Template*> out;
  for (const Template& t : builtin_templates()) out.push_back(&t);
  return out;
}

std::vector<SearchHit> search_builtins(std::string_view query, std::size_t limit = 100) {
  auto docs = builtins();
  auto hits = search_templates(docs, query, limit);
  EXPECT_TRUE(hits.has_value()) << hits.error().to_string();
  return hits ? *hits : std::vector<SearchHit>{};
}

Template doc(std::string id, std::string name, std::string description, std::vector<std::string> tags = {}) {
  Template t;
  t.id = std::move(id);
  t.name = std::move(name);
  t.description = std::move(description);
  t.tags = std::move(tags);
  t.category = "misc";
  return t;
}

void expect_ordered(const std::vector<SearchHit>& hits) {
  for (std::size_t i = 1; i < hits.size(); ++i) {
    EXPECT_TRUE(hits[i - 1].score > hits[i].score ||
                (hits[i - 1].score == hits[i].score && hits[i - 1].id < hits[i].id))
        << hits[i - 1].id << " " << hits[i - 1].score << " before " << hits[i].id << " " << hits[i].score;
  }
}

TEST(TokenizeTest, LowercasesSplitsDropsStopWordsAndStemsPlurals) {
  EXPECT_EQ(tokenize("Unit-Tests, for the CSV files"), (std::vector<std::string>{"unit", "test", "csv", "file"}));
  EXPECT_EQ(tokenize("vulnerabilities analysis class"),
            (std::vector<std::string>{"vulnerability", "analysis", "class"}));
  EXPECT_TRUE(tokenize("  ,.;  ").empty());
}

TEST(SearchTest, SecurityAuditRanksTheSecurityTemplateFirst) {
  auto hits = search_builtins("security audit");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, "security");
  EXPECT_GT(hits[0].score, 0.0);
  expect_ordered(hits);
}

TEST(SearchTest, ConcreteQueriesFindTheirTemplateFirst) {
  EXPECT_EQ(search_builtins("write unit tests").at(0).id, "tester");
  EXPECT_EQ(search_builtins("ruby script").at(0).id, "ruby-scripter");
  EXPECT_EQ(search_builtins("csv statistics").at(0).id, "data-analyst");
  EXPECT_EQ(search_builtins("swarm coordination").at(0).id, "orchestrator");
  EXPECT_EQ(search_builtins("README documentation").at(0).id, "docs-writer");
  EXPECT_EQ(search_builtins("code review").at(0).id, "reviewer");
  EXPECT_EQ(search_builtins("code").at(0).id, "coder");
  EXPECT_EQ(search_builtins("plan milestones").at(0).id, "planner");
}

TEST(SearchTest, PluralQueryMatchesSingularWords) {
  auto hits = search_builtins("vulnerability");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, "security");
}

TEST(SearchTest, TermsThatMatchNothingGiveAnEmptyList) {
  EXPECT_TRUE(search_builtins("zzqxj").empty());
  EXPECT_TRUE(search_builtins("the and of").empty());  // stop words only
}

TEST(SearchTest, OnlyDocumentsContainingATermAreReturned) {
  for (const SearchHit& h : search_builtins("ruby")) {
    const Template* t = find_builtin(h.id);
    ASSERT_NE(t, nullptr);
    std::string text = t->name + " " + t->id + " " + t->description + " " + t->category;
    for (const auto& tag : t->tags) text += " " + tag;
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(text.find("ruby"), std::string::npos) << h.id;
  }
}

TEST(SearchTest, EmptyOrWordlessQueryIsInvalid) {
  auto docs = builtins();
  for (std::string_view q : {"", "   ", "\t\n", "!!! ??"}) {
    auto r = search_templates(docs, q, 10);
    ASSERT_FALSE(r.has_value()) << "'" << q << "'";
    EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
  }
  auto zero = search_templates(docs, "code", 0);
  ASSERT_FALSE(zero.has_value());
  auto huge = search_templates(docs, std::string(kMaxQueryBytes + 1, 'a'), 10);
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code(), ErrorCode::LimitExceeded);
}

TEST(SearchTest, EqualScoresAreOrderedById) {
  // Ids are indexed with the name, so give both the same token count.
  Template b = doc("beta-twin", "Twin", "parses logs");
  Template a = doc("alpha-twin", "Twin", "parses logs");
  Template c = doc("c-other", "Other", "unrelated words");
  std::vector<const Template*> docs = {&b, &c, &a};
  auto hits = search_templates(docs, "logs twin", 10);
  ASSERT_TRUE(hits.has_value());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].id, "alpha-twin");
  EXPECT_EQ((*hits)[1].id, "beta-twin");
  EXPECT_EQ((*hits)[0].score, (*hits)[1].score);
  EXPECT_EQ((*hits)[0].index, 2u);
}

TEST(SearchTest, NameMatchesOutweighDescriptionMatches) {
  Template in_name = doc("one", "Parser", "does things");
  Template in_desc = doc("two", "Thing", "a parser");
  Template filler = doc("three", "Other", "more text");
  std::vector<const Template*> docs = {&in_desc, &in_name, &filler};
  auto hits = search_templates(docs, "parser", 10);
  ASSERT_TRUE(hits.has_value());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].id, "one");
  EXPECT_GT((*hits)[0].score, (*hits)[1].score);
}

TEST(SearchTest, MoreMatchingTermsScoreHigherAndRepeatsDoNotCount) {
  auto one = search_builtins("security");
  auto twice = search_builtins("security security");
  ASSERT_EQ(one.size(), twice.size());
  for (std::size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i].score, twice[i].score);
  auto two_terms = search_builtins("security audit");
  EXPECT_GT(two_terms.at(0).score, one.at(0).score);
}

TEST(SearchTest, RespectsTheLimit) {
  auto all = search_builtins("code");
  ASSERT_GE(all.size(), 2u);
  expect_ordered(all);
  EXPECT_GT(all[0].score, all.back().score);
  auto one = search_builtins("code", 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].id, all[0].id);
}

}  // namespace
}  // namespace wg::gallery
