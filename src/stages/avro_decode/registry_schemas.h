// Writer schemas by id (and a pinned reader schema by subject and version) from a
// Confluent-compatible schema registry (GET {registry}/schemas/ids/{id}), each fetched once and
// kept: an id names one schema forever, so a cached schema is never stale.
//
// Invariant: by_id() returns a parsed schema or throws RegistryLookupError
// saying which id, which registry and what went wrong; a failed lookup is not
// cached (the registry may be restarting, or the schema registered later).
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "avro/schema.h"

namespace sluice::stages {

class RegistryLookupError : public std::runtime_error {
 public:
  // `unknown`: the registry answered that no schema has this id (40403), as
  // opposed to a registry that could not be reached.
  RegistryLookupError(const std::string& what, bool is_unknown)
      : std::runtime_error(what), unknown(is_unknown) {}
  bool unknown;
};

class RegistrySchemas {
 public:
  explicit RegistrySchemas(std::string base_url);
  std::shared_ptr<const avro::Schema> by_id(int32_t id);
  // GET {registry}/subjects/{subject}/versions/{version} (a number or "latest"),
  // not cached: for a stage's pinned reader schema, read once at start.
  avro::Schema by_subject_version(const std::string& subject, const std::string& version);

 private:
  // The "schema" text of a registry answer at `url`, parsed; `what` names it in errors.
  avro::Schema fetch(const std::string& url, const std::string& what);

  std::string base_url_;  // without a trailing '/'
  std::mutex mu_;
  std::map<int32_t, std::shared_ptr<const avro::Schema>> cache_;
};

}  // namespace sluice::stages
