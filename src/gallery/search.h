// Relevance search over templates: BM25F over three weighted fields.
//
// Tokens: the text is lower-cased (ASCII), split on every byte that is not
// [a-z0-9] (bytes >= 0x80 count as letters, so UTF-8 words stay whole), a
// small set of English stop words is dropped, and a trailing plural "s" is
// removed ("tests" -> "test", "vulnerabilities" -> "vulnerability"; "ss",
// "us", "is" endings and words of 3 letters or fewer are left alone).
//
// Fields and weights: name (with the id's words) 3, tags (with the category)
// 2, description 1. For each document d and distinct query term t:
//   tf~(t,d) = sum_f w_f * tf_f(t,d) / (1 - b + b * len_f(d) / avglen_f)
//   score(d) = sum_t idf(t) * tf~ * (k1 + 1) / (k1 + tf~)
//   idf(t)   = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))
// with k1 = 1.2, b = 0.75, N documents and n_t of them containing t in any
// field. Only documents with score > 0 (containing at least one query term)
// are returned, ordered by score descending, then id ascending.
//
// Failures: a query that is empty, only whitespace or has no word
// characters is ErrorCode::Invalid; longer than kMaxQueryBytes,
// LimitExceeded. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "gallery/template.h"

namespace wg::gallery {

struct SearchParams {
  double k1 = 1.2;
  double b = 0.75;
  double name_weight = 3.0;
  double tags_weight = 2.0;
  double description_weight = 1.0;
};

inline constexpr std::size_t kMaxQueryBytes = 1024;

struct SearchHit {
  std::size_t index = 0;  // position in the searched span
  std::string id;
  double score = 0;
};

std::vector<std::string> tokenize(std::string_view text);

// Scores `docs` against `query`; at most `limit` hits (limit >= 1).
Result<std::vector<SearchHit>> search_templates(std::span<const Template* const> docs, std::string_view query,
                                                std::size_t limit, const SearchParams& params = {});

}  // namespace wg::gallery
