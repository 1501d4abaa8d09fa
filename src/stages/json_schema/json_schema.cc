// Compiling a schema document into Nodes (json_schema_node.h), and walking an
// instance against them.
#include "stages/json_schema/json_schema.h"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "stages/json_schema/json_schema_canonical.h"
#include "stages/json_schema/json_schema_node.h"

namespace sluice::stages::json_schema {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const std::set<std::string, std::less<>> kAnnotations = {
    "$schema", "$id", "$comment", "title", "description", "default", "examples"};

struct TypeName {
  const char* name;
  unsigned bit;
};
constexpr TypeName kTypeNames[] = {{"null", kNullType},       {"boolean", kBooleanType},
                                   {"integer", kIntegerType}, {"number", kNumberType},
                                   {"string", kStringType},   {"array", kArrayType},
                                   {"object", kObjectType}};

bool is_number(element v) {
  auto t = v.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

double number_of(element v) {
  switch (v.type()) {
    case element_type::INT64:
      return double(int64_t(v.get_int64()));
    case element_type::UINT64:
      return double(uint64_t(v.get_uint64()));
    default:
      return double(v.get_double());
  }
}

bool is_integral(element v) {
  if (v.type() == element_type::INT64 || v.type() == element_type::UINT64) return true;
  if (v.type() != element_type::DOUBLE) return false;
  double d = double(v.get_double());
  return std::isfinite(d) && std::floor(d) == d;
}

// The type name an instance value is reported as in "expected X, got Y".
const char* type_of(element v) {
  switch (v.type()) {
    case element_type::NULL_VALUE:
      return "null";
    case element_type::BOOL:
      return "boolean";
    case element_type::STRING:
      return "string";
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    default:
      return is_integral(v) ? "integer" : "number";
  }
}

bool type_matches(unsigned types, element v) {
  if (types == 0) return true;
  switch (v.type()) {
    case element_type::NULL_VALUE:
      return types & kNullType;
    case element_type::BOOL:
      return types & kBooleanType;
    case element_type::STRING:
      return types & kStringType;
    case element_type::ARRAY:
      return types & kArrayType;
    case element_type::OBJECT:
      return types & kObjectType;
    default:
      return (types & kNumberType) || ((types & kIntegerType) && is_integral(v));
  }
}

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string number_text(double d) {
  std::ostringstream out;
  out << d;
  return out.str();
}

// Builds Nodes from schema DOM values; every error names the origin and the schema path.
class Compiler {
 public:
  explicit Compiler(std::string origin) : origin_(std::move(origin)) {}

  std::shared_ptr<const Node> compile(element s, const std::string& path) {
    auto node = std::make_shared<Node>();
    if (s.type() == element_type::BOOL) {
      node->reject_all = !bool(s.get_bool());
      return node;
    }
    if (s.type() != element_type::OBJECT) fail(path, "a schema must be an object or a boolean");
    for (auto field : s.get_object()) keyword(*node, field.key, field.value, path);
    index_fields(*node);
    return node;
  }

 private:
  static void index_fields(Node& node) {
    for (const auto& [name, schema] : node.properties) node.fields[name].schema = schema.get();
    for (size_t i = 0; i < node.required.size(); ++i)
      node.fields[node.required[i]].required_slot = int(i);
  }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw SchemaError(origin_ + ": " + path + ": " + what);
  }

  uint64_t count(element v, const std::string& path, std::string_view key) const {
    if (v.type() == element_type::UINT64) return uint64_t(v.get_uint64());
    if (is_integral(v) && number_of(v) >= 0) return uint64_t(number_of(v));
    fail(path, "'" + std::string(key) + "' must be a non-negative integer");
  }

  double number(element v, const std::string& path, std::string_view key) const {
    if (!is_number(v)) fail(path, "'" + std::string(key) + "' must be a number");
    return number_of(v);
  }

  void types(Node& node, element v, const std::string& path) const {
    std::vector<element> names;
    if (v.type() == element_type::ARRAY) {
      for (element n : v.get_array()) names.push_back(n);
    } else {
      names.push_back(v);
    }
    for (element n : names) {
      std::string_view name;
      if (n.get_string().get(name) != simdjson::SUCCESS)
        fail(path, "'type' entries must be strings");
      unsigned bit = 0;
      for (const auto& t : kTypeNames) {
        if (name == t.name) bit = t.bit;
      }
      if (bit == 0) {
        fail(path, "unknown type '" + std::string(name) +
                       "' (use null, boolean, integer, number, string, array or object)");
      }
      node.types |= bit;
      if (!node.types_text.empty()) node.types_text += " or ";
      node.types_text += name;
    }
    if (names.empty()) fail(path, "'type' must name at least one type");
  }

  void keyword(Node& node, std::string_view key, element v, const std::string& path) {
    if (key == "type") {
      types(node, v, path);
    } else if (key == "properties") {
      if (v.type() != element_type::OBJECT) fail(path, "'properties' must be an object");
      std::string below = child_path(path, "properties");
      for (auto field : v.get_object()) {
        node.properties[std::string(field.key)] =
            compile(field.value, child_path(below, field.key));
      }
    } else if (key == "required") {
      if (v.type() != element_type::ARRAY)
        fail(path, "'required' must be an array of property names");
      for (element n : v.get_array()) {
        std::string_view name;
        if (n.get_string().get(name) != simdjson::SUCCESS)
          fail(path, "'required' entries must be strings");
        // JSON Schema requires unique entries; a repeat adds nothing.
        if (std::find(node.required.begin(), node.required.end(), name) == node.required.end())
          node.required.emplace_back(name);
      }
    } else if (key == "additionalProperties") {
      if (v.type() != element_type::BOOL) {
        fail(path,
             "'additionalProperties' must be true or false (schemas there are not supported)");
      }
      node.additional_properties = bool(v.get_bool());
    } else if (key == "items") {
      if (v.type() == element_type::ARRAY)
        fail(path, "'items' must be one schema (tuple form is not supported)");
      node.items = compile(v, child_path(path, "items"));
    } else if (key == "minItems") {
      node.min_items = count(v, path, key);
    } else if (key == "maxItems") {
      node.max_items = count(v, path, key);
    } else if (key == "minLength") {
      node.min_length = count(v, path, key);
    } else if (key == "maxLength") {
      node.max_length = count(v, path, key);
    } else if (key == "minimum") {
      node.minimum = number(v, path, key);
    } else if (key == "maximum") {
      node.maximum = number(v, path, key);
    } else if (key == "enum") {
      if (v.type() != element_type::ARRAY) fail(path, "'enum' must be an array");
      node.enum_values.emplace();
      for (element e : v.get_array()) {
        if (e.type() == element_type::STRING)
          node.enum_strings.emplace_back(std::string_view(e.get_string()));
        node.enum_values->push_back(canonical_json(e));
        node.enum_text += (node.enum_text.empty() ? "" : ", ") + node.enum_values->back();
      }
      node.enum_text = "[" + node.enum_text + "]";
    } else if (key == "const") {
      node.const_value = canonical_json(v);
      if (v.type() == element_type::STRING)
        node.const_string = std::string(std::string_view(v.get_string()));
    } else if (key == "pattern") {
      std::string_view p;
      if (v.get_string().get(p) != simdjson::SUCCESS) fail(path, "'pattern' must be a string");
      try {
        node.pattern.emplace(std::string(p));
      } catch (const std::invalid_argument& e) {
        fail(path,
             "'pattern' " + std::string(p) + " is not a valid regular expression: " + e.what());
      }
      node.pattern_text = p;
    } else if (key == "format") {
      std::string_view f;
      if (v.get_string().get(f) != simdjson::SUCCESS) fail(path, "'format' must be a string");
      if (f == "date-time") {
        node.format = Format::kDateTime;
      } else if (f == "uri") {
        node.format = Format::kUri;
      } else {
        fail(path, "format '" + std::string(f) + "' is not supported (supported: date-time, uri)");
      }
    } else if (key == "allOf") {
      if (v.type() != element_type::ARRAY || v.get_array().size() == 0)
        fail(path, "'allOf' must be a non-empty array of schemas");
      size_t i = 0;
      for (element sub : v.get_array())
        node.all_of.push_back(compile(sub, path + ".allOf[" + std::to_string(i++) + "]"));
    } else if (key == "if") {
      node.if_ = compile(v, child_path(path, "if"));
    } else if (key == "then") {
      node.then_ = compile(v, child_path(path, "then"));
    } else if (key == "else") {
      node.else_ = compile(v, child_path(path, "else"));
    } else if (key == "title") {
      std::string_view t;
      if (v.get_string().get(t) != simdjson::SUCCESS) fail(path, "'title' must be a string");
      node.title = t;
    } else if (!kAnnotations.contains(key)) {
      fail(path,
           "keyword '" + std::string(key) +
               "' is not supported; supported: type, properties, required, additionalProperties, "
               "items, minItems, maxItems, enum, const, minLength, maxLength, pattern, minimum, "
               "maximum, format, allOf, if, then, else");
    }
  }

  std::string origin_;
};

// Where a value is in the instance: a chain of stack frames, rendered as text
// ("$.attachments[2].url") only when a violation is reported, so a valid
// document costs no string building.
struct Path {
  const Path* parent = nullptr;  // null: the root, "$"
  std::string_view property;     // a property of the parent's object
  size_t index = 0;              // else an item of the parent's array
  bool is_item = false;

