// `avro-encode`: a JSON record value (the form avro-decode writes, docs/avro.md)
// becomes Confluent's wire format — magic byte 0, the schema's registry id as 4
// bytes big-endian, the Avro binary datum — on the stage's first output, key and
// headers kept. The schema is the one registered under `subject`: a file
// registered there when the stage starts (the registry answers the existing id
// when it is already registered), or the subject's latest version.
//
// Invariant: the schema and its id are fixed when the stage starts (a schema the
// registry refuses, an unknown subject or an unreachable registry stops it there
// with the reason); after that every record either encodes or fails as a
// validation error naming the field, what the schema wanted and what the JSON
// held, so it goes to the DLQ. Encoding needs no request: process() is pure.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "pipeline/processor.h"
#include "stages/confluent/registry_schemas.h"
#include "stages/passthrough/passthrough.h"

namespace sluice::stages {

class AvroEncode : public pipeline::Processor {
 public:
  // Options: registry (URL), subject, schema (an .avsc file to register under
  // the subject, or `latest`). Throws pipeline::OptionError.
  explicit AvroEncode(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;

  int32_t schema_id() const { return schema_.id; }

 private:
  std::unique_ptr<Passthrough> out_;  // the encoded record onto the first output
  RegisteredSchema schema_;
};

inline const std::set<std::string> kAvroEncodeOptionNames = {"registry", "subject", "schema"};

}  // namespace sluice::stages
