// The schema registry's state — subjects, their versions, schema ids and
// compatibility settings — as Confluent Schema Registry keeps it: built only by
// applying the records of the `_schemas` topic in order (registry_record.h), so
// every registry process reading that topic agrees, and a restart replays it.
//
// Invariants:
//  - Changes are proposed, not made: register(), delete_*() and set_config()
//    check the request against the state and return the record to append (or
//    an error, or nothing when the request changes nothing); the state changes
//    only when apply() sees that record come back from the topic. One elected
//    writer appends, so proposals never race.
//  - An id names one schema (by canonical form) for ever, across subjects:
//    registering an identical schema anywhere gives its id back; ids grow.
//  - A subject's versions grow from 1; a soft-deleted version keeps its number
//    and can only be deleted permanently after it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "avro/compatibility.h"
#include "registry/registry_record.h"

namespace sluice::registry {

// Confluent's error: HTTP status and error_code (40401 subject not found, ...).
struct RegistryError {
  int http_status = 500;
  int error_code = 50001;
  std::string message;
};

struct SchemaVersion {
  std::string subject;
  int version = 0;
  int id = 0;
  std::string schema;  // as registered
  bool deleted = false;
};

class RegistryState {
 public:
  // A record read back from `_schemas`, in topic order.
  void apply(const RegistryRecord& record);

  // POST /subjects/{s}/versions. The id when the subject already has this schema
  // (nothing to append); else the record to append (its value carries the id).
  std::variant<int, RegistryRecord, RegistryError> register_schema(const std::string& subject,
                                                                   const std::string& schema) const;
  // POST /subjects/{s}: the live version of `subject` holding this schema.
  std::variant<SchemaVersion, RegistryError> lookup(const std::string& subject,
                                                    const std::string& schema) const;

  std::vector<std::string> subjects(bool include_deleted = false) const;
  std::variant<std::vector<int>, RegistryError> versions(const std::string& subject,
                                                         bool include_deleted = false) const;
  // `version` is a number or "latest" (-1).
  std::variant<SchemaVersion, RegistryError> version(const std::string& subject, int version,
                                                     bool include_deleted = false) const;
  std::variant<SchemaVersion, RegistryError> schema_by_id(int id) const;
  // Every (subject, version) holding schema `id`.
  std::vector<std::pair<std::string, int>> usages(int id) const;

  // DELETE /subjects/{s}[/versions/{v}][?permanent=true]: the records to append
  // and the versions they delete.
  std::variant<std::pair<std::vector<RegistryRecord>, std::vector<int>>, RegistryError>
  delete_versions(const std::string& subject, std::optional<int> version, bool permanent) const;

  // The level in force for `subject` (its own, else the global one).
  avro::Compatibility compatibility(const std::optional<std::string>& subject) const;
  std::optional<avro::Compatibility> own_compatibility(const std::string& subject) const;
  // POST /compatibility/subjects/{s}/versions/{v|latest}: the reasons `schema`
  // may not be registered after that version under the subject's level.
  std::variant<std::vector<std::string>, RegistryError> check(const std::string& subject,
                                                              int version,
                                                              const std::string& schema) const;

  int max_id() const { return max_id_; }

 private:
  struct Subject {
    std::map<int, SchemaVersion> versions;  // by version number
  };
  const Subject* live_subject(const std::string& subject) const;
  std::variant<std::vector<const SchemaVersion*>, RegistryError> live_versions(
      const std::string& subject) const;

  std::map<std::string, Subject> subjects_;
  std::map<int, std::string> schemas_by_id_;     // id -> schema text
  std::map<std::string, int> ids_by_canonical_;  // canonical form -> id
  std::map<std::string, avro::Compatibility> configs_;
  avro::Compatibility global_ = avro::Compatibility::kBackward;
  int max_id_ = 0;
};

}  // namespace sluice::registry
