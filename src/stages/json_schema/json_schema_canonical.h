// Canonical JSON text of a DOM value, so enum and const compare values by JSON
// equality with one string comparison: object keys sorted, no whitespace, and
// numbers by value (1, 1.0 and 1e0 all become "1").
#pragma once

#include <string>

// simdjson.h is 31,000 lines: only the .cc files that walk documents include it.
namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace sluice::stages::json_schema {

std::string canonical_json(simdjson::dom::element value);

}  // namespace sluice::stages::json_schema
