// An Avro schema as the Avro specification defines it (avro.apache.org/docs,
// "Schema Declaration"): primitive types, records, enums, arrays, maps, unions
// and fixed, with names, namespaces, aliases, defaults and logical types.
//
// Invariant: a Schema is a tree whose named types (record, enum, fixed) appear
// in full once, at their first occurrence in the JSON text; later references to
// a named type — including a record's reference to itself — are nodes of kind
// kReference naming it, resolved through the Schema's `named` table, so
// recursive schemas are finite. Every name is a fullname (namespace applied).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::avro {

enum class Kind {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
  kReference,  // a named type defined elsewhere in the schema (or itself)
};

// "int", "record", ...; "reference" for kReference.
const char* kind_name(Kind kind);

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Field {
  std::string name;
  NodePtr type;
  std::optional<std::string> default_json;  // the default, as canonical JSON text
  std::vector<std::string> aliases;
  std::string doc;
};

struct Node {
  Kind kind = Kind::kNull;
  std::string name;                  // fullname of a record, enum, fixed or reference
  std::vector<std::string> aliases;  // fullnames
  std::string doc;
  std::string logical_type;                 // "timestamp-micros", "decimal", ... or empty
  int precision = 0;                        // decimal
  int scale = 0;                            // decimal
  std::vector<Field> fields;                // record
  std::vector<std::string> symbols;         // enum
  std::optional<std::string> enum_default;  // enum
  NodePtr items;                            // array
  NodePtr values;                           // map
  std::vector<NodePtr> branches;            // union
  int64_t size = 0;                         // fixed
};

class Schema {
 public:
  // Parses a schema's JSON text. Throws SchemaError naming the problem and where.
  static Schema parse(const std::string& json);

  const Node& root() const { return *root_; }
  // The definition of a named type by fullname (records, enums, fixed), or nullptr.
  const Node* find(const std::string& fullname) const;
  // A kReference node's definition; any other node itself.
  const Node& resolve(const Node& node) const;

  // The Parsing Canonical Form (spec: "Parsing Canonical Form for Schemas"):
  // two schemas that read and write the same data have the same form.
  std::string canonical_form() const;
  // CRC-64-AVRO (Rabin) of the canonical form: the spec's 64-bit fingerprint.
  uint64_t fingerprint() const;

 private:
  NodePtr root_;
  std::map<std::string, NodePtr> named_;
  friend class SchemaParser;
};

class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// CRC-64-AVRO of any bytes (the spec's fingerprint function).
uint64_t crc64_avro(std::string_view bytes);

}  // namespace sluice::avro
