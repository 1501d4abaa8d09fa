#include "cli/dlq/dlq_replay.h"

#include <cstdio>
#include <map>
#include <stdexcept>

#include "cli/dlq/dlq_ledger.h"
#include "cli/dlq/dlq_print.h"
#include "cli/support/table.h"
#include "common/clock.h"
#include "common/json.h"
#include "pipeline/reroute.h"

namespace sluice::cli {
namespace {

// What replay did with each selected record: a line as it happens for people, or with --json one
// object at the end (counts, and per record its status, target and where it landed).
class ReplayReport {
 public:
  ReplayReport(const ReplayOptions& o) : o_(o) { records_.begin_array(); }

  // status: replayed, would_replay, skipped or failed. `text` is the line people see.
  void add(const char* status, const DlqRecord& r, const std::string& to,
           const std::optional<Delivered>& at, const std::string& reason, const std::string& text) {
    const std::string_view s = status;
    (s == "failed" ? failed_ : s == "skipped" ? skipped_ : replayed_) += 1;
    if (!o_.json) {
      std::printf("%s\n", text.c_str());
      return;
    }
    records_.begin_object().field("position", r.position()).field("trace_id", r.trace_id);
    records_.field("status", s).field("to", to);
    records_.key("partition");
    at ? records_.value(int64_t(at->partition)) : records_.null();
    records_.key("offset");
    at ? records_.value(at->offset) : records_.null();
    records_.field("replay_count", r.replay_count + 1).field("reason", reason).end_object();
  }

  void finish() {
    if (o_.json) {
      json::JsonWriter w;
      w.begin_object().field("dlq_topic", o_.dlq_topic).field("dry_run", o_.dry_run);
      w.field(o_.dry_run ? "would_replay" : "replayed", replayed_).field("skipped", skipped_);
      w.field("failed", failed_).key("records").raw(records_.end_array().str());
      std::printf("%s\n", w.end_object().str().c_str());
      return;
    }
    std::printf("%s%s %d, skipped %d (already replayed), failed %d%s\n",
                o_.dry_run ? "dry run: " : "", o_.dry_run ? "would replay" : "replayed", replayed_,
                skipped_, failed_, o_.dry_run ? "; nothing written" : "");
  }

  int exit_code() const { return failed_ > 0 ? 1 : 0; }

 private:
  const ReplayOptions& o_;
  json::JsonWriter records_;
  int replayed_ = 0;
  int skipped_ = 0;
  int failed_ = 0;
};

// Where a record goes, or an empty string with `why` set.
std::string target_of(const DlqRecord& record, const ReplayOptions& options, std::string& why) {
  if (!options.to_topic.empty()) return options.to_topic;
  if (record.original_topic.empty())
    why = "it has no sluice.original.topic header; pass --to TOPIC to choose where it goes";
  return record.original_topic;
}

// Each target topic is looked up once: a missing one fails its records up front,
// instead of after a delivery timeout (and never auto-creates a mistyped name).
class TargetCheck {
 public:
  explicit TargetCheck(kafka::AdminClient& admin) : admin_(admin) {}
  bool exists(const std::string& topic) {
    auto [it, fresh] = known_.try_emplace(topic, false);
    if (fresh) it->second = admin_.find_topic(topic).has_value();
    return it->second;
  }

