// KafkaTail: the reader thread that fills TailRecords (see kafka_tail.h).
#include "serve/kafka_tail.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "kafka/admin_client.h"
#include "kafka/consumer.h"

namespace sluice::serve {
namespace {

constexpr int64_t kTableCheckMs = 500;    // how often new commits are looked for (trimming)
constexpr int64_t kTopicCheckMs = 5'000;  // how often new partitions are looked for
constexpr int64_t kRetryMs = 1'000;       // ... while the topic or the cluster is missing
constexpr int64_t kSkipLogMs = 10'000;    // at most one line about skipped records per interval
constexpr int kPollMs = 100;

// assign() alone wants a group id; nothing joins the group or commits to it. Fetches return
// within 100 ms so a tick is visible about that long after it is written.
const kafka::Settings kTailSettings = {{"group.id", "sluice-serve-tail"},
                                       {"auto.offset.reset", "earliest"},
                                       {"fetch.wait.max.ms", "100"}};

// The topic's partitions, asked of the cluster; logs each change of what is wrong once.
class TopicWatch {
 public:
  TopicWatch(std::string bootstrap, std::string topic)
      : bootstrap_(std::move(bootstrap)), topic_(std::move(topic)) {}

  // The partition ids; nullopt when the topic is missing or the cluster cannot say.
  std::optional<std::vector<int32_t>> partitions() {
    try {
      if (!admin_) admin_ = std::make_unique<kafka::AdminClient>(kafka::Endpoint{bootstrap_, 3000});
      const auto info = admin_->find_topic(topic_);
      if (!info) {
        report("topic '" + topic_ + "' does not exist yet at " + bootstrap_ +
               "; answers come from the table alone until it does (checked every second; "
               "check --topic if it should exist)");
        return std::nullopt;
      }
      if (!info->error.empty()) {
        report("topic '" + topic_ + "' cannot be read yet: " + info->error + "; retrying");
        return std::nullopt;
      }
      std::vector<int32_t> ids;
      for (const auto& p : info->partitions) ids.push_back(p.id);
      report("");
      return ids;
    } catch (const std::exception& e) {
      admin_.reset();
      report(std::string(e.what()) + "; answers come from the table alone until " + bootstrap_ +
             " answers (retrying every second)");
      return std::nullopt;
    }
  }

 private:
  void report(const std::string& problem) {
    if (problem == last_) return;
    if (!problem.empty())
      log::warn("serve", "kafka tail: {}", problem);
    else if (!last_.empty())
      log::info("serve", "kafka tail: topic '{}' found at {}", topic_, bootstrap_);
    last_ = problem;
  }