  std::string text() const {
    if (!parent) return "$";
    if (!is_item) return child_path(parent->text(), property);
    return parent->text() + "[" + std::to_string(index) + "]";
  }
};

// Whether instance `v` equals a const or enum entry (canonical JSON text
// `canonical`, unquoted `as_string` when it is a string).
bool equals_string_or_canonical(element v, const std::string& canonical,
                                const std::optional<std::string>& as_string) {
  if (v.type() == element_type::STRING) return as_string && *as_string == v.get_string().value();
  return canonical_json(v) == canonical;
}

bool in_enum(const Node& n, element v) {
  if (v.type() == element_type::STRING) {
    const std::string_view s = v.get_string().value();
    return std::find(n.enum_strings.begin(), n.enum_strings.end(), s) != n.enum_strings.end();
  }
  const std::string c = canonical_json(v);
  return std::find(n.enum_values->begin(), n.enum_values->end(), c) != n.enum_values->end();
}

class Walker {
 public:
  // Collects at most `max` violations into `errors`.
  Walker(std::vector<std::string>& errors, size_t max) : errors_(&errors), max_(max) {}
  // A probe: only whether there is any violation (an `if` condition's test).
  Walker() = default;

  bool failed() const { return failed_; }

  // A titled subschema (an allOf entry, a then/else branch) is a named rule:
  // its violations say which rule they broke.
  void check_titled(const Node& n, element v, const Path& path) {
    const size_t before = errors_ ? errors_->size() : 0;
    check(n, v, path);
    if (n.title.empty() || !errors_) return;
    for (size_t i = before; i < errors_->size(); ++i) (*errors_)[i] += " (rule: " + n.title + ")";
  }

