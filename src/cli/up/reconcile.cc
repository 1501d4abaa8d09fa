#include "cli/up/reconcile.h"

#include <simdjson.h>

#include <cstdio>
#include <set>

#include "cli/support/topic_scan.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/table_schema.h"
#include "lake/store/object_store.h"
#include "pipeline/reroute.h"

namespace sluice::cli {
namespace {

using Position = std::pair<int32_t, int64_t>;  // partition, offset

const pipeline::StageConfig& stage_with(const pipeline::PipelineConfig& c,
                                        const std::string& processor) {
  for (const auto& s : c.stages) {
    if (s.processor == processor) return s;
  }
  throw std::invalid_argument("pipeline '" + c.name + "' has no stage with processor '" +
                              processor +
                              "'; validate reconciles ingest -> download -> table-sink pipelines");
}

std::string option(const pipeline::StageConfig& s, const char* key) {
  const YAML::Node n = s.options[key];
  if (!n || !n.IsScalar())
    throw std::invalid_argument("stage '" + s.name + "' has no option '" + key + "'");
  return n.Scalar();
}

std::string json_string(simdjson::dom::parser& parser, const std::string& json, const char* key) {
  std::string_view v;
  if (parser.parse(json).get_object()[key].get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

// Task ids an event calls for ("<claim_id>/<index>"), or none if it is not a claim event.
std::vector<std::string> expected_tasks(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::object event;
  std::string_view claim;
  simdjson::dom::array attachments;
  if (parser.parse(json).get(event) || event["claim_id"].get(claim) ||
      event["attachments"].get(attachments)) {
    return {};
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < attachments.size(); ++i)
    out.push_back(std::string(claim) + "/" + std::to_string(i));
  return out;
}

// Every record of `topic` (since `since_ms` when >= 0); a topic that does not
// exist yet (no DLQ record was ever written) reads as empty.
void scan(kafka::AdminClient& admin, const std::string& topic, int64_t since_ms,
          const std::function<void(const ScannedRecord&)>& visit) {
  try {
    scan_topic(admin, topic, since_ms >= 0 ? std::optional<int64_t>(since_ms) : std::nullopt,
               [&](ScannedRecord&& r) { visit(r); });
  } catch (const std::invalid_argument&) {
  }
}

struct DeadLetters {
  std::set<Position> originals;    // input positions that were dead-lettered
  std::set<std::string> task_ids;  // tasks found in the records' payloads
};

// Reads `<topic>.dlq` and `<topic>.dlq.parked` (the stage's DLQ topic may be configured).
DeadLetters read_dead_letters(kafka::AdminClient& admin, const pipeline::StageConfig& stage,
                              ReconcileReport& r) {
  DeadLetters out;
  simdjson::dom::parser parser;
  for (const std::string& topic : {stage.dlq.topic, stage.dlq.topic + ".parked"}) {
    scan(admin, topic, -1, [&](const ScannedRecord& rec) {
      const std::string* category = rec.last_header(kafka::header::kCategory);
      r.dlq_categories[topic + " " + (category ? *category : "?")] += 1;
      const std::string* p = rec.last_header(kafka::header::kOriginalPartition);
      const std::string* o = rec.last_header(kafka::header::kOriginalOffset);
      const std::string* t = rec.last_header(kafka::header::kOriginalTopic);
      if (p && o && t && *t == stage.input) out.originals.insert({std::stoi(*p), std::stoll(*o)});
      std::string task = json_string(parser, rec.value, "task_id");
      if (!task.empty()) out.task_ids.insert(task);
    });
  }
  return out;
}

// task_id -> (rows, object keys) from the table's live files.
std::map<std::string, std::vector<std::string>> table_rows(const pipeline::StageConfig& sink) {
  auto store = lake::open_store(option(sink, "store"));
  lake::delta::DeltaTable table(*store, option(sink, "table"));
  lake::delta::TableState state = table.state();
  std::map<std::string, std::vector<std::string>> out;
  if (state.version < 0) return out;
  auto schema = lake::delta::parse_schema_string(state.metadata.schema_string);
  size_t task_col = schema.size(), key_col = schema.size();
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == "task_id") task_col = i;
    if (schema[i].name == "object_key") key_col = i;
  }
  if (task_col == schema.size())
    throw std::invalid_argument("table has no task_id column to reconcile by");
  const lake::delta::PartitionLayout layout(state.metadata);  // rows with partition columns too
  for (const auto& [path, file] : state.files) {
    for (const auto& row : lake::delta::read_data_file(table.log(), layout, file)) {
      const auto* task = std::get_if<std::string>(&row[task_col].v);
      const auto* key = key_col < row.size() ? std::get_if<std::string>(&row[key_col].v) : nullptr;
      if (task) out[*task].push_back(key ? *key : "");
    }
  }
  return out;
}

void check_objects(const pipeline::StageConfig& download,
                   const std::map<std::string, std::vector<std::string>>& rows,
                   ReconcileReport& r) {
  auto store = lake::open_store(option(download, "store"));
  for (const auto& [task, keys] : rows) {
    for (const auto& key : keys) {
      if (key.empty()) continue;
      r.objects_checked += 1;
      if (!store->head(key))
        r.missing_objects.push_back(task + ": object " + key + " is not in " + store->url());
    }
  }
}

}  // namespace

ReconcileReport reconcile(const pipeline::PipelineConfig& config, const std::string& bootstrap,
                          int64_t since_ms) {
  const auto& ingest = stage_with(config, "ingest");
  const auto& download = stage_with(config, "download");
  const auto& sink = stage_with(config, "table-sink");
  kafka::AdminClient admin({bootstrap.empty() ? config.bootstrap : bootstrap, 30000});
  ReconcileReport r;
  simdjson::dom::parser parser;

  DeadLetters event_dlq = read_dead_letters(admin, ingest, r);
  std::set<std::string> expected;
  scan(admin, ingest.input, since_ms, [&](const ScannedRecord& rec) {
    r.events += 1;
    if (event_dlq.originals.count({rec.partition, rec.offset})) {
      r.events_dead_lettered += 1;
      return;
    }
    for (auto& t : expected_tasks(parser, rec.value)) expected.insert(std::move(t));
  });
  r.tasks_expected = int64_t(expected.size());

  std::set<std::string> produced;
  for (const auto& out : ingest.outputs) {
    scan(admin, out, -1, [&](const ScannedRecord& rec) {
      std::string task = json_string(parser, rec.value, "task_id");
      if (expected.count(task)) produced.insert(task);
    });
  }
  r.tasks_produced = int64_t(produced.size());

  DeadLetters task_dlq = read_dead_letters(admin, download, r);
  DeadLetters result_dlq = read_dead_letters(admin, sink, r);
  auto rows = table_rows(sink);
  for (const auto& task : expected) {
    auto it = rows.find(task);
    bool dead = task_dlq.task_ids.count(task) || result_dlq.task_ids.count(task);
    if (it != rows.end()) {
      r.rows += 1;
      if (it->second.size() > 1)
        r.duplicated.push_back(task + ": " + std::to_string(it->second.size()) + " rows");
    } else if (dead) {
      r.tasks_dead_lettered += 1;
    } else {
      r.lost.push_back(task + (produced.count(task)
                                   ? ": a download task exists but no row and no DLQ record"
                                   : ": the event was accepted but no download task exists"));
    }
  }
  check_objects(download, rows, r);
  return r;
}

void print_report(const ReconcileReport& r, FILE* out, bool drained) {
  std::fprintf(out, "events in:           %lld (%lld dead-lettered by ingest)\n",
               static_cast<long long>(r.events), static_cast<long long>(r.events_dead_lettered));
  std::fprintf(out, "attachments (tasks): %lld expected, %lld produced\n",
               static_cast<long long>(r.tasks_expected), static_cast<long long>(r.tasks_produced));
  std::fprintf(out, "  -> table rows:     %lld\n  -> DLQ records:    %lld\n  -> %s %zu\n",
               static_cast<long long>(r.rows), static_cast<long long>(r.tasks_dead_lettered),
               drained ? "unaccounted:   " : "still in flight:", r.lost.size());
  std::fprintf(out, "duplicate rows:      %zu\nobjects checked:     %lld (%zu missing)\n",
               r.duplicated.size(), static_cast<long long>(r.objects_checked),
               r.missing_objects.size());
  if (!r.dlq_categories.empty()) std::fprintf(out, "DLQ by category:\n");
  for (const auto& [k, n] : r.dlq_categories)
    std::fprintf(out, "  %-48s %lld\n", k.c_str(), static_cast<long long>(n));
  auto list = [&](const char* what, const std::vector<std::string>& items) {
    for (size_t i = 0; i < items.size() && i < 50; ++i)
      std::fprintf(out, "%s %s\n", what, items[i].c_str());
    if (items.size() > 50) std::fprintf(out, "%s ... and %zu more\n", what, items.size() - 50);
  };
  list(drained ? "LOST" : "IN FLIGHT", r.lost);
  list("DUPLICATE", r.duplicated);
  list("MISSING OBJECT", r.missing_objects);
  if (!drained && r.duplicated.empty() && r.missing_objects.empty()) {
    std::fprintf(
        out,
        "INCOMPLETE: stopped with %zu task(s) in flight; nothing duplicated or missing so far\n",
        r.lost.size());
    return;
  }
  std::fprintf(out, "%s\n",
               r.ok() ? "OK: every event is accounted for exactly once"
                      : "FAILED: see the LOST / DUPLICATE / MISSING OBJECT lines above");
}

}  // namespace sluice::cli
