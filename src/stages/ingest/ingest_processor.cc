#include "stages/ingest/ingest_processor.h"

#include <simdjson.h>

#include <stdexcept>

#include "stages/ingest/ingest_claim.h"
#include "stages/record_json.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;

[[noreturn]] void bad_option(const std::string& stage, const std::string& key,
                             const std::string& what) {
  throw pipeline::OptionError(key, "stage '" + stage + "' (processor ingest): " + what);
}

size_t dedupe_window(const pipeline::ProcessorContext& c) {
  const YAML::Node n = c.options["dedupe_window"];
  if (!n) return 100000;
  try {
    int64_t v = n.as<int64_t>();
    if (v >= 0) return size_t(v);
  } catch (const YAML::Exception&) {
  }
  bad_option(c.stage, "dedupe_window",
             "option 'dedupe_window' must be a whole number >= 0 (0 turns dedupe off), not '" +
                 (n.IsScalar() ? n.Scalar() : std::string("a list or map")) + "'");
}

const std::string& first_output(const pipeline::ProcessorContext& c) {
  if (c.outputs.empty())
    bad_option(c.stage, "",
               "needs an output topic for the download tasks (outputs: [claims.downloads])");
  return c.outputs.front();
}

}  // namespace

Ingest::Ingest(const pipeline::ProcessorContext& context)
    : output_(first_output(context)),
      schema_(json_schema::load_schema_option(context, "ingest", "claim-event.schema.json")),
      recent_(dedupe_window(context)) {}

Outcome Ingest::process(const pipeline::Record& record) {
  simdjson::dom::element event;
  if (auto err = parse_record_json(record.value, event)) {
    return Outcome::failure(
        ErrorCategory::kValidation,
        std::string("the event is not valid JSON: ") + simdjson::error_message(err));
  }
  if (auto errors = schema_.schema.validate(event); !errors.empty()) {
    return Outcome::failure(
        ErrorCategory::kValidation,
        "the event does not match schema " + schema_.path + ": " + json_schema::joined(errors));
  }
  ClaimEvent claim;
  if (auto err = read_claim_event(event, claim); !err.empty()) {
    return Outcome::failure(ErrorCategory::kValidation, "the event cannot be fanned out: " + err);
  }
  std::vector<std::string> urls;
  for (const auto& a : claim.attachments) urls.push_back(a.url);
  auto key = RecentFanouts::key_of(claim.claim_id, urls);
  if (recent_.seen_elsewhere(
          key, RecentFanouts::origin_of(record.topic, record.partition, record.offset))) {
    return Outcome::success({});
  }
  std::vector<pipeline::OutputRecord> tasks;
  for (size_t i = 0; i < claim.attachments.size(); ++i) {
    tasks.push_back({output_,
                     claim.claim_id,
                     download_task_json(record.trace_id, claim.claim_id, i, claim.attachments[i]),
                     {{pipeline::header::kTraceId, record.trace_id}}});
  }
  return Outcome::success(std::move(tasks));
}

}  // namespace sluice::stages
