#include "cli/up/reconcile.h"

#include <cstdio>
#include <set>

#include "cli/support/topic_scan.h"
#include "cli/up/claim_tasks.h"
#include "cli/up/reconcile_ledger.h"
#include "cli/up/validate_checkpoint.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/table_schema.h"
#include "lake/store/object_store.h"
#include "pipeline/reroute.h"

namespace sluice::cli {
namespace {

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

// What a checkpoint's figures are about: one made for anything else must not be resumed.
std::string scope_of(const pipeline::PipelineConfig& config, int64_t since_ms) {
  const auto& ingest = stage_with(config, "ingest");
  const auto& download = stage_with(config, "download");
  const auto& sink = stage_with(config, "table-sink");
  std::string s = "input " + ingest.input + " since " + std::to_string(since_ms);
  for (const auto& out : ingest.outputs) s += " tasks " + out;
  for (const auto* st : {&ingest, &download, &sink}) s += " dlq " + st->dlq.topic;
  return s + " table " + option(sink, "store") + " " + option(sink, "table") + " objects " +
         option(download, "store");
}

// The table changed in a way the checkpoint cannot follow: its version went
// back, or a file read before was retired and can no longer be read.
class TableMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One pass over everything new since `c` (everything, when `c` is empty),
// feeding `ledger` and moving `c`'s positions on. Throws ScanResumeMismatch or
// TableMismatch when `c` no longer fits the topics or the table.
class Pass {
 public:
  Pass(const pipeline::PipelineConfig& config, kafka::AdminClient& admin, int64_t since_ms,
       ValidateCheckpoint& c, ReconcileLedger& ledger, PassCost& cost)
      : ingest_(stage_with(config, "ingest")),
        download_(stage_with(config, "download")),
        sink_(stage_with(config, "table-sink")),
        admin_(admin),
        since_ms_(since_ms),
        c_(c),
        ledger_(ledger),
        cost_(cost) {}

  void run() {
    // Ingest's DLQ before the input, so an event read now is known to be dead-lettered; one
    // dead-lettered after it was counted in an earlier pass is taken back by the ledger.
    const ScanSpans counted = c_.scans["events"];
    for (const std::string& topic : dlq_topics(ingest_)) {
      scan(ingest_.name + "-dlq " + topic, topic, false, [&](const ScannedRecord& rec) {
        ledger_.dead_letter_record(topic, rec.last_header(kafka::header::kCategory));
        const std::string* p = rec.last_header(kafka::header::kOriginalPartition);
        const std::string* o = rec.last_header(kafka::header::kOriginalOffset);
        const std::string* t = rec.last_header(kafka::header::kOriginalTopic);
        if (!p || !o || !t || *t != ingest_.input) return;
        const InputPosition at{std::stoi(*p), std::stoll(*o)};
        auto span = counted.find(at.first);
        const bool was_counted = span != counted.end() && span->second.start <= at.second &&
                                 at.second < span->second.end;
        ledger_.event_dead_lettered(at, tasks_called_for(rec.value), was_counted);
      });
    }
    scan("events", ingest_.input, true, [&](const ScannedRecord& rec) {
      ledger_.input_event({rec.partition, rec.offset}, tasks_called_for(rec.value));
    });
    for (const auto& out : ingest_.outputs) {
      scan("tasks " + out, out, false, [&](const ScannedRecord& rec) {
        const std::string task = task_id_of(rec.value);
        if (!task.empty()) ledger_.task_produced(task);
      });
    }
    for (const auto* stage : {&download_, &sink_}) {
      for (const std::string& topic : dlq_topics(*stage)) {
        scan(stage->name + "-dlq " + topic, topic, false, [&](const ScannedRecord& rec) {
          ledger_.dead_letter_record(topic, rec.last_header(kafka::header::kCategory));
          const std::string task = task_id_of(rec.value);
          if (!task.empty()) ledger_.task_dead_lettered(task);
        });
      }
    }
    read_table();
    ledger_.recheck_missing(
        [&](const std::string& key) { return objects().head(key).has_value(); });
  }

  // The object store rows point into, named in MISSING OBJECT lines.
  std::string objects_url() { return objects().url(); }

 private:
  static std::vector<std::string> dlq_topics(const pipeline::StageConfig& s) {
    return {s.dlq.topic, s.dlq.topic + ".parked"};  // the DLQ topic may be configured
  }

  lake::ObjectStore& objects() {
    if (!objects_) objects_ = lake::open_store(option(download_, "store"));
    return *objects_;
  }

  // The records of `topic` not read before under `reader`; a topic that does not exist (no DLQ
  // record was ever written) reads as empty — unless it was read before: then it was deleted.
  void scan(const std::string& reader, const std::string& topic, bool since,
            const std::function<void(const ScannedRecord&)>& visit) {
    ScanSpans& spans = c_.scans[reader];
    try {
      spans = scan_topic_from(
          admin_, topic, since && since_ms_ >= 0 ? std::optional<int64_t>(since_ms_) : std::nullopt,
          spans, [&](ScannedRecord&& r) {
            cost_.records_read += 1;
            visit(r);
          });
    } catch (const std::invalid_argument&) {
      if (!spans.empty()) throw ScanResumeMismatch("topic '" + topic + "' is gone");
    }
  }

