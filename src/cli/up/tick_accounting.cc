#include "cli/up/tick_accounting.h"

#include <algorithm>
#include <map>
#include <vector>

#include "cli/up/accounting_sources.h"
#include "kafka/record.h"
#include "stages/sequence_check/symbol_control.h"

namespace sluice::cli {
namespace {

// The pipeline's parts, found by processor and topic: stages of their own, or
// steps of one chain stage (examples/market-ticks' `check`).
struct Parts {
  const pipeline::StageConfig* front = nullptr;  // the validator; may be absent
  PipelinePart sequence, route;
  const pipeline::StageConfig* sink = nullptr;
  std::string quarantine_topic, parked_topic;
  // Sequence-check and the route are steps of one chain: no topic between them.
  bool fused = false;

  explicit Parts(const pipeline::PipelineConfig& c) {
    const std::string why = "; the market-ticks accounting follows the ticks to the table";
    sequence = find_part(c, "sequence-check");
    route = find_part(c, "quarantine-route");
    fused = route.stage && route.stage == sequence.stage;
    if (fused) {
      front = sequence.stage;  // its earlier steps validate; its DLQ holds their rejects
    } else {
      if (sequence.stage->outputs.empty())
        throw std::invalid_argument("stage '" + sequence.stage->name + "' has no output" + why);
      for (const auto& s : c.stages)
        if (std::find(s.outputs.begin(), s.outputs.end(), sequence.stage->input) != s.outputs.end())
          front = &s;
      if (route.stage && route.stage->input != sequence.stage->outputs.front()) route = {};
    }
    if (!route.stage || route.stage->outputs.empty())
      throw std::invalid_argument("pipeline '" + c.name +
                                  "' has no quarantine-route (a stage or a step after "
                                  "sequence-check's) with an output" +
                                  why);
    for (const auto& s : c.stages)
      if (s.processor == "table-sink" && s.input == route.stage->outputs.front()) sink = &s;
    if (!sink)
      throw std::invalid_argument("pipeline '" + c.name + "' has no table-sink stage reading " +
                                  route.stage->outputs.front() + why);
    quarantine_topic = route.option("quarantine_topic");
    parked_topic = sequence.option("parked_topic",
                                   stages::symbol_control::parked_topic_for(sequence.stage->input));
  }
};

class TickReport : public AccountingReport {
 public:
  int64_t events = 0, rejected = 0, valid = 0, forwarded = 0, parked = 0, sequence_dlq = 0;
  int64_t duplicates = 0, quarantined = 0, passed = 0, route_dlq = 0, rows = 0, sink_dlq = 0;
  std::map<std::string, int64_t> reasons;     // quarantine records by sluice.error.category
  std::map<std::string, int64_t> severities;  // WARNING, ERROR
  std::string front_name, quarantine_topic;
  SourceManifest manifest;
  std::vector<std::string> unaccounted;

  bool ok() const override { return unaccounted.empty(); }