  void check(const Node& n, element v, const Path& path) {
    if (full()) return;
    if (n.reject_all) return fail(path, [] { return std::string("is not allowed here"); });
    if (!type_matches(n.types, v)) {
      return fail(path, [&] { return "expected " + n.types_text + ", got " + type_of(v); });
    }
    if (n.const_value && !equals_string_or_canonical(v, *n.const_value, n.const_string))
      fail(path, [&] { return "is not equal to const " + *n.const_value; });
    if (n.enum_values && !in_enum(n, v))
      fail(path, [&] { return "is not one of enum " + n.enum_text; });
    for (const auto& sub : n.all_of) check_titled(*sub, v, path);
    if (n.if_) {
      // The condition is evaluated on its own: its failures are not violations.
      Walker probe;
      probe.check(*n.if_, v, path);
      const Node* branch = probe.failed() ? n.else_.get() : n.then_.get();
      if (branch) check_titled(*branch, v, path);
    }
    switch (v.type()) {
      case element_type::OBJECT:
        return object(n, v.get_object(), path);
      case element_type::ARRAY:
        return array(n, v.get_array(), path);
      case element_type::STRING:
        return string(n, std::string_view(v.get_string()), path);
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        return number(n, number_of(v), path);
      default:
        return;
    }
  }

 private:
  bool full() const { return errors_ ? errors_->size() >= max_ : failed_; }
  // `what` builds the message: only called when the violation is kept.
  template <typename What>
  void fail(const Path& path, What&& what) {
    failed_ = true;
    if (errors_ && !full()) errors_->push_back(path.text() + ": " + what());
  }

  // Up to this many properties, an object allowing others is checked by looking
  // each property up (a linear scan of the fields) instead of visiting every field.
  static constexpr size_t kFewProperties = 2;

