#include "registry/registry_json.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "common/json.h"

namespace sluice::registry {
namespace {

RegistryError unreadable(const std::string& what) {
  return {400, 400, what};
}

std::variant<simdjson::dom::object, RegistryError> object_of(simdjson::dom::parser& parser,
                                                             const std::string& body,
                                                             const char* example) {
  simdjson::dom::object o;
  if (parser.parse(body).get(o) != simdjson::SUCCESS)
    return unreadable(std::string("The request body is not a JSON object; send ") + example);
  return o;
}

}  // namespace

std::variant<std::string, RegistryError> read_schema_request(const std::string& body) {
  static constexpr const char* kExample = R"({"schema": "<the Avro schema, as one JSON string>"})";
  simdjson::dom::parser parser;
  auto parsed = object_of(parser, body, kExample);
  if (auto* e = std::get_if<RegistryError>(&parsed)) return *e;
  auto o = std::get<simdjson::dom::object>(parsed);
  std::string_view type;
  if (o["schemaType"].get(type) == simdjson::SUCCESS && type != "AVRO") {
    return RegistryError{422, 42201,
                         "Invalid schema: schemaType " + std::string(type) +
                             " is not supported; sluice registry stores AVRO schemas only"};
  }
  simdjson::dom::array references;
  if (o["references"].get(references) == simdjson::SUCCESS && references.size() > 0) {
    return RegistryError{422, 42201,
                         "Invalid schema: schema references are not supported; inline the "
                         "referenced named types into the schema"};
  }
  std::string_view schema;
  if (o["schema"].get(schema) != simdjson::SUCCESS) {
    // A bare Avro schema (`curl -d @ticks.avsc`, as runbooks do) is taken as
    // the schema itself; Confluent's registry would refuse it.
    if (o["type"].error() == simdjson::SUCCESS) return simdjson::minify(o);
    return unreadable(std::string("The request body has no \"schema\" string; send ") + kExample);
  }
  // The schema is itself JSON: stored minified. Text that is not JSON is kept as
  // it is, for the schema parser to refuse with its own reason.
  simdjson::dom::parser inner;
  simdjson::dom::element element;
  std::string text(schema);
  if (inner.parse(text).get(element) == simdjson::SUCCESS) return simdjson::minify(element);
  return text;
}

std::variant<avro::Compatibility, RegistryError> read_config_request(const std::string& body) {
  simdjson::dom::parser parser;
  auto parsed = object_of(parser, body, R"({"compatibility": "BACKWARD"})");
  if (auto* e = std::get_if<RegistryError>(&parsed)) return *e;
  auto o = std::get<simdjson::dom::object>(parsed);
  std::string_view level;
  if (o["compatibility"].get(level) != simdjson::SUCCESS &&
      o["compatibilityLevel"].get(level) != simdjson::SUCCESS) {
    return unreadable(
        R"(The request body has no "compatibility"; send {"compatibility": "BACKWARD"})");
  }
  std::string upper(level);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return char(std::toupper(c)); });
  if (auto c = avro::parse_compatibility(upper)) return *c;
  return RegistryError{422, 42203,
                       "Invalid compatibility level '" + std::string(level) +
                           "'. Valid values are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, "
                           "FORWARD_TRANSITIVE, FULL and FULL_TRANSITIVE"};
}

std::string error_json(const RegistryError& e) {
  return json::JsonWriter()
      .begin_object()
      .field("error_code", e.error_code)
      .field("message", e.message)
      .end_object()
      .str();
}

std::string version_json(const SchemaVersion& v) {
  return json::JsonWriter()
      .begin_object()
      .field("subject", v.subject)
      .field("version", v.version)
      .field("id", v.id)
      .field("schema", v.schema)
      .end_object()
      .str();
}

std::string ints_json(const std::vector<int>& values) {
  json::JsonWriter w;
  w.begin_array();
  for (int v : values) w.value(v);
  return w.end_array().str();
}

std::string strings_json(const std::vector<std::string>& values) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& v : values) w.value(v);
  return w.end_array().str();
}

std::string field_json(const std::string& key, const std::string& value) {
  return json::JsonWriter().begin_object().field(key, value).end_object().str();
}

std::string usages_json(const std::vector<std::pair<std::string, int>>& usages) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& [subject, version] : usages)
    w.begin_object().field("subject", subject).field("version", version).end_object();
  return w.end_array().str();
}

std::string compatibility_json(const std::vector<std::string>& reasons, bool verbose) {
  json::JsonWriter w;
  w.begin_object().field("is_compatible", reasons.empty());
  if (verbose) {
    w.key("messages").begin_array();
    for (const auto& r : reasons) w.value(r);
    w.end_array();
  }
  return w.end_object().str();
}

}  // namespace sluice::registry