  const std::string bootstrap_, topic_;
  std::unique_ptr<kafka::AdminClient> admin_;
  std::string last_ = "(not asked yet)";
};

}  // namespace

KafkaTail::KafkaTail(std::string bootstrap, TailRecordsOptions records, TableSnapshots& snapshots,
                     ops::MetricsRegistry& registry)
    : bootstrap_(std::move(bootstrap)),
      records_(std::move(records)),
      snapshots_(snapshots),
      // Here, not on the thread: a configuration librdkafka refuses stops serve at startup.
      consumer_(std::make_unique<kafka::Consumer>(kafka::ClientOptions{
          bootstrap_, "sluice-serve", /*log_level=*/0, /*drop_logs=*/true, kTailSettings})),
      metrics_{registry.gauge("sluice_serve_tail_records",
                              "Records read from Kafka that the table's latest snapshot does not "
                              "hold yet, kept in memory to be merged into answers"),
               registry.gauge("sluice_serve_tail_bytes",
                              "Estimated memory of the records sluice_serve_tail_records counts"),
               registry.gauge("sluice_serve_tail_lag",
                              "Records on the topic that the tail has not read yet (log end "
                              "offset minus the next offset to read, summed over partitions)"),
               registry.gauge("sluice_serve_tail_partitions", "Partitions of the topic followed"),
               registry.counter("sluice_serve_tail_skipped_total",
                                "Records of the topic that are not rows of the table (not JSON, "
                                "a missing or mistyped column) and were skipped"),
               registry.counter("sluice_serve_tail_full_total",
                                "Times the tail reached --tail-max-records or --tail-max-mib and "
                                "stopped reading until commits freed memory")} {}

KafkaTail::~KafkaTail() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void KafkaTail::start() {
  thread_ = std::thread([this] { run(); });
}

void KafkaTail::warn_if_no_txn(const lake::delta::TableState& snapshot,
                               const std::vector<int32_t>& ids) const {
  if (snapshot.files.empty()) return;
  for (int32_t id : ids)
    if (snapshot.txn_version(records_.app_id(id)) >= 0) return;
  std::string apps;
  for (const auto& [app, txn] : snapshot.txns)
    if (apps.size() < 200) apps += (apps.empty() ? "" : ", ") + app;
  const auto& o = records_.options();
  log::warn("serve",
            "kafka tail: table version {} has rows but no txn '{}/{}/<partition>', so '{}' is "
            "read from its start and its records are answered on top of the table's; right if "
            "the sink has not committed from it yet, otherwise give the sink's --stage and "
            "--topic (the table's txn app ids: {})",
            snapshot.version, o.stage, o.topic, o.topic, apps.empty() ? "none" : apps);
}

void KafkaTail::skipped(int32_t partition, int64_t offset, const std::string& why) {
  metrics_.skipped.inc();
  if (mono_ms() - last_skip_log_ms_ < kSkipLogMs) return;
  last_skip_log_ms_ = mono_ms();
  log::warn("serve",
            "kafka tail: skipped offset {} of '{}' partition {}: {} (the table sink sends such "
            "records to its DLQ; sluice_serve_tail_skipped_total counts them, this line comes at "
            "most every 10 s)",
            offset, topic(), partition, why);
}

bool KafkaTail::take(const kafka::ConsumedMessage& m) {
  if (m.error()) return false;  // connection trouble: librdkafka retries, the lag gauge shows it
  const auto added = records_.add(m.partition(), m.offset(), m.to_record().value);
  if (added.result == TailRecords::Result::kSkipped) skipped(m.partition(), m.offset(), added.why);
  if (added.result != TailRecords::Result::kFull) return false;
  metrics_.full.inc();
  const auto& o = records_.options();
  const auto held = records_.counts();
  log::warn("serve",
            "kafka tail: holds {} records ({} bytes), its cap (--tail-max-records {}, "
            "--tail-max-mib {}): it stops reading '{}' until the table sink's commits free a "
            "quarter of it, and answers miss the newest ticks meanwhile; is the table sink "
            "(stage '{}') running? raise the caps if it is only slow",
            held.records, held.bytes, o.max_records, o.max_bytes >> 20, o.topic, o.stage);
  return true;  // stop fetching until follow() frees room
}

bool KafkaTail::seek() {
  std::vector<kafka::PartitionOffset> parts;  // none while full
  if (!records_.counts().full)
    for (const auto& [id, next] : records_.positions()) parts.push_back({topic(), id, next});
  const kafka::ErrorCode err = consumer_->assign(parts);
  if (err)
    log::warn("serve", "kafka tail: cannot read '{}': {}; retrying", topic(),
              kafka::error_text(err));
  return err == 0;
}

void KafkaTail::publish_gauges() {
  const TailCounts held = records_.counts();
  int64_t lag = 0;
  for (const auto& [id, next] : records_.positions())
    if (const auto marks = consumer_->cached_watermarks(topic(), id))
      lag += std::max<int64_t>(0, marks->high - next);
  metrics_.records.set(double(held.records));
  metrics_.bytes.set(double(held.bytes));
  metrics_.partitions.set(double(held.partitions));
  metrics_.lag.set(double(lag));
}

void KafkaTail::run() {
  TopicWatch watch(bootstrap_, topic());
  int64_t next_table_check = 0, next_topic_check = 0;
  std::string table_problem;
  bool must_seek = false;
  while (!stopping_) {
    const int64_t now = mono_ms();
    if (now >= next_table_check) {
      next_table_check = now + kTableCheckMs;
      try {
        const bool was_full = records_.counts().full;
        must_seek = records_.follow(*snapshots_.latest()) || must_seek;
        if (was_full && !records_.counts().full)
          log::info("serve", "kafka tail: reading '{}' again ({} records held)", topic(),
                    records_.counts().records);
        table_problem.clear();
      } catch (const std::exception& e) {
        if (table_problem != e.what())
          log::warn("serve", "kafka tail: cannot read the table: {}; retrying", e.what());
        table_problem = e.what();
      }
    }
    if (now >= next_topic_check) {
      const auto ids = watch.partitions();
      next_topic_check = now + (ids && records_.counts().partitions > 0 ? kTopicCheckMs : kRetryMs);
      const auto snapshot = snapshots_.kept();
      if (ids && snapshot && records_.add_partitions(*ids, *snapshot)) {
        warn_if_no_txn(*snapshot, *ids);
        must_seek = true;
      }
    }
    if (must_seek) must_seek = !seek();
    // Whatever has arrived, up to the next housekeeping.
    for (auto m = consumer_->poll(kPollMs); m; m = consumer_->poll(0)) {
      must_seek = take(m) || must_seek;
      if (must_seek || stopping_ || mono_ms() - now >= kTableCheckMs) break;
    }
    publish_gauges();
  }
}

}  // namespace sluice::serve
