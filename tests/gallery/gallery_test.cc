#include "gallery/gallery.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>
#include <thread>
#include <vector>

#include "gallery/builtins.h"
#include "gallery/test_json.h"

namespace wg::gallery {
namespace {

namespace json = boost::json;
using testing::json_of;

json::value custom(std::string_view id, std::string_view category = "ops", std::string_view description = "") {
  return json::object{{"id", id},
                      {"name", "Custom " + std::string(id)},
                      {"category", category},
                      {"description", description},
                      {"tags", json::array{"custom"}}};
}

std::unique_ptr<Gallery> open_gallery(TemplateStore& store, GalleryLimits limits = {}) {
  auto g = Gallery::open(store, limits);
  EXPECT_TRUE(g.has_value()) << g.error().to_string();
  return g ? std::move(*g) : nullptr;
}

std::vector<std::string> ids_of(const std::vector<Template>& ts) {
  std::vector<std::string> out;
  for (const Template& t : ts) out.push_back(t.id);
  return out;
}

std::vector<std::string> builtin_ids() {
  std::vector<std::string> out;
  for (const Template& t : builtin_templates()) out.push_back(t.id);
  return out;
}

class GalleryTest : public ::testing::Test {
 protected:
  MemoryTemplateStore store_;
  std::unique_ptr<Gallery> gallery_ = open_gallery(store_);
};

TEST_F(GalleryTest, ListsBuiltinsFirstThenCustomsById) {
  ASSERT_TRUE(gallery_->add_custom(custom("zeta")).has_value());
  ASSERT_TRUE(gallery_->add_custom(custom("alpha")).has_value());
  std::vector<std::string> expected = builtin_ids();
  expected.push_back("alpha");
  expected.push_back("zeta");
  EXPECT_EQ(ids_of(gallery_->list()), expected);
}

TEST_F(GalleryTest, GetResolvesAliases) {
  auto swarm = gallery_->get("swarm");
  ASSERT_TRUE(swarm.has_value());
  EXPECT_EQ(swarm->id, "orchestrator");
  EXPECT_EQ(gallery_->resolve("swarm"), "orchestrator");
  EXPECT_EQ(gallery_->get("coder")->id, "coder");
}

TEST_F(GalleryTest, UnknownIdIsNotFoundNamingTheNearestIds) {
  auto r = gallery_->get("codr");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_NE(r.error().message().find("no template \"codr\"; nearest ids: coder"), std::string::npos)
      << r.error().message();
}

TEST_F(GalleryTest, AddCustomReportsReplacement) {
  auto first = gallery_->add_custom(custom("mine", "ops", "first"));
  ASSERT_TRUE(first.has_value()) << first.error().to_string();
  EXPECT_FALSE(first->replaced);
  EXPECT_TRUE(first->tmpl.custom);
  auto second = gallery_->add_custom(custom("mine", "ops", "second"));
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->replaced);
  EXPECT_EQ(gallery_->get("mine")->description, "second");
  EXPECT_EQ(store_.template_count(), 1u);
}

TEST_F(GalleryTest, CustomIdsMayNotShadowBuiltinsOrAliases) {
  auto builtin = gallery_->add_custom(custom("coder"));
  ASSERT_FALSE(builtin.has_value());
  EXPECT_EQ(builtin.error().code(), ErrorCode::Invalid);
  EXPECT_NE(builtin.error().message().find("is a built-in template"), std::string::npos);
  auto alias = gallery_->add_custom(custom("swarm"));
  ASSERT_FALSE(alias.has_value());
  EXPECT_NE(alias.error().message().find("alias of the built-in template \"orchestrator\""), std::string::npos);
  EXPECT_EQ(store_.template_count(), 0u);
}

TEST_F(GalleryTest, AddCustomPassesParseErrorsThrough) {
  auto r = gallery_->add_custom(json_of(R"({"id":"x","name":"X","maxTurn":3})"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
  EXPECT_NE(r.error().message().find("did you mean \"maxTurns\""), std::string::npos);
}

TEST_F(GalleryTest, BuiltinsCannotBeRemoved) {
  for (std::string_view id : {"coder", "swarm"}) {
    auto r = gallery_->remove_custom(id);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
    EXPECT_NE(r.error().message().find("cannot be removed"), std::string::npos);
  }
  EXPECT_TRUE(gallery_->get("coder").has_value());
}

TEST_F(GalleryTest, RemovingAnUnknownCustomIsNotFound) {
  ASSERT_TRUE(gallery_->add_custom(custom("deploy-bot")).has_value());
  auto r = gallery_->remove_custom("deploy-bott");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_NE(r.error().message().find("did you mean \"deploy-bot\""), std::string::npos) << r.error().message();
  ASSERT_TRUE(gallery_->remove_custom("deploy-bot").has_value());
  EXPECT_FALSE(gallery_->get("deploy-bot").has_value());
  EXPECT_EQ(store_.template_count(), 0u);
}

TEST_F(GalleryTest, ImportIsAllOrNothing) {
  const std::string payload = R"([
    {"id":"one","name":"One"},
    {"id":"two","name":"Two"},
    {"id":"three","name":"Three","tools":["read_file","shell"]}
  ])";
  auto r = gallery_->import_custom(payload);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
  EXPECT_NE(r.error().message().find("templates[2].tools[1]: unknown tool \"shell\""), std::string::npos)
      << r.error().message();
  EXPECT_EQ(ids_of(gallery_->list()), builtin_ids());
  EXPECT_EQ(store_.template_count(), 0u);
}

TEST_F(GalleryTest, ImportRejectsClashesAndDuplicatesWithoutStoringAnything) {
  auto clash = gallery_->import_custom(R"([{"id":"fine","name":"F"},{"id":"tester","name":"T"}])");
  ASSERT_FALSE(clash.has_value());
  EXPECT_NE(clash.error().message().find("templates[1].id"), std::string::npos);
  auto dup = gallery_->import_custom(R"([{"id":"x","name":"A"},{"id":"x","name":"B"}])");
  ASSERT_FALSE(dup.has_value());
  EXPECT_NE(dup.error().message().find("appears twice"), std::string::npos);
  auto syntax = gallery_->import_custom(R"([{"id":"x","name":"A"})");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_EQ(syntax.error().code(), ErrorCode::Malformed);
  auto dup_key = gallery_->import_custom(R"([{"id":"x","name":"A","name":"B"}])");
  ASSERT_FALSE(dup_key.has_value());
  EXPECT_EQ(dup_key.error().code(), ErrorCode::Malformed);
  auto wrapper = gallery_->import_custom(R"({"templates":[], "extra": 1})");
  ASSERT_FALSE(wrapper.has_value());
  EXPECT_EQ(wrapper.error().code(), ErrorCode::Invalid);
  EXPECT_EQ(store_.template_count(), 0u);
}

TEST_F(GalleryTest, ImportAcceptsAnArrayOrATemplatesObjectAndCountsReplacements) {
  auto a = gallery_->import_custom(R"([{"id":"one","name":"One"},{"id":"two","name":"Two"}])");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  EXPECT_EQ(a->imported, 2u);
  EXPECT_EQ(a->replaced, 0u);
  auto b = gallery_->import_custom(R"({"templates":[{"id":"two","name":"Two v2"},{"id":"three","name":"3"}]})");
  ASSERT_TRUE(b.has_value()) << b.error().to_string();
  EXPECT_EQ(b->imported, 2u);
  EXPECT_EQ(b->replaced, 1u);
  EXPECT_EQ(gallery_->get("two")->name, "Two v2");
  EXPECT_EQ(store_.template_count(), 3u);
}

TEST(GalleryLimitsTest, ImportCapsPayloadSizeAndCount) {
  MemoryTemplateStore store;
  GalleryLimits limits;
  limits.max_import_templates = 2;
  limits.max_import_bytes = 200;
  auto g = open_gallery(store, limits);
  auto count = g->import_custom(R"([{"id":"a","name":"A"},{"id":"b","name":"B"},{"id":"c","name":"C"}])");
  ASSERT_FALSE(count.has_value());
  EXPECT_EQ(count.error().code(), ErrorCode::LimitExceeded);
  auto size = g->import_custom("[" + std::string(300, ' ') + "]");
  ASSERT_FALSE(size.has_value());
  EXPECT_EQ(size.error().code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(store.template_count(), 0u);
}

TEST_F(GalleryTest, ExportRoundTripsThroughImport) {
  json::value rich = json_of(R"({"id":"rich","name":"Rich","category":"data","tags":["a","b"],
      "model":"openai:gpt-4o","instructions":"line1\nline2","maxTurns":12,"tools":["grep","run"],
      "runtimes":["ruby"],"limits":{"fuel":5,"maxTodos":3},
      "skills":[{"name":"s","description":"d","trigger":"t","content":"c"}],
      "prompts":[{"name":"p","systemPrompt":"sp","version":"1"}],
      "mcpTools":[{"name":"m","description":"md","inputSchema":{"type":"object"},"group":"g"}],
      "toolDefinitions":[{"name":"td","description":"x","parameters":{"a":1},"returns":"string"}],
      "version":"2.0.0"})");
  ASSERT_TRUE(gallery_->add_custom(rich).has_value());
  ASSERT_TRUE(gallery_->add_custom(custom("plain")).has_value());
  const json::array exported = gallery_->export_custom();
  ASSERT_EQ(exported.size(), 2u);

  MemoryTemplateStore other_store;
  auto other = open_gallery(other_store);
  auto imported = other->import_custom(json::serialize(exported));
  ASSERT_TRUE(imported.has_value()) << imported.error().to_string();
  EXPECT_EQ(imported->imported, 2u);
  EXPECT_EQ(other->export_custom(), exported);
  EXPECT_EQ(*other->get("rich"), *gallery_->get("rich"));
}

TEST_F(GalleryTest, CustomsAndActiveConfigurationSurviveReopen) {
  ASSERT_TRUE(gallery_->add_custom(custom("keeper", "ops", "kept across restarts")).has_value());
  ASSERT_TRUE(gallery_->set_active("keeper").has_value());
  ASSERT_TRUE(gallery_->configure(json_of(R"({"maxTurns": 9, "limits": {"fuel": 1000}})")).has_value());

  auto reopened = open_gallery(store_);
  EXPECT_TRUE(reopened->warnings().empty());
  EXPECT_EQ(ids_of(reopened->list()), ids_of(gallery_->list()));
  EXPECT_EQ(*reopened->get("keeper"), *gallery_->get("keeper"));
  EXPECT_EQ(reopened->active(), std::optional<std::string>("keeper"));
  EXPECT_EQ(reopened->config(), gallery_->config());
  auto eff = reopened->effective("keeper");
  ASSERT_TRUE(eff.has_value());
  EXPECT_EQ(eff->max_turns, 9u);
  EXPECT_EQ(eff->limits.fuel, 1000u);
}

TEST_F(GalleryTest, CorruptStoredRowsAreSkippedWithWarnings) {
  ASSERT_TRUE(gallery_->add_custom(custom("good")).has_value());
  store_.put_raw("broken", "{\"id\": ");
  store_.put_raw("liar", R"({"id":"someone-else","name":"X"})");
  store_.put_raw("coder", R"({"id":"coder","name":"Shadow"})");
  store_.put_raw("strict", R"({"id":"strict","name":"S","maxTurns":0})");
  ASSERT_TRUE(store_.put_setting(kActiveSettingKey, R"({"id":"vanished","config":{}})").has_value());

  auto reopened = open_gallery(store_);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->warnings().size(), 5u);
  std::vector<std::string> expected = builtin_ids();
  expected.push_back("good");
  EXPECT_EQ(ids_of(reopened->list()), expected);
  EXPECT_EQ(reopened->get("coder")->name, "Coder");
  EXPECT_FALSE(reopened->active().has_value());
}

