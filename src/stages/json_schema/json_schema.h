// A JSON Schema (draft-07 subset) validator over simdjson's DOM.
//
// Supported keywords: type (a name or an array of names), properties, required,
// additionalProperties (true/false only), items (one schema), minItems,
// maxItems, enum, const, minLength, maxLength (in Unicode code points),
// pattern (std::regex ECMAScript, unanchored as JSON Schema says), minimum,
// maximum, format "date-time" (RFC 3339) and "uri" (an absolute http/https URL),
// allOf, and if/then/else (how rules that depend on another field are written:
// "when device_type is door_sensor, value is 0 or 1"). Annotations ($schema,
// $id, $comment, title, description, default, examples) are accepted; an allOf
// entry's title names the rule in its violations.
//
// Invariant: a Schema either enforces every keyword it contains or was never
// built — any other keyword or format (oneOf, $ref, "format": "email", ...) is
// a SchemaError at load time naming where it is, so no one believes a rule is
// checked when it is not. A built Schema is immutable, so one instance may
// validate from many threads at once.
//
// Violations name the JSON path and the rule, e.g.
//   "$.attachments[2].url: does not match format uri", or with a titled allOf
//   entry "$.value: 2 is more than maximum 1 (rule: door_sensor value)".
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// simdjson.h is 31,000 lines: only the .cc files that walk documents include it.
namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace sluice::stages::json_schema {

class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Node;  // one compiled (sub)schema

class Schema {
 public:
  // Compiles schema text; `origin` (a file name) prefixes error messages.
  static Schema parse(std::string_view text, const std::string& origin = "schema");
  // Reads and compiles a schema file. Throws SchemaError naming the file.
  static Schema load_file(const std::string& path);

  // Every violation, in document order, at most `max_errors` of them; empty when valid.
  std::vector<std::string> validate(simdjson::dom::element value, size_t max_errors = 20) const;

 private:
  explicit Schema(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

// The JSON path of a property below `parent`: $.name, or $["odd name"] when the
// name is not a plain identifier.
std::string child_path(const std::string& parent, std::string_view property);

// RFC 3339 date-time, e.g. 2026-11-27T12:00:00Z or 2026-11-27T12:00:00.5+01:00.
bool is_date_time(std::string_view s);
// An absolute http or https URL with a host: http://host[:port][/path][?query][#fragment].
bool is_http_uri(std::string_view s);

}  // namespace sluice::stages::json_schema
