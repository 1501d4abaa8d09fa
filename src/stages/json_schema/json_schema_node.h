// The compiled form of one (sub)schema: every keyword already checked for
// shape and turned into a ready-to-use value, so validation never re-reads the
// schema text. Private to json_schema*.cc.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stages/json_schema/json_schema_pattern.h"

namespace sluice::stages::json_schema {

enum TypeBit : unsigned {
  kNullType = 1,
  kBooleanType = 2,
  kIntegerType = 4,
  kNumberType = 8,  // includes integers
  kStringType = 16,
  kArrayType = 32,
  kObjectType = 64,
};

enum class Format { kNone, kDateTime, kUri };

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Node {
  bool reject_all = false;  // the boolean schema `false`
  unsigned types = 0;       // TypeBit set; 0 accepts every type
  std::string types_text;   // "string" or "string or null", for messages
  std::map<std::string, std::shared_ptr<const Node>, std::less<>> properties;
  std::vector<std::string> required;  // without repeats
  // `properties` and `required` by name, for one pass over an object's fields:
  // the property's schema (null: required but not described) and its place in
  // `required` (-1: optional). Built by the compiler once the node is complete.
  struct Field {
    const Node* schema = nullptr;
    int required_slot = -1;
  };
  std::unordered_map<std::string, Field, NameHash, std::equal_to<>> fields;
  bool additional_properties = true;
  std::shared_ptr<const Node> items;
  std::optional<uint64_t> min_items, max_items, min_length, max_length;
  std::optional<std::vector<std::string>> enum_values;  // canonical JSON text of each
  std::string enum_text;                                // ["a", "b"], for messages
  std::optional<std::string> const_value;               // canonical JSON text
  // The string entries of enum and a string const, unquoted: a string instance is
  // compared with these, without rendering it as canonical JSON.
  std::vector<std::string> enum_strings;
  std::optional<std::string> const_string;
  std::optional<Pattern> pattern;
  std::string pattern_text;
  std::optional<double> minimum, maximum;
  Format format = Format::kNone;
  std::string title;  // named in the messages of an allOf entry's violations
  std::vector<std::shared_ptr<const Node>> all_of;
  std::shared_ptr<const Node> if_, then_, else_;  // then/else apply only with an if
};

}  // namespace sluice::stages::json_schema
