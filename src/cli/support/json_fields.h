// Reading the fields of an admin endpoint's JSON answer (GET /status,
// /degradation) back into a struct: a field that is missing or of another type
// leaves the struct's value as it was, so an older process's answer still reads.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace sluice::cli {

template <typename T>
void read_field(simdjson::dom::element e, const char* key, T& out) {
  T value{};
  if (e[key].get(value) == simdjson::SUCCESS) out = value;
}

inline void read_text(simdjson::dom::element e, const char* key, std::string& out) {
  std::string_view value;
  if (e[key].get_string().get(value) == simdjson::SUCCESS) out = value;
}

}  // namespace sluice::cli