  void print(FILE* out, bool drained) const override {
    auto n = [](int64_t v) { return static_cast<long long>(v); };
    std::fprintf(out, "ticks in:            %lld (%lld rejected by %s)\n", n(events), n(rejected),
                 front_name.c_str());
    if (manifest.present) {
      std::fprintf(out, "  source manifest:   %lld ticks:", n(manifest.events));
      for (const auto& [k, v] : manifest.expected) std::fprintf(out, " %lld %s", n(v), k.c_str());
      std::fprintf(out, "\n");
    }
    std::fprintf(out,
                 "sequence-checked:    %lld valid: %lld forwarded, %lld duplicates dropped, %lld "
                 "parked (halted symbols), %lld DLQ\n",
                 n(valid), n(forwarded), n(duplicates), n(parked), n(sequence_dlq));
    std::fprintf(out, "quarantined:         %lld on %s (%lld rejected + %lld routed):",
                 n(rejected + quarantined), quarantine_topic.c_str(), n(rejected), n(quarantined));
    for (const auto& [k, v] : severities) std::fprintf(out, " %lld %s", n(v), k.c_str());
    std::fprintf(out, "\n");
    for (const auto& [k, v] : reasons) std::fprintf(out, "  %-22s %lld\n", k.c_str(), n(v));
    std::fprintf(out, "table rows:          %lld (of %lld passed on; %lld in the sink's DLQ)\n",
                 n(rows), n(passed), n(sink_dlq));
    for (size_t i = 0; i < unaccounted.size() && i < 50; ++i)
      std::fprintf(out, "%s %s\n", drained ? "UNACCOUNTED" : "IN FLIGHT", unaccounted[i].c_str());
    if (!drained && !ok()) {
      std::fprintf(out, "INCOMPLETE: stopped with ticks in flight\n");
      return;
    }
    std::fprintf(out, "%s\n",
                 ok() ? "OK: every tick is a table row, a quarantine record, a parked tick or a "
                        "dropped duplicate"
                      : "FAILED: see the UNACCOUNTED lines above");
  }