  void object(const Node& n, simdjson::dom::object o, const Path& path) {
    if (n.additional_properties && n.properties.size() <= kFewProperties) {
      // Only the named properties can fail: look them up rather than visit every
      // field (an `if: {properties: {type: {const: ...}}}` rule names one of ten).
      // A key given twice is checked once, at its first value: the one every
      // reader (simdjson's at_key, the window processor) sees.
      for (const auto& name : n.required) {
        if (o[name].error() == simdjson::NO_SUCH_FIELD) missing(Path{&path, name});
      }
      for (const auto& [name, schema] : n.properties) {
        element value;
        if (o.at_key(name).get(value) == simdjson::SUCCESS)
          check(*schema, value, Path{&path, name});
      }
      return;
    }
    // One pass over the fields, each looked up once; the required ones seen are
    // marked, and those missing are reported ahead of the fields' violations
    // (as if looked for first). Past 64 required names, they are looked for first.
    const bool by_mask = n.required.size() <= 64;
    if (!by_mask) {
      for (const auto& name : n.required) {
        if (o[name].error() == simdjson::NO_SUCH_FIELD) missing(Path{&path, name});
      }
    }
    const size_t first_error = errors_ ? errors_->size() : 0;
    uint64_t seen = 0;
    for (auto field : o) {
      const Path below{&path, field.key};
      auto it = n.fields.find(field.key);
      if (it == n.fields.end()) {
        if (!n.additional_properties) {
          fail(below, [] {
            return std::string("property is not allowed (additionalProperties is false)");
          });
        }
        continue;
      }
      if (by_mask && it->second.required_slot >= 0) seen |= uint64_t(1) << it->second.required_slot;
      if (it->second.schema) check(*it->second.schema, field.value, below);
    }
    const uint64_t all =
        n.required.size() == 64 ? ~uint64_t(0) : (uint64_t(1) << n.required.size()) - 1;
    if (!by_mask || seen == all) return;
    std::vector<std::string> kept;
    if (errors_) {
      kept.assign(errors_->begin() + long(first_error), errors_->end());
      errors_->resize(first_error);
    }
    for (size_t i = 0; i < n.required.size(); ++i) {
      if (!(seen >> i & 1)) missing(Path{&path, n.required[i]});
    }
    if (!errors_) return;
    for (std::string& e : kept) {
      if (errors_->size() >= max_) break;
      errors_->push_back(std::move(e));
    }
  }

  void missing(const Path& at) {
    fail(at, [] { return std::string("required property is missing"); });
  }

  void array(const Node& n, simdjson::dom::array a, const Path& path) {
    size_t size = a.size();
    if (n.min_items && size < *n.min_items) {
      fail(path, [&] {
        return "has " + std::to_string(size) + " items, fewer than minItems " +
               std::to_string(*n.min_items);
      });
    }
    if (n.max_items && size > *n.max_items) {
      fail(path, [&] {
        return "has " + std::to_string(size) + " items, more than maxItems " +
               std::to_string(*n.max_items);
      });
    }
    if (!n.items) return;
    size_t i = 0;
    for (element item : a) check(*n.items, item, Path{&path, {}, i++, true});
  }

  void string(const Node& n, std::string_view s, const Path& path) {
    size_t length = code_points(s);
    if (n.min_length && length < *n.min_length) {
      fail(path, [&] {
        return "length " + std::to_string(length) + " is less than minLength " +
               std::to_string(*n.min_length);
      });
    }
    bool too_long = n.max_length && length > *n.max_length;
    if (too_long) {
      fail(path, [&] {
        return "length " + std::to_string(length) + " is more than maxLength " +
               std::to_string(*n.max_length);
      });
    }
    // A string already too long is not matched: it bounds the regex engine's work.
    if (n.pattern && !too_long) {
      auto result = n.pattern->search(s);
      if (result == Pattern::Result::kNoMatch)
        fail(path, [&] { return "does not match pattern " + n.pattern_text; });
      if (result == Pattern::Result::kTooComplex)
        fail(path, [&] { return "is too complex to match against pattern " + n.pattern_text; });
    }
    if (n.format == Format::kDateTime && !is_date_time(s))
      fail(path, [] { return std::string("does not match format date-time"); });
    if (n.format == Format::kUri && !is_http_uri(s))
      fail(path, [] { return std::string("does not match format uri"); });
  }

  void number(const Node& n, double d, const Path& path) {
    if (n.minimum && d < *n.minimum) {
      fail(path,
           [&] { return number_text(d) + " is less than minimum " + number_text(*n.minimum); });
    }
    if (n.maximum && d > *n.maximum) {
      fail(path,
           [&] { return number_text(d) + " is more than maximum " + number_text(*n.maximum); });
    }
  }

  std::vector<std::string>* errors_ = nullptr;  // null: a probe
  size_t max_ = 0;
  bool failed_ = false;
};

}  // namespace

Schema Schema::parse(std::string_view text, const std::string& origin) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  element root;
  if (auto err = parser.parse(padded).get(root)) {
    throw SchemaError(origin + ": not valid JSON: " + simdjson::error_message(err));
  }
  return Schema(Compiler(origin).compile(root, "$"));
}

Schema Schema::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SchemaError("cannot read JSON schema file " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::vector<std::string> Schema::validate(element value, size_t max_errors) const {
  std::vector<std::string> errors;
  Walker(errors, max_errors).check(*root_, value, Path{});
  return errors;
}

}  // namespace sluice::stages::json_schema
