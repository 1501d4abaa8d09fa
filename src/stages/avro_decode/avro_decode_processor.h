// `avro-decode`: a record value in Confluent's wire format (magic byte 0,
// 4-byte schema id, Avro binary) becomes the datum as a JSON object on the
// stage's first output, key and headers kept. The writer schema comes from the
// schema registry by id; with `reader_schema` the datum is resolved to that
// pinned schema, so a stage written against an old schema reads data of a
// newer compatible one. The lookup, the compatibility check and the resolution
// plan are made once per id (decoder_cache.h). See docs/avro.md.
//
// Invariant: every record either decodes or fails with a reason — wrong magic,
// an id the registry does not know, bytes that do not decode, a writer schema
// the reader cannot resolve — as a validation error, so it goes to the DLQ;
// only an unreachable registry is a transient failure (retried, charged to the
// `schema-registry` breaker).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "avro/schema.h"
#include "pipeline/processor.h"
#include "stages/avro_decode/decoder_cache.h"
#include "stages/confluent/registry_schemas.h"
#include "stages/passthrough/passthrough.h"

namespace sluice::stages {

class AvroDecode : public pipeline::Processor {
 public:
  // Options: registry (URL, required), reader_schema (optional: an .avsc file,
  // or {subject, version} fetched from the registry once at start),
  // schema_cache_size (optional: ids kept, default DecoderCache::kDefaultCapacity),
  // unknown_id_recheck_ms (optional: how long an id the registry does not have is
  // answered from the cache, default DecoderCache::kDefaultUnknownRecheckMs).
  // Throws pipeline::OptionError.
  explicit AvroDecode(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;

 private:
  std::unique_ptr<Passthrough> out_;  // the decoded record onto the first output
  RegistrySchemas schemas_;
  std::optional<avro::Schema> reader_;
  DecoderCache decoders_;
};

inline const std::set<std::string> kAvroDecodeOptionNames = {
    "registry", "reader_schema", "schema_cache_size", "unknown_id_recheck_ms"};

}  // namespace sluice::stages