  std::string json(const PassCost& cost) const override {
    json::JsonWriter w;
    w.begin_object().field("ok", ok()).field("events", events).field("rejected", rejected);
    w.field("valid", valid).field("forwarded", forwarded).field("duplicates", duplicates);
    w.field("parked", parked).field("sequence_dead_lettered", sequence_dlq);
    w.field("quarantined", quarantined).field("passed_on", passed);
    w.field("route_dead_lettered", route_dlq).field("rows", rows);
    w.field("sink_dead_lettered", sink_dlq);
    w.key("quarantine_reasons").begin_object();
    for (const auto& [k, v] : reasons) w.field(k, v);
    w.end_object();
    w.key("severities").begin_object();
    for (const auto& [k, v] : severities) w.field(k, v);
    w.end_object();
    if (manifest.present) {
      w.key("manifest").begin_object().field("events", manifest.events);
      for (const auto& [k, v] : manifest.expected) w.field(k, v);
      w.end_object();
    }
    w.key("unaccounted").begin_array();
    for (const auto& item : unaccounted) w.value(item);
    w.end_array();
    write_pass_cost(w, cost);
    return w.end_object().str();
  }
};

}  // namespace

std::unique_ptr<AccountingReport> account_ticks(const pipeline::PipelineConfig& config,
                                                const AccountingRequest& request, PassCost& cost) {
  const Parts parts(config);
  kafka::AdminClient admin(
      {request.bootstrap.empty() ? config.bootstrap : request.bootstrap, 30000});
  cost = {};
  cost.why_full = "ticks are accounted in one full pass";
  auto report = std::make_unique<TickReport>();
  TickReport& r = *report;
  TopicCounter topics(admin, cost, request.since_ms);
  r.front_name = parts.front ? parts.front->name : parts.sequence.stage->name;
  r.quarantine_topic = parts.quarantine_topic;

  r.events = topics.count(parts.front ? parts.front->input : parts.sequence.stage->input, true);
  // The quarantine topic holds the route's records and, when the validator
  // dead-letters there, its rejects: told apart by sluice.stage.
  const bool front_dlq_is_quarantine =
      parts.front && parts.front->dlq.topic == parts.quarantine_topic;
  topics.count(parts.quarantine_topic, false, [&](const ScannedRecord& rec) {
    const std::string* stage = rec.last_header(kafka::header::kStage);
    const std::string* category = rec.last_header(kafka::header::kCategory);
    const std::string* severity = rec.last_header(stages::symbol_control::kSeverity);
    // In a chain the route and the validators are one stage: the runtime's
    // dead letters are the ones that count attempts.
    const bool dead_letter = rec.last_header(kafka::header::kAttempts) != nullptr;
    if (stage && *stage == parts.route.stage->name && !(parts.fused && dead_letter)) {
      r.quarantined += 1;
    } else if (front_dlq_is_quarantine && stage && *stage == parts.front->name) {
      r.rejected += 1;
    } else {
      r.unaccounted.push_back("a record on " + parts.quarantine_topic + " at partition " +
                              std::to_string(rec.partition) + " offset " +
                              std::to_string(rec.offset) + " from no stage of this pipeline");
      return;
    }
    r.reasons[category ? *category : "unknown"] += 1;
    r.severities[severity ? *severity : "none"] += 1;
    // The quarantine's promise: each record says its reason, time and severity.
    if (!category || !severity || !rec.last_header(kafka::header::kFirstFailedAt))
      r.unaccounted.push_back(
          "a record on " + parts.quarantine_topic + " at partition " +
          std::to_string(rec.partition) + " offset " + std::to_string(rec.offset) +
          " without a reason, time or severity header (a validator dead-lettering there needs "
          "dlq.headers: {" +
          std::string(stages::symbol_control::kSeverity) + ": ERROR})");
  });
  if (parts.front && !front_dlq_is_quarantine) r.rejected = topics.dead_letters(*parts.front);
  if (front_dlq_is_quarantine) r.rejected += topics.count(parts.front->dlq.topic + ".parked");
  r.parked = topics.count(parts.parked_topic);
  r.passed = topics.count(parts.route.stage->outputs.front());
  if (parts.fused) {
    // No topic between the steps: every dead letter of the chain is counted
    // as rejected, and valid and forwarded are what the other outcomes add up to.
    r.valid = r.events - r.rejected;
    r.forwarded = r.quarantined + r.passed;
  } else {
    r.valid = parts.front ? topics.count(parts.sequence.stage->input) : r.events;
    r.forwarded = topics.count(parts.sequence.stage->outputs.front());
    r.sequence_dlq = topics.dead_letters(*parts.sequence.stage);
    r.route_dlq = topics.dead_letters(*parts.route.stage);
  }
  r.duplicates = r.valid - r.forwarded - r.parked - r.sequence_dlq;
  r.sink_dlq = topics.dead_letters(*parts.sink);
  const SinkTable table(config, *parts.sink);
  cost.table_version = table.version();
  table.each_row([&](const lake::parquet::Row&) { r.rows += 1; }, cost.files_read);

  auto must_equal = [&](int64_t got, int64_t want, const std::string& what) {
    if (got != want)
      r.unaccounted.push_back(what + ": " + std::to_string(got) + ", expected " +
                              std::to_string(want));
  };
  if (parts.front && !parts.fused)
    must_equal(r.rejected + r.valid, r.events, "rejected + valid ticks");
  if (r.duplicates < 0)
    r.unaccounted.push_back("sequence-check forwarded and parked " +
                            std::to_string(r.forwarded + r.parked) + " ticks of " +
                            std::to_string(r.valid) + " valid ones");
  if (!parts.fused)
    must_equal(r.quarantined + r.passed + r.route_dlq, r.forwarded,
               "quarantined + passed on + route DLQ records");
  must_equal(r.rows + r.sink_dlq, r.passed, "table rows + sink DLQ records");
  r.manifest = read_source_manifest(request.manifest_path);
  if (r.manifest.present && request.since_ms < 0) {
    const SourceManifest& m = r.manifest;
    must_equal(r.events, m.events, "ticks on the input (the source's manifest)");
    must_equal(r.rows, m.of("row"), "table rows (manifest: expected row)");
    must_equal(r.rejected + r.quarantined, m.of("quarantine"),
               "quarantine records (manifest: expected quarantine)");
    must_equal(r.duplicates, m.of("duplicate"),
               "duplicates dropped (manifest: expected duplicate)");
    must_equal(r.parked, m.of("parked"), "parked ticks (manifest: expected parked)");
  }
  return report;
}

}  // namespace sluice::cli
