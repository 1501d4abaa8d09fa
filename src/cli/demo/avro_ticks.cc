#include "cli/demo/avro_ticks.h"

#include <stdexcept>

#include "avro/binary_encoder.h"
#include "stages/confluent/confluent_frame.h"

namespace sluice::cli::demo {

AvroTicks::AvroTicks(const std::string& registry, const std::string& subject)
    : registry_(registry), subject_(subject), schemas_(registry) {
  try {
    schema_ = schemas_.by_subject_version(subject, "latest");
  } catch (const stages::RegistryLookupError& e) {
    throw std::runtime_error("demo-source: cannot send Avro ticks: the schema registry at " +
                             registry + " has no schema for subject " + subject + " (" + e.what() +
                             "); register it first (`sluice up` registers a pipeline's "
                             "`schemas:`), or leave out --registry for JSON ticks");
  }
}

std::string AvroTicks::encode(const std::string& tick_json) const {
  try {
    return stages::confluent_frame(schema_.id, avro::encode_json(schema_.schema, tick_json));
  } catch (const avro::EncodeError&) {
    return tick_json;
  }
}

std::string AvroTicks::attempt_incompatible_registration() {
  // The latest schema's Parsing Canonical Form ends with its record's fields
  // array ("...]}"): one more field, required, is what BACKWARD refuses.
  std::string candidate = schema_.schema.canonical_form();
  if (candidate.size() < 2 || candidate.compare(candidate.size() - 2, 2, "]}") != 0)
    return "skipped the incompatible schema change: subject " + subject_ +
           "'s schema is not a record";
  candidate.resize(candidate.size() - 2);
  candidate += R"(,{"name":"venue_required_without_default","type":"string"}]})";
  try {
    const stages::RegisteredSchema taken = schemas_.register_schema(subject_, candidate);
    return "WARNING: the registry at " + registry_ + " accepted an incompatible schema for " +
           subject_ + " (id " + std::to_string(taken.id) +
           "): its compatibility level lets any change through; seed 003 wants BACKWARD";
  } catch (const stages::RegistryLookupError& e) {
    if (!e.unknown)
      return "could not try the incompatible schema change (" + std::string(e.what()) + ")";
    return "the registry refused an incompatible schema for " + subject_ +
           ", as it should: " + e.what();
  }
}

}  // namespace sluice::cli::demo
