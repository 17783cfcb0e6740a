#include "vfs/path.h"

#include <cstddef>

namespace wg::vfs {

namespace {

std::vector<std::string_view> split_components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Matches one component against one pattern component (no '/'). Classic
// backtracking over the last '*' only, which is enough for correctness and
// keeps the cost at O(|pattern| * |name|).
bool match_component(std::string_view pat, std::string_view name) {
  std::size_t p = 0, n = 0;
  std::size_t star_p = std::string_view::npos, star_n = 0;
  // Matches one non-star pattern element at pat[p] against c; on success
  // sets `consumed` to the pattern length of the element.
  auto match_one = [&](std::size_t at, char c, std::size_t& consumed) -> bool {
    char pc = pat[at];
    if (pc == '?') {
      consumed = 1;
      return true;
    }
    if (pc == '\\' && at + 1 < pat.size()) {
      consumed = 2;
      return pat[at + 1] == c;
    }
    if (pc == '[') {
      std::size_t k = at + 1;
      bool negate = false;
      if (k < pat.size() && (pat[k] == '!' || pat[k] == '^')) {
        negate = true;
        ++k;
      }
      bool matched = false;
      bool first = true;
      while (k < pat.size() && (pat[k] != ']' || first)) {
        first = false;
        char lo = pat[k];
        if (k + 2 < pat.size() && pat[k + 1] == '-' && pat[k + 2] != ']') {
          char hi = pat[k + 2];
          if (static_cast<unsigned char>(lo) <= static_cast<unsigned char>(c) &&
              static_cast<unsigned char>(c) <= static_cast<unsigned char>(hi))
            matched = true;
          k += 3;
        } else {
          if (lo == c) matched = true;
          ++k;
        }
      }
      if (k >= pat.size()) {  // no closing ']': treat '[' literally
        consumed = 1;
        return c == '[';
      }
      consumed = k + 1 - at;
      return matched != negate;
    }
    consumed = 1;
    return pc == c;
  };
  while (n < name.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = p++;
      star_n = n;
      continue;
    }
    std::size_t consumed = 0;
    if (p < pat.size() && match_one(p, name[n], consumed)) {
      p += consumed;
      ++n;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace

Expected<ParsedPath> parse_path(std::string_view path, const Limits& limits) {
  if (path.empty()) return fail(Errc::NoEnt);
  if (path.find('\0') != std::string_view::npos) return fail(Errc::Inval);
  if (path.size() > limits.max_path_length) return fail(Errc::NameTooLong);
  ParsedPath out;
  out.absolute = path.front() == '/';
  std::vector<std::string_view> raw = split_components(path);
  out.trailing_slash = path.back() == '/';
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string_view c = raw[i];
    if (c.size() > limits.max_name_length) return fail(Errc::NameTooLong);
    if (c == ".") {
      // "a/." names a as a directory, like "a/".
      if (i + 1 == raw.size() && !out.components.empty()) out.trailing_slash = true;
      continue;
    }
    out.components.push_back(c);
  }
  return out;
}

Expected<void> validate_name(std::string_view name, const Limits& limits) {
  if (name.empty() || name == "." || name == "..") return fail(Errc::Inval);
  if (name.find('\0') != std::string_view::npos || name.find('/') != std::string_view::npos) return fail(Errc::Inval);
  if (name.size() > limits.max_name_length) return fail(Errc::NameTooLong);
  return {};
}

Expected<std::string> normalize_path(std::string_view path, const Limits& limits) {
  auto parsed = parse_path(path, limits);
  if (!parsed) return fail(parsed.error());
  std::vector<std::string_view> stack;
  for (std::string_view c : parsed->components) {
    if (c == "..") {
      if (!stack.empty()) stack.pop_back();  // ".." at the root stays at the root
      continue;
    }
    stack.push_back(c);
  }
  if (stack.empty()) return std::string("/");
  std::string out;
  for (std::string_view c : stack) out.append("/").append(c);
  return out;
}

bool glob_match(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> pat = split_components(pattern);
  std::vector<std::string_view> name = split_components(path);
  // reach[j]: pattern prefix of length i matches path prefix of length j.
  std::vector<char> reach(name.size() + 1, 0), next(name.size() + 1, 0);
  reach[0] = 1;
  for (std::size_t i = 0; i < pat.size(); ++i) {
    std::fill(next.begin(), next.end(), 0);
    if (pat[i] == "**") {
      char any = 0;
      for (std::size_t j = 0; j <= name.size(); ++j) {
        any = any || reach[j];
        next[j] = any;
      }
    } else {
      for (std::size_t j = 0; j < name.size(); ++j)
        if (reach[j] && match_component(pat[i], name[j])) next[j + 1] = 1;
    }
    reach.swap(next);
  }
  return reach[name.size()] != 0;
}

}  // namespace wg::vfs
