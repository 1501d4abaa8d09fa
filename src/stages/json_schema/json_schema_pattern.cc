// GCC 12 reports a false -Wmaybe-uninitialized inside <regex>'s own
// std::function use when built with -fsanitize=address (GCC bug 105562 family);
// the pragma precedes every include so it covers the library headers here.
#if defined(__GNUC__) && !defined(__clang__)  // clang has no such warning and rejects the name
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "stages/json_schema/json_schema_pattern.h"

#include <regex>
#include <stdexcept>

namespace sluice::stages::json_schema {

struct Pattern::Impl {
  std::regex regex;
};

Pattern::Pattern(const std::string& source) {
  try {
    impl_ = std::make_shared<const Impl>(Impl{std::regex(source, std::regex::ECMAScript)});
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(e.what());
  }
}

Pattern::Result Pattern::search(std::string_view s) const {
  try {
    return std::regex_search(s.begin(), s.end(), impl_->regex) ? Result::kMatch : Result::kNoMatch;
  } catch (const std::regex_error&) {  // error_complexity / error_stack on pathological input
    return Result::kTooComplex;
  }
}

}  // namespace sluice::stages::json_schema
