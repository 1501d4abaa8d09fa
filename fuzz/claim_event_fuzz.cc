// libFuzzer target: one claims.events record value through the ingest stage —
// simdjson parse, JSON Schema validation against
// examples/claims-attachments/claim-event.schema.json (its pattern, enum,
// date-time and uri checks), read_claim_event() and the download-task JSON.
//
// Expected outcome for bad input: Outcome::failure(kValidation). The stage must
// never throw or crash on a record, and every task it emits must be valid JSON.
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "stages/ingest/ingest_processor.h"

#ifndef SLUICE_CLAIM_SCHEMA
#error "SLUICE_CLAIM_SCHEMA must name the claim-event schema file"
#endif

namespace {

using namespace sluice;

// One stage for the whole run, as in production. Dedupe is off so the answer
// for an input never depends on what was fed before it (reproducible crashes).
stages::Ingest& ingest() {
  static stages::Ingest* stage = [] {
    pipeline::ProcessorContext c;
    c.stage = "ingest";
    c.outputs = {"claims.downloads"};
    c.options["schema"] = SLUICE_CLAIM_SCHEMA;
    c.options["dedupe_window"] = 0;
    return new stages::Ingest(c);  // never freed: lives as long as the fuzzer
  }();
  return *stage;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipeline::Record rec;
  rec.topic = "claims.events";
  rec.value.assign(reinterpret_cast<const char*>(data), size);
  rec.trace_id = "fuzz";
  pipeline::Outcome out = ingest().process(rec);
  if (!out.ok && out.category != pipeline::ErrorCategory::kValidation) __builtin_trap();
  // Tasks are built by string concatenation: each must parse back as JSON.
  simdjson::dom::parser parser;
  for (const auto& task : out.outputs) {
    simdjson::dom::element e;
    if (parser.parse(simdjson::padded_string(task.value)).get(e)) __builtin_trap();
  }
  return 0;
}
