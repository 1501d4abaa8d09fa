// `ingest`: the first stage of the claims pipeline. Each claim event (JSON) is
// checked against the JSON Schema file named by option `schema`, then fanned
// out into one download task per attachment on the stage's first output topic,
// keyed by claim_id (see stages/ingest/ingest_claim.h for both shapes).
//
//   options:
//     schema: claim-event.schema.json  # required; relative to the pipeline file
//     dedupe_window: 100000   # recent fan-outs remembered; 0 turns dedupe off
//
// Malformed JSON and schema violations fail as `validation` (straight to the
// DLQ, the message naming JSON path and rule). An event whose claim_id and
// attachment URLs were already fanned out by another input record (the
// producer re-sent it) yields no tasks. Dedupe is best-effort: the window is
// in memory, so after a restart — or when a crash makes Kafka re-deliver —
// tasks may be emitted again; downstream stays correct because object keys are
// content-addressed and `sluice validate` counts distinct task_ids.
#pragma once

#include "pipeline/processor.h"
#include "stages/ingest/ingest_dedupe.h"
#include "stages/json_schema/schema_option.h"

namespace sluice::stages {

class Ingest : public pipeline::Processor {
 public:
  // Throws std::invalid_argument naming the stage and option when the options
  // are unusable (no schema, unreadable schema, no output topic).
  explicit Ingest(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;

 private:
  std::string output_;
  json_schema::SchemaOption schema_;
  RecentFanouts recent_;
};

}  // namespace sluice::stages
