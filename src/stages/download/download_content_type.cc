#include "stages/download/download_content_type.h"

#include <algorithm>
#include <cctype>

namespace sluice::stages {

std::string media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  const size_t b = t.find_first_not_of(" \t");
  const size_t e = t.find_last_not_of(" \t\r\n");
  t = b == std::string::npos ? "" : t.substr(b, e - b + 1);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

bool content_type_allowed(const std::string& content_type,
                          const std::vector<std::string>& allowed) {
  const std::string got = media_type(content_type);
  if (got.empty()) return false;
  for (const auto& a : allowed) {
    const std::string want = media_type(a);
    if (want == got) return true;
    if (want.size() > 2 && want.compare(want.size() - 2, 2, "/*") == 0 &&
        got.compare(0, want.size() - 1, want, 0, want.size() - 1) == 0)
      return true;
  }
  return false;
}

bool content_type_matches(const std::string& content_type, const std::string& expected) {
  const std::string got = media_type(content_type);
  return !got.empty() && got == media_type(expected);
}

}  // namespace sluice::stages
