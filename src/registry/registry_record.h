// One record of the `_schemas` topic, in Confluent Schema Registry's format, so
// the topic reads the same to either registry:
//   key   {"keytype":"SCHEMA","subject":S,"version":V,"magic":1}
//   value {"subject":S,"version":V,"id":ID,"schema":TEXT,"deleted":false}
//         (null: the version is deleted permanently)
//   key   {"keytype":"CONFIG","subject":S|null,"magic":0}
//   value {"compatibilityLevel":"BACKWARD"}  (null: back to the default)
//   key   {"keytype":"DELETE_SUBJECT","subject":S,"magic":0}
//   value {"subject":S,"version":V}  (soft-deletes every version up to V)
//   key   {"keytype":"NOOP","magic":0}  (a writer's marker: read up to here)
// The topic is compacted: a key's latest value is its state.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "avro/compatibility.h"

namespace sluice::registry {

struct RegistryRecord {
  enum class Type { kSchema, kConfig, kDeleteSubject, kNoop };
  Type type = Type::kNoop;
  std::string subject;     // kConfig: empty for the global setting
  int version = 0;         // kSchema: its version; kDeleteSubject: versions up to it
  int id = 0;              // kSchema
  std::string schema;      // kSchema
  bool deleted = false;    // kSchema: soft-deleted
  bool tombstone = false;  // a null value
  std::optional<avro::Compatibility> compatibility;  // kConfig

  std::string key_json() const;
  // nullopt for a tombstone.
  std::optional<std::string> value_json() const;
  // Throws RecordError naming what is wrong.
  static RegistryRecord parse(std::string_view key, std::optional<std::string_view> value);
};

class RecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sluice::registry
