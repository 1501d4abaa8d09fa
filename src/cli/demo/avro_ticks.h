// Ticks in Avro, as seed 003's feed writes them: Confluent's wire format (magic
// byte, schema id, Avro binary) with the latest schema of a registry subject
// (`<topic>-value`), which a pipeline's avro-decode stage reads back.
//
// Invariant: a tick that fits the schema is encoded; one that does not (the bad
// mix's undecodable ticks, malformed JSON) is sent as its own bytes, which no
// Avro reader takes, so it reaches the DLQ as "not in Confluent's wire format"
// exactly as it reaches a JSON validator as "not JSON". The expected outcome of
// every tick is therefore the same in both formats.
#pragma once

#include <cstdint>
#include <string>

#include "stages/confluent/registry_schemas.h"

namespace sluice::cli::demo {

class AvroTicks {
 public:
  // Fetches the subject's latest schema. Throws std::runtime_error naming the
  // registry and the subject, and what to do.
  AvroTicks(const std::string& registry, const std::string& subject);

  std::string encode(const std::string& tick_json) const;
  int32_t schema_id() const { return schema_.id; }

  // The bad mix's schema change: registers a version of the subject with a
  // required field the latest lacks (no default), which BACKWARD compatibility
  // must refuse with 409. Returns what happened, in words, for stdout.
  std::string attempt_incompatible_registration();

 private:
  std::string registry_, subject_;
  stages::RegistrySchemas schemas_;
  stages::RegisteredSchema schema_;
};

}  // namespace sluice::cli::demo
