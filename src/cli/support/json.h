// The two JSON pieces the --json outputs need: a quoted, escaped string and an
// optional number (null when unknown). Group, member and client ids are free
// text chosen by clients, so they are always escaped.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace sluice::cli {

inline std::string json_quote(std::string_view s) {
  return json::quote(s);
}

template <typename T>
std::string json_number(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "null";
}

}  // namespace sluice::cli