  // New live files add their rows; files read before that a compaction retired take theirs back
  // (read again from their tombstone, as vacuum has not deleted them yet).
  void read_table() {
    auto store = lake::open_store(option(sink_, "store"));
    lake::delta::DeltaTable table(*store, option(sink_, "table"));
    lake::delta::TableState state = table.state();
    if (state.version < c_.table_version) {
      throw TableMismatch("the table is at version " + std::to_string(state.version) +
                          ", below the " + std::to_string(c_.table_version) + " read before");
    }
    c_.table_version = state.version;
    cost_.table_version = state.version;
    if (state.version < 0) return;
    auto schema = lake::delta::parse_schema_string(state.metadata.schema_string);
    size_t task_col = schema.size(), key_col = schema.size();
    for (size_t i = 0; i < schema.size(); ++i) {
      if (schema[i].name == "task_id") task_col = i;
      if (schema[i].name == "object_key") key_col = i;
    }
    if (task_col == schema.size())
      throw std::invalid_argument("table has no task_id column to reconcile by");
    const lake::delta::PartitionLayout layout(state.metadata);  // rows with partition columns too
    auto each_row = [&](const lake::delta::AddFile& file, auto&& take) {
      cost_.files_read += 1;
      for (const auto& row : lake::delta::read_data_file(table.log(), layout, file)) {
        const auto* task = std::get_if<std::string>(&row[task_col].v);
        const auto* key =
            key_col < row.size() ? std::get_if<std::string>(&row[key_col].v) : nullptr;
        if (task) take(*task, key ? *key : std::string());
      }
    };
    for (const auto& path : c_.table_files) {
      if (state.files.count(path)) continue;
      auto tomb = state.tombstones.find(path);
      if (tomb == state.tombstones.end())
        throw TableMismatch("file " + path + " was read before and is no longer in the log");
      lake::delta::AddFile retired;
      retired.path = path;
      retired.partition_values = tomb->second.partition_values;
      try {
        each_row(retired, [&](const std::string& task, const std::string& key) {
          ledger_.row_removed(task, key);
        });
      } catch (const std::exception& e) {
        throw TableMismatch("retired file " + path + " cannot be read again: " + e.what());
      }
    }
    std::set<std::string> live;
    for (const auto& [path, file] : state.files) {
      live.insert(path);
      if (c_.table_files.count(path)) continue;
      each_row(file, [&](const std::string& task, const std::string& key) {
        ledger_.row_added(task, key, key.empty() || objects().head(key).has_value());
      });
    }
    c_.table_files = std::move(live);
  }

  const pipeline::StageConfig& ingest_;
  const pipeline::StageConfig& download_;
  const pipeline::StageConfig& sink_;
  kafka::AdminClient& admin_;
  int64_t since_ms_;
  ValidateCheckpoint& c_;
  ReconcileLedger& ledger_;
  PassCost& cost_;
  std::unique_ptr<lake::ObjectStore> objects_;
};

// One pass from `c` (empty: from nothing); `c` holds the new positions and figures afterwards.
ReconcileReport run_pass(const pipeline::PipelineConfig& config, kafka::AdminClient& admin,
                         int64_t since_ms, ValidateCheckpoint& c, PassCost& cost) {
  ReconcileLedger ledger(std::move(c.figures));
  Pass pass(config, admin, since_ms, c, ledger, cost);
  pass.run();
  ReconcileReport report = ledger.report(pass.objects_url());
  c.figures = std::move(ledger).release();
  return report;
}

}  // namespace

ReconcileReport reconcile(const pipeline::PipelineConfig& config, const std::string& bootstrap,
                          int64_t since_ms) {
  PassCost cost;
  return reconcile(config, bootstrap, since_ms, "", cost);
}

ReconcileReport reconcile(const pipeline::PipelineConfig& config, const std::string& bootstrap,
                          int64_t since_ms, const std::string& checkpoint_path, PassCost& cost) {
  kafka::AdminClient admin({bootstrap.empty() ? config.bootstrap : bootstrap, 30000});
  ValidateCheckpoint fresh;
  fresh.scope = scope_of(config, since_ms);
  ValidateCheckpoint c = fresh;
  cost = {};
  if (!checkpoint_path.empty()) {
    try {
      std::optional<ValidateCheckpoint> loaded = load_checkpoint(checkpoint_path);
      if (!loaded) {
        cost.why_full = "no checkpoint yet";
      } else if (loaded->scope != fresh.scope) {
        cost.why_full = "the checkpoint is about other topics, another table or another --since";
      } else {
        c = std::move(*loaded);
        cost.resumed = true;
      }
    } catch (const CheckpointCorrupt& e) {
      cost.why_full = std::string("the checkpoint is damaged (") + e.what() + ")";
    }
  }
  ReconcileReport report;
  try {
    report = run_pass(config, admin, since_ms, c, cost);
  } catch (const std::exception& e) {
    const bool mismatch =
        dynamic_cast<const ScanResumeMismatch*>(&e) || dynamic_cast<const TableMismatch*>(&e);
    if (!cost.resumed || !mismatch) throw;
    const int64_t read_so_far = cost.records_read, files_so_far = cost.files_read;
    cost = {};
    cost.why_full = std::string("the checkpoint no longer matches: ") + e.what();
    cost.records_read = read_so_far;
    cost.files_read = files_so_far;
    c = fresh;
    report = run_pass(config, admin, since_ms, c, cost);
  }
  if (!checkpoint_path.empty()) {
    try {
      save_checkpoint(checkpoint_path, c);
    } catch (const std::exception& e) {
      // The report stands; only the next pass's saving is lost (it will be a full pass).
      std::fprintf(stderr, "sluice: cannot write %s (%s); the next pass reads everything again\n",
                   checkpoint_path.c_str(), e.what());
    }
  }
  return report;
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
