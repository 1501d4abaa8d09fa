// A schema's `pattern`: an ECMAScript regular expression, searched (not
// anchored) in a string, as JSON Schema specifies. Kept behind this small
// interface so <regex> is compiled in one translation unit only.
// Immutable once built: one Pattern may be searched from many threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sluice::stages::json_schema {

class Pattern {
 public:
  enum class Result { kMatch, kNoMatch, kTooComplex };

  // Throws std::invalid_argument with the regex engine's reason when `source` is not valid.
  explicit Pattern(const std::string& source);
  Result search(std::string_view s) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sluice::stages::json_schema
