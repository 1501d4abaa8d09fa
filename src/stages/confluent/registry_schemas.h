// Avro schemas from a Confluent-compatible schema registry: writer schemas by
// id (GET {registry}/schemas/ids/{id}) for avro-decode, a subject's version
// (GET /subjects/{s}/versions/{v}) for a pinned reader schema or avro-encode's
// `schema: latest`, and registering a schema under a subject (POST
// /subjects/{s}/versions, which answers the existing id for a schema already
// there) for avro-encode. Every call is one request: avro-decode keeps what it
// fetched per id (avro_decode/decoder_cache.h), the others run once at start.
//
// Invariant: every call returns a parsed schema (and its id) or throws
// RegistryLookupError saying which id or subject, which registry and what went
// wrong. Thread-safe.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "avro/schema.h"

namespace sluice::stages {

class RegistryLookupError : public std::runtime_error {
 public:
  // `unknown`: the registry answered — no schema has this id (40403), or it
  // refused the request (an incompatible schema, 409) — as opposed to a
  // registry that could not be reached.
  RegistryLookupError(const std::string& what, bool is_unknown)
      : std::runtime_error(what), unknown(is_unknown) {}
  bool unknown;
};

struct RegisteredSchema {
  int32_t id = 0;
  avro::Schema schema;
};

class RegistrySchemas {
 public:
  explicit RegistrySchemas(std::string base_url);
  avro::Schema by_id(int32_t id);
  // `version`: a number or "latest".
  RegisteredSchema by_subject_version(const std::string& subject, const std::string& version);
  // Registers `schema_json` under `subject` (or finds it there): its id.
  RegisteredSchema register_schema(const std::string& subject, const std::string& schema_json);
  // Sets the subject's compatibility level (PUT /config/{subject}).
  void set_compatibility(const std::string& subject, const std::string& level);

 private:
  // One request; the answer's JSON body when it is 200. `what` names the
  // schema in errors.
  std::string send(const std::string& method, const std::string& url, const std::string& body,
                   const std::string& what);
  // The "schema" text of a registry answer, parsed.
  avro::Schema parse(const std::string& text, const std::string& url, const std::string& what);
  std::string subject_url(const std::string& subject) const;

  std::string base_url_;  // without a trailing '/'
};

}  // namespace sluice::stages