 private:
  kafka::AdminClient& admin_;
  std::map<std::string, bool> known_;
};

std::vector<DlqRecord> select(kafka::AdminClient& admin, const ReplayOptions& o) {
  if (o.all == !o.trace_id.empty())
    throw std::invalid_argument(
        "name one TRACE_ID or pass --all (optionally with --category/--since)");
  if (!o.all && (!o.category.empty() || o.since_ms))
    throw std::invalid_argument(
        "--category and --since select records for --all; with a TRACE_ID leave them out");
  check_category(o.category);
  if (o.to_topic == o.dlq_topic || o.to_topic == ReplayLedger::topic_for(o.dlq_topic))
    throw std::invalid_argument("--to '" + o.to_topic +
                                "' is the DLQ or its ledger; name the topic the stage reads");
  return read_dlq(admin, o.dlq_topic, {o.since_ms, o.category, o.trace_id});
}

}  // namespace

OutgoingRecord replay_record(const DlqRecord& record, const std::string& dlq_topic,
                             const std::string& to_topic) {
  OutgoingRecord out{to_topic, record.raw.key, record.raw.value, {}, record.raw.null_value};
  for (const auto& [k, v] : record.raw.headers) {
    bool ours = k.starts_with(kafka::header::kPrefix);
    if (!ours || k == kafka::header::kTraceId) out.headers.emplace_back(k, v);
  }
  out.headers.emplace_back(kafka::header::kReplayedFrom, dlq_topic + "/" + record.position());
  out.headers.emplace_back(kafka::header::kReplayCount, std::to_string(record.replay_count + 1));
  return out;
}

int replay(kafka::AdminClient& admin, const ReplayOptions& o) {
  std::vector<DlqRecord> records = select(admin, o);
  if (records.empty()) {
    if (!o.all) {
      std::fprintf(stderr, "sluice: no record with trace id '%s' in %s; see `sluice dlq list %s`\n",
                   o.trace_id.c_str(), o.dlq_topic.c_str(), o.dlq_topic.c_str());
      return 1;
    }
    if (!o.json) {
      std::printf("no records in %s match; nothing to replay\n", o.dlq_topic.c_str());
      return 0;
    }
  }
  ReplayLedger ledger = ReplayLedger::load(admin, o.dlq_topic);
  if (!o.dry_run) ledger.ensure_topic(admin);
  std::optional<SyncProducer> producer;
  TargetCheck targets(admin);
  ReplayReport report(o);
  for (const DlqRecord& r : records) {
    const std::string what = r.position() + " trace " + cell(r.trace_id);
    if (const LedgerEntry* done = ledger.find(r.position())) {
      const std::string reason =
          "already replayed at " + done->replayed_at + " to " + done->to_topic;
      report.add("skipped", r, done->to_topic, std::nullopt, reason,
                 "skip    " + what + ": " + reason);
      continue;
    }
    std::string why;
    std::string to = target_of(r, o, why);
    if (why.empty() && !targets.exists(to))
      why = "topic '" + to + "' does not exist at " + admin.endpoint().bootstrap +
            "; create it or pass --to TOPIC";
    if (!why.empty()) {
      report.add("failed", r, to, std::nullopt, why, "FAILED  " + what + ": " + why);
      continue;
    }
    OutgoingRecord out = replay_record(r, o.dlq_topic, to);
    if (o.dry_run) {
      report.add("would_replay", r, to, std::nullopt, "",
                 "would replay " + what + " -> " + to + " (replay_count " +
                     std::to_string(r.replay_count + 1) + ")");
      continue;
    }
    if (!producer) producer.emplace(admin.endpoint());
    Delivered at;
    try {
      at = producer->send(out);
    } catch (const std::exception& e) {
      report.add("failed", r, to, std::nullopt, e.what(), "FAILED  " + what + ": " + e.what());
      continue;
    }
    const std::string landed =
        "partition " + std::to_string(at.partition) + ", offset " + std::to_string(at.offset);
    try {
      ledger.record(*producer, r.position(), {iso_time_ms(now_ms()), to, r.trace_id});
    } catch (const std::exception& e) {
      const std::string reason = "replayed to " + to + " (" + landed + ") but not recorded in " +
                                 ledger.topic() + " (" + e.what() +
                                 "); a later replay will send it again";
      report.add("failed", r, to, at, reason, "FAILED  " + what + ": " + reason);
      continue;
    }
    report.add("replayed", r, to, at, "",
               "replayed " + what + " -> " + to + " (" + landed + ", replay_count " +
                   std::to_string(r.replay_count + 1) + ")");
  }
  report.finish();
  return report.exit_code();
}

}  // namespace sluice::cli
