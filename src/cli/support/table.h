// Aligned plain-text tables for CLI output, as kafka-topics.sh and
// kafka-consumer-groups.sh print them, plus the cell spellings shared by every
// table ("-" for unknown or absent).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(FILE* out = stdout) const {
    std::vector<size_t> width;
    for (const auto& r : rows_) {
      width.resize(std::max(width.size(), r.size()));
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    }
    for (const auto& r : rows_) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i)
        line += r[i] + std::string(width[i] - r[i].size() + 2, ' ');
      line.erase(line.find_last_not_of(' ') + 1);
      std::fprintf(out, "%s\n", line.c_str());
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

inline std::string cell(const std::string& s) {
  return s.empty() ? "-" : s;
}
inline std::string cell(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

}  // namespace sluice::cli