TEST_F(GalleryTest, ConfigureWithoutAnActiveTemplateIsAnError) {
  auto r = gallery_->configure(json_of(R"({"maxTurns": 5})"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
  EXPECT_NE(r.error().message().find("no template is active"), std::string::npos);
  EXPECT_TRUE(gallery_->config().empty());
}

TEST_F(GalleryTest, ConfigureAppliesOnlyToTheActiveTemplate) {
  EXPECT_EQ(gallery_->set_active("swarm"), "orchestrator");
  EXPECT_EQ(gallery_->active(), std::optional<std::string>("orchestrator"));
  auto eff = gallery_->configure(json_of(R"({"model": "anthropic:claude-haiku-4-5", "tools": ["read_file"]})"));
  ASSERT_TRUE(eff.has_value()) << eff.error().to_string();
  EXPECT_EQ(eff->model, "anthropic:claude-haiku-4-5");
  EXPECT_EQ(eff->tools, std::vector<std::string>{"read_file"});
  EXPECT_EQ(json::serialize(gallery_->config()), R"({"model":"anthropic:claude-haiku-4-5","tools":["read_file"]})");
  // The stored template is unchanged; effective() applies the overrides.
  EXPECT_EQ(gallery_->get("orchestrator")->model, find_builtin("orchestrator")->model);
  EXPECT_EQ(gallery_->effective("swarm")->model, "anthropic:claude-haiku-4-5");
  EXPECT_EQ(*gallery_->effective("coder"), *find_builtin("coder"));
}

TEST_F(GalleryTest, ConfigureMergesAndNullRemoves) {
  ASSERT_TRUE(gallery_->set_active("coder").has_value());
  ASSERT_TRUE(gallery_->configure(json_of(R"({"maxTurns": 5, "model": "x:y"})")).has_value());
  ASSERT_TRUE(gallery_->configure(json_of(R"({"model": null, "instructions": "Be brief."})")).has_value());
  EXPECT_EQ(json::serialize(gallery_->config()), R"({"maxTurns":5,"instructions":"Be brief."})");
  auto bad = gallery_->configure(json_of(R"({"maxturns": 5})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("did you mean \"maxTurns\""), std::string::npos);
  EXPECT_EQ(json::serialize(gallery_->config()), R"({"maxTurns":5,"instructions":"Be brief."})");
}

TEST_F(GalleryTest, SwitchingTheActiveTemplateDropsItsOverrides) {
  ASSERT_TRUE(gallery_->set_active("coder").has_value());
  ASSERT_TRUE(gallery_->configure(json_of(R"({"maxTurns": 5})")).has_value());
  ASSERT_TRUE(gallery_->set_active("coder").has_value());  // same template: kept
  EXPECT_FALSE(gallery_->config().empty());
  ASSERT_TRUE(gallery_->set_active("tester").has_value());
  EXPECT_TRUE(gallery_->config().empty());
  EXPECT_FALSE(gallery_->set_active("nope").has_value());
  EXPECT_EQ(gallery_->active(), std::optional<std::string>("tester"));
  ASSERT_TRUE(gallery_->clear_active().has_value());
  EXPECT_FALSE(gallery_->active().has_value());
  EXPECT_FALSE(open_gallery(store_)->active().has_value());
}

TEST_F(GalleryTest, RemovingTheActiveCustomClearsTheActiveSetting) {
  ASSERT_TRUE(gallery_->add_custom(custom("temp")).has_value());
  ASSERT_TRUE(gallery_->set_active("temp").has_value());
  ASSERT_TRUE(gallery_->remove_custom("temp").has_value());
  EXPECT_FALSE(gallery_->active().has_value());
  auto reopened = open_gallery(store_);
  EXPECT_FALSE(reopened->active().has_value());
  EXPECT_TRUE(reopened->warnings().empty());
}

TEST_F(GalleryTest, CategoriesAreSortedWithCounts) {
  ASSERT_TRUE(gallery_->add_custom(custom("c1", "aaa-first")).has_value());
  ASSERT_TRUE(gallery_->add_custom(custom("c2", "quality")).has_value());
  const auto cats = gallery_->categories();
  ASSERT_FALSE(cats.empty());
  EXPECT_EQ(cats.front(), (CategoryCount{"aaa-first", 1}));
  for (std::size_t i = 1; i < cats.size(); ++i) EXPECT_LT(cats[i - 1].name, cats[i].name);
  std::size_t builtin_quality = 0;
  for (const Template& t : builtin_templates()) builtin_quality += t.category == "quality" ? 1 : 0;
  std::size_t total = 0;
  for (const auto& c : cats) {
    total += c.count;
    if (c.name == "quality") {
      EXPECT_EQ(c.count, builtin_quality + 1);
    }
  }
  EXPECT_EQ(total, gallery_->list().size());
}

TEST_F(GalleryTest, ListByCategoryFiltersAndRejectsUnknownCategories) {
  auto quality = gallery_->list_by_category("quality");
  ASSERT_TRUE(quality.has_value());
  ASSERT_FALSE(quality->empty());
  for (const Template& t : *quality) EXPECT_EQ(t.category, "quality");
  auto unknown = gallery_->list_by_category("qualty");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), ErrorCode::NotFound);
  EXPECT_NE(unknown.error().message().find("did you mean \"quality\""), std::string::npos);
  EXPECT_NE(unknown.error().message().find("Known categories: "), std::string::npos);
}

