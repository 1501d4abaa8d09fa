// The JSON of Confluent Schema Registry's REST API, both ways: request bodies
// read ({"schema": ...}, {"compatibility": ...}) and reply bodies written
// ({"id": N}, a schema version, {"error_code": ..., "message": ...}).
//
// Invariant: a body that cannot be read becomes a RegistryError saying what was
// expected, never an exception; strings written are always escaped.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "avro/compatibility.h"
#include "registry/registry_state.h"

namespace sluice::registry {

// POST /subjects/{s}/versions, POST /subjects/{s}, POST /compatibility/...:
// the schema text, minified (whitespace outside strings removed, keys in their
// order), so every version is stored and served in one compact form. A body
// that is itself an Avro schema (it has "type" and no "schema") is the schema.
std::variant<std::string, RegistryError> read_schema_request(const std::string& body);
// PUT /config[/{s}]: the level named by "compatibility" (or "compatibilityLevel").
std::variant<avro::Compatibility, RegistryError> read_config_request(const std::string& body);

std::string error_json(const RegistryError& e);
// {"subject":..,"version":..,"id":..,"schema":..}
std::string version_json(const SchemaVersion& v);
std::string ints_json(const std::vector<int>& values);
std::string strings_json(const std::vector<std::string>& values);
// {"KEY":"VALUE"}
std::string field_json(const std::string& key, const std::string& value);
// [{"subject":..,"version":..}]
std::string usages_json(const std::vector<std::pair<std::string, int>>& usages);
// {"is_compatible":B[,"messages":[..]]}
std::string compatibility_json(const std::vector<std::string>& reasons, bool verbose);

}  // namespace sluice::registry
