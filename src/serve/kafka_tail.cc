// KafkaTail: the tail's thread (follow the table, find the partitions, read and
// decode) and the requests' view of what it holds (see kafka_tail.h).
#include "serve/kafka_tail.h"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "common/clock.h"
#include "common/log.h"
#include "kafka/admin_client.h"
#include "kafka/consumer.h"
#include "lake/delta/json_row.h"

namespace sluice::serve {
namespace {

using lake::parquet::Row;
using lake::parquet::Type;
using lake::parquet::Value;

constexpr int64_t kDayUs = 86'400'000'000;
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

// Memory a decoded row takes, roughly: its cells and the bytes of its strings.
int64_t row_bytes(const Row& row) {
  int64_t bytes = int64_t(sizeof(Row) + row.size() * sizeof(Value));
  for (const auto& v : row)
    if (const auto* s = std::get_if<std::string>(&v.v)) bytes += int64_t(s->capacity());
  return bytes;
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

// The topic's partitions, asked of the cluster; logs each change of what is wrong once.
class TopicWatch {
 public:
  explicit TopicWatch(const KafkaTailOptions& o) : options_(o) {}

  // The partition ids; nullopt when the topic is missing or the cluster cannot say.
  std::optional<std::vector<int32_t>> partitions() {
    try {
      if (!admin_)
        admin_ = std::make_unique<kafka::AdminClient>(kafka::Endpoint{options_.bootstrap, 3000});
      const auto info = admin_->find_topic(options_.topic);
      if (!info) {
        report("topic '" + options_.topic + "' does not exist yet at " + options_.bootstrap +
               "; answers come from the table alone until it does (checked every second; "
               "check --topic if it should exist)");
        return std::nullopt;
      }
      if (!info->error.empty()) {
        report("topic '" + options_.topic + "' cannot be read yet: " + info->error + "; retrying");
        return std::nullopt;
      }
      std::vector<int32_t> ids;
      for (const auto& p : info->partitions) ids.push_back(p.id);
      report("");
      return ids;
    } catch (const std::exception& e) {
      admin_.reset();
      report(std::string(e.what()) + "; answers come from the table alone until " +
             options_.bootstrap + " answers (retrying every second)");
      return std::nullopt;
    }
  }

 private:
  void report(const std::string& problem) {
    if (problem == last_) return;
    if (!problem.empty())
      log::warn("serve", "kafka tail: {}", problem);
    else if (!last_.empty())
      log::info("serve", "kafka tail: topic '{}' found at {}", options_.topic, options_.bootstrap);
    last_ = problem;
  }

  const KafkaTailOptions& options_;
  std::unique_ptr<kafka::AdminClient> admin_;
  std::string last_ = "(not asked yet)";
};

}  // namespace

KafkaTail::KafkaTail(KafkaTailOptions options, TableSnapshots& snapshots,
                     ops::MetricsRegistry& registry)
    : options_(std::move(options)),
      snapshots_(snapshots),
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

std::string KafkaTail::app_id(int32_t partition) const {
  return options_.stage + "/" + options_.topic + "/" + std::to_string(partition);
}

std::optional<TailReadout> KafkaTail::visit_after(
    const lake::delta::TableState& snapshot, const std::function<void(const Row&)>& visit) const {
  std::shared_lock lock(mu_);
  TailReadout readout;
  readout.full = full_;
  if (schema_string_.empty()) return readout;  // the tail has not seen the table yet: holds nothing
  if (snapshot.metadata.schema_string != schema_string_) return std::nullopt;
  std::vector<std::pair<const PartitionTail*, int64_t>> after;  // each partition's boundary
  for (const auto& [id, tail] : partitions_) {
    const int64_t boundary = snapshot.txn_version(app_id(id));
    if (tail.trimmed_through > boundary) return std::nullopt;  // dropped for a newer snapshot
    after.emplace_back(&tail, boundary);
  }
  readout.partitions = int32_t(partitions_.size());
  for (const auto& [tail, boundary] : after) {
    auto it = std::partition_point(tail->held.begin(), tail->held.end(),
                                   [&](const Held& h) { return h.offset <= boundary; });
    for (; it != tail->held.end(); ++it, ++readout.records) visit(it->row);
  }
  return readout;
}

bool KafkaTail::follow(const lake::delta::TableState& snapshot) {
  if (snapshot.version < 0) return false;
  if (snapshot.metadata.schema_string != schema_string_) {
    // The first table seen, or a table created again with other columns: start over from it.
    schema_string_ = snapshot.metadata.schema_string;
    layout_ = std::make_unique<lake::delta::PartitionLayout>(snapshot.metadata);
    const auto& schema = layout_->schema();
    date_index_ = time_index_ = -1;
    for (size_t i = 0; i < schema.size(); ++i) {
      if (schema[i].name == options_.date_column && schema[i].type == Type::kDate)
        date_index_ = int(i);
      if (schema[i].name == options_.time_column && schema[i].type == Type::kTimestampMicros)
        time_index_ = int(i);
    }
    for (auto& [id, tail] : partitions_) {
      tail.held.clear();
      tail.trimmed_through = snapshot.txn_version(app_id(id));
      tail.next = tail.trimmed_through + 1;
    }
    records_ = bytes_ = 0;
    full_ = false;
    log::info("serve", "kafka tail: decoding '{}' with the columns of table version {}",
              options_.topic, snapshot.version);
    return true;
  }
  bool seek = false;
  for (auto& [id, tail] : partitions_) {
    const int64_t boundary = snapshot.txn_version(app_id(id));
    if (boundary <= tail.trimmed_through) continue;
    while (!tail.held.empty() && tail.held.front().offset <= boundary) {
      records_ -= 1;
      bytes_ -= tail.held.front().bytes;
      tail.held.pop_front();
    }
    tail.trimmed_through = boundary;
    if (tail.next <= boundary) {  // the table is ahead of the tail: no need to read those
      tail.next = boundary + 1;
      seek = true;
    }
  }
  return update_full() || seek;
}

bool KafkaTail::add_partitions(const std::vector<int32_t>& ids) {
  const auto snapshot = snapshots_.kept();
  if (schema_string_.empty() || !snapshot) return false;  // no table yet: nothing to decode with
  bool added = false, any_txn = false;
  for (int32_t id : ids) {
    if (partitions_.count(id)) continue;
    PartitionTail& tail = partitions_[id];
    tail.trimmed_through = snapshot->txn_version(app_id(id));
    tail.next = tail.trimmed_through + 1;
    added = true;
    any_txn = any_txn || tail.trimmed_through >= 0;
    log::info("serve", "kafka tail: reading '{}' partition {} from offset {} (table version {})",
              options_.topic, id, tail.next, snapshot->version);
  }
  if (added && !any_txn && !snapshot->files.empty()) warn_no_txn(*snapshot);
  return added;
}

void KafkaTail::warn_no_txn(const lake::delta::TableState& snapshot) const {
  std::string apps;
  for (const auto& [app, txn] : snapshot.txns)
    if (apps.size() < 200) apps += (apps.empty() ? "" : ", ") + app;
  log::warn("serve",
            "kafka tail: table version {} has rows but no txn '{}/{}/<partition>' for the new "
            "partitions, so they are read from their start and their records are answered on "
            "top of the table's; right if the sink has not committed from '{}' yet, otherwise "
            "give the sink's --stage and --topic (the table's txn app ids: {})",
            snapshot.version, options_.stage, options_.topic, options_.topic,
            apps.empty() ? "none" : apps);
}

bool KafkaTail::update_full() {
  const bool over = records_ >= options_.max_records || bytes_ >= options_.max_bytes;
  const bool under =
      records_ <= options_.max_records / 4 * 3 && bytes_ <= options_.max_bytes / 4 * 3;
  if (!full_ && over) {
    full_ = true;
    metrics_.full.inc();
    log::warn("serve",
              "kafka tail: holds {} records ({} bytes), its cap (--tail-max-records {}, "
              "--tail-max-mib {}): it stops reading '{}' until the table sink's commits free a "
              "quarter of it, and answers miss the newest ticks meanwhile; is the table sink "
              "(stage '{}') running? raise the caps if it is only slow",
              records_, bytes_, options_.max_records, options_.max_bytes >> 20, options_.topic,
              options_.stage);
    return true;
  }
  if (full_ && under) {
    full_ = false;
    log::info("serve", "kafka tail: reading '{}' again ({} records held)", options_.topic,
              records_);
    return true;
  }
  return false;
}

bool KafkaTail::keep(int32_t partition, int64_t offset, const std::string& value) {
  // Only this thread changes the state, so it reads it without the lock and writes under it.
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || offset < it->second.next || full_ || !layout_) return true;
  if (records_ >= options_.max_records || bytes_ >= options_.max_bytes) {
    std::unique_lock lock(mu_);
    update_full();
    return false;  // not read: it is read again once there is room
  }
  thread_local simdjson::dom::parser parser;
  std::optional<Row> row;
  try {
    simdjson::dom::element parsed;
    if (auto err = parser.parse(value).get(parsed))
      throw lake::delta::RowError(std::string("not JSON: ") + simdjson::error_message(err));
    row = lake::delta::json_to_row(parsed, layout_->schema());
    if (date_index_ >= 0 && time_index_ >= 0 && (*row)[size_t(date_index_)].is_null()) {
      if (const auto* us = std::get_if<int64_t>(&(*row)[size_t(time_index_)].v))
        (*row)[size_t(date_index_)] = Value(int32_t(floor_div(*us, kDayUs)));
    }
    if (std::string problem = layout_->row_problem(*row); !problem.empty())
      throw lake::delta::RowError(problem);
  } catch (const lake::delta::RowError& e) {
    row.reset();
    metrics_.skipped.inc();
    static int64_t last_logged = -kSkipLogMs;  // this thread only
    if (mono_ms() - last_logged >= kSkipLogMs) {
      last_logged = mono_ms();
      log::warn("serve",
                "kafka tail: skipped offset {} of '{}' partition {}: {} (the table sink sends "
                "such records to its DLQ; sluice_serve_tail_skipped_total counts them, this line "
                "comes at most every 10 s)",
                offset, options_.topic, partition, e.what());
    }
  }
  std::unique_lock lock(mu_);
  it->second.next = offset + 1;
  if (row) {
    const int64_t bytes = row_bytes(*row);
    it->second.held.push_back({offset, std::move(*row), bytes});
    records_ += 1;
    bytes_ += bytes;
  }
  return true;
}

void KafkaTail::publish_gauges() {
  std::shared_lock lock(mu_);
  metrics_.records.set(double(records_));
  metrics_.bytes.set(double(bytes_));
  metrics_.partitions.set(double(partitions_.size()));
}

void KafkaTail::run() {
  kafka::Consumer consumer(
      {options_.bootstrap, "sluice-serve", /*log_level=*/0, /*drop_logs=*/true, kTailSettings});
  TopicWatch topic(options_);
  int64_t next_table_check = 0, next_topic_check = 0;
  std::string table_problem;
  bool reassign = false;
  while (!stopping_) {
    const int64_t now = mono_ms();
    if (now >= next_table_check) {
      next_table_check = now + kTableCheckMs;
      try {
        const auto snapshot = snapshots_.latest();
        std::unique_lock lock(mu_);
        reassign = follow(*snapshot) || reassign;
        table_problem.clear();
      } catch (const std::exception& e) {
        if (table_problem != e.what())
          log::warn("serve", "kafka tail: cannot read the table: {}; retrying", e.what());
        table_problem = e.what();
      }
    }
    if (now >= next_topic_check) {
      const auto ids = topic.partitions();
      next_topic_check = now + (ids && !partitions_.empty() ? kTopicCheckMs : kRetryMs);
      if (ids) {
        std::unique_lock lock(mu_);
        reassign = add_partitions(*ids) || reassign;
      }
    }
    if (reassign) {
      reassign = false;
      std::vector<kafka::PartitionOffset> parts;
      if (!full_)
        for (const auto& [id, tail] : partitions_) parts.push_back({options_.topic, id, tail.next});
      if (const kafka::ErrorCode err = consumer.assign(parts)) {
        log::warn("serve", "kafka tail: cannot read '{}': {}; retrying", options_.topic,
                  kafka::error_text(err));
        reassign = true;
      }
    }
    // Whatever has arrived, up to the next housekeeping.
    for (auto m = consumer.poll(kPollMs); m; m = consumer.poll(0)) {
      if (!m.error()) reassign = !keep(m.partition(), m.offset(), m.to_record().value) || reassign;
      if (reassign || stopping_ || mono_ms() - now >= kTableCheckMs) break;
    }
    int64_t lag = 0;
    for (const auto& [id, tail] : partitions_)
      if (auto marks = consumer.cached_watermarks(options_.topic, id))
        lag += std::max<int64_t>(0, marks->high - tail.next);
    metrics_.lag.set(double(lag));
    publish_gauges();
  }
}

}  // namespace sluice::serve