TEST_F(GalleryTest, SearchCoversCustomTemplates) {
  ASSERT_TRUE(gallery_->add_custom(custom("k8s-operator", "ops", "Deploys kubernetes manifests")).has_value());
  auto hits = gallery_->search("kubernetes");
  ASSERT_TRUE(hits.has_value());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].tmpl.id, "k8s-operator");
  EXPECT_GT((*hits)[0].score, 0.0);
  EXPECT_FALSE(gallery_->search("  ").has_value());
  EXPECT_FALSE(gallery_->search("code", 1000).has_value());
}

TEST_F(GalleryTest, AStoreFailureLeavesTheGalleryUnchanged) {
  store_.fail_next_writes(1);
  auto add = gallery_->add_custom(custom("lost"));
  ASSERT_FALSE(add.has_value());
  EXPECT_EQ(add.error().code(), ErrorCode::Io);
  EXPECT_FALSE(gallery_->get("lost").has_value());
  store_.fail_next_writes(1);
  EXPECT_FALSE(gallery_->import_custom(R"([{"id":"lost2","name":"L"}])").has_value());
  EXPECT_FALSE(gallery_->get("lost2").has_value());
  store_.fail_next_writes(1);
  EXPECT_FALSE(gallery_->set_active("coder").has_value());
  EXPECT_FALSE(gallery_->active().has_value());
}

TEST(GalleryConcurrencyTest, ConcurrentAddsAndSearchesAllLand) {
  MemoryTemplateStore store;
  auto g = open_gallery(store);
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(g->add_custom(custom(id, "load", "concurrency probe")).has_value());
        EXPECT_TRUE(g->search("concurrency probe").has_value());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.template_count(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(g->list_by_category("load")->size(), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace wg::gallery
