#include "gallery/search.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

namespace wg::gallery {
namespace {

constexpr std::array<std::string_view, 26> kStopWords = {
    "a",  "an",  "and", "are", "as", "at",  "be",   "by",   "for",  "from", "in",   "into", "is",
    "it", "its", "of",  "on",  "or", "the", "that", "then", "this", "to",   "with", "you",  "your",
};

bool is_word_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80; }

std::string stem(std::string word) {
  const auto ends_with = [&](std::string_view suffix) {
    return word.size() >= suffix.size() && std::string_view(word).substr(word.size() - suffix.size()) == suffix;
  };
  if (word.size() > 4 && ends_with("ies")) {
    word.resize(word.size() - 3);
    word += 'y';
  } else if (word.size() > 3 && ends_with("s") && !ends_with("ss") && !ends_with("us") && !ends_with("is")) {
    word.pop_back();
  }
  return word;
}

enum Field : std::size_t { kName = 0, kTags = 1, kDescription = 2, kFieldCount = 3 };

struct Doc {
  std::array<std::map<std::string, std::size_t>, kFieldCount> tf;
  std::array<std::size_t, kFieldCount> length{};
};

void add_text(Doc& doc, Field field, std::string_view text) {
  for (std::string& token : tokenize(text)) {
    ++doc.tf[field][std::move(token)];
    ++doc.length[field];
  }
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (std::find(kStopWords.begin(), kStopWords.end(), word) == kStopWords.end()) out.push_back(stem(word));
    word.clear();
  };
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if (is_word_byte(c)) {
      word.push_back(static_cast<char>(c));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

Result<std::vector<SearchHit>> search_templates(std::span<const Template* const> docs, std::string_view query,
                                                std::size_t limit, const SearchParams& params) {
  if (query.size() > kMaxQueryBytes) {
    return make_error(ErrorCode::LimitExceeded, "query: " + std::to_string(query.size()) + " bytes; the limit is " +
                                                    std::to_string(kMaxQueryBytes));
  }
  if (std::all_of(query.begin(), query.end(), [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); })) {
    return make_error(ErrorCode::Invalid, "query: must contain at least one word");
  }
  if (limit == 0) return make_error(ErrorCode::Invalid, "limit: must be at least 1");
  // Distinct query terms: repeating a word does not make it count twice.
  std::vector<std::string> terms;
  {
    bool any_word = false;
    for (char c : query) any_word = any_word || is_word_byte(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'Z');
    if (!any_word) return make_error(ErrorCode::Invalid, "query: must contain at least one letter or digit");
    std::set<std::string> seen;
    for (std::string& t : tokenize(query)) {
      if (seen.insert(t).second) terms.push_back(std::move(t));
    }
  }
  if (terms.empty() || docs.empty()) return std::vector<SearchHit>{};

  std::vector<Doc> index(docs.size());
  std::array<double, kFieldCount> total_length{};
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const Template& t = *docs[i];
    add_text(index[i], kName, t.name);
    add_text(index[i], kName, t.id);
    for (const std::string& tag : t.tags) add_text(index[i], kTags, tag);
    add_text(index[i], kTags, t.category);
    add_text(index[i], kDescription, t.description);
    for (std::size_t f = 0; f < kFieldCount; ++f) total_length[f] += static_cast<double>(index[i].length[f]);
  }
  const double n_docs = static_cast<double>(docs.size());
  std::array<double, kFieldCount> avg_length{};
  for (std::size_t f = 0; f < kFieldCount; ++f) avg_length[f] = std::max(total_length[f] / n_docs, 1e-9);
  const std::array<double, kFieldCount> weight = {params.name_weight, params.tags_weight, params.description_weight};

  std::vector<double> score(docs.size(), 0.0);
  for (const std::string& term : terms) {
    std::size_t containing = 0;
    for (const Doc& d : index) {
      if (d.tf[kName].contains(term) || d.tf[kTags].contains(term) || d.tf[kDescription].contains(term)) ++containing;
    }
    if (containing == 0) continue;
    const double n_t = static_cast<double>(containing);
    const double idf = std::log(1.0 + (n_docs - n_t + 0.5) / (n_t + 0.5));
    for (std::size_t i = 0; i < index.size(); ++i) {
      double tf = 0;
      for (std::size_t f = 0; f < kFieldCount; ++f) {
        auto it = index[i].tf[f].find(term);
        if (it == index[i].tf[f].end()) continue;
        const double norm = 1.0 - params.b + params.b * static_cast<double>(index[i].length[f]) / avg_length[f];
        tf += weight[f] * static_cast<double>(it->second) / norm;
      }
      if (tf > 0) score[i] += idf * tf * (params.k1 + 1.0) / (params.k1 + tf);
    }
  }

  std::vector<SearchHit> hits;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    if (score[i] > 0) hits.push_back(SearchHit{i, docs[i]->id, score[i]});
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

}  // namespace wg::gallery
