#include "cli/dlq/dlq_replay.h"

#include <cstdio>
#include <map>
#include <stdexcept>

#include "cli/dlq/dlq_ledger.h"
#include "cli/dlq/dlq_print.h"
#include "cli/support/table.h"
#include "common/clock.h"
#include "pipeline/reroute.h"

namespace sluice::cli {
namespace {

struct Tally {
  int replayed = 0;
  int skipped = 0;
  int failed = 0;
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
    std::printf("no records in %s match; nothing to replay\n", o.dlq_topic.c_str());
    return 0;
  }
  ReplayLedger ledger = ReplayLedger::load(admin, o.dlq_topic);
  if (!o.dry_run) ledger.ensure_topic(admin);
  std::optional<SyncProducer> producer;
  TargetCheck targets(admin);
  Tally t;
  for (const DlqRecord& r : records) {
    const std::string what = r.position() + " trace " + cell(r.trace_id);
    if (const LedgerEntry* done = ledger.find(r.position())) {
      std::printf("skip    %s: already replayed at %s to %s\n", what.c_str(),
                  done->replayed_at.c_str(), done->to_topic.c_str());
      ++t.skipped;
      continue;
    }
    std::string why;
    std::string to = target_of(r, o, why);
    if (why.empty() && !targets.exists(to))
      why = "topic '" + to + "' does not exist at " + admin.endpoint().bootstrap +
            "; create it or pass --to TOPIC";
    if (!why.empty()) {
      std::printf("FAILED  %s: %s\n", what.c_str(), why.c_str());
      ++t.failed;
      continue;
    }
    OutgoingRecord out = replay_record(r, o.dlq_topic, to);
    if (o.dry_run) {
      std::printf("would replay %s -> %s (replay_count %lld)\n", what.c_str(), to.c_str(),
                  static_cast<long long>(r.replay_count + 1));
      ++t.replayed;
      continue;
    }
    if (!producer) producer.emplace(admin.endpoint());
    Delivered at;
    try {
      at = producer->send(out);
    } catch (const std::exception& e) {
      std::printf("FAILED  %s: %s\n", what.c_str(), e.what());
      ++t.failed;
      continue;
    }
    try {
      ledger.record(*producer, r.position(), {iso_time_ms(now_ms()), to, r.trace_id});
    } catch (const std::exception& e) {
      std::printf(
          "FAILED  %s: replayed to %s (partition %d, offset %lld) but not recorded in %s (%s); a "
          "later replay will send it again\n",
          what.c_str(), to.c_str(), at.partition, static_cast<long long>(at.offset),
          ledger.topic().c_str(), e.what());
      ++t.failed;
      continue;
    }
    std::printf("replayed %s -> %s (partition %d, offset %lld, replay_count %lld)\n", what.c_str(),
                to.c_str(), at.partition, static_cast<long long>(at.offset),
                static_cast<long long>(r.replay_count + 1));
    ++t.replayed;
  }
  std::printf("%s%s %d, skipped %d (already replayed), failed %d%s\n", o.dry_run ? "dry run: " : "",
              o.dry_run ? "would replay" : "replayed", t.replayed, t.skipped, t.failed,
              o.dry_run ? "; nothing written" : "");
  return t.failed > 0 ? 1 : 0;
}

}  // namespace sluice::cli
