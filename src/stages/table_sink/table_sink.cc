#include "stages/table_sink/table_sink.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "common/clock.h"
#include "common/crash_point.h"
#include "common/free_memory.h"
#include "common/log.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_error.h"
#include "stages/table_sink/json_row.h"

namespace sluice::stages {
namespace {

constexpr int64_t kMaxBackoffMs = 30000;
constexpr int kFlusherTickMs = 100;

}  // namespace

// Rows moved out of one partition's buffer for a flush, and how to find that
// buffer again afterwards (its generation changes if the partition is released).
struct TableSink::Taken {
  TopicPartition tp;
  uint64_t generation = 0;
  std::vector<std::pair<int64_t, lake::parquet::Row>> rows;
  int64_t bytes = 0;
  int64_t oldest_ms = 0;
};

TableSink::TableSink(const pipeline::ProcessorContext& context)
    : stage_(context.stage),
      options_(read_table_sink_options(context.stage, context.options)),
      layout_(options_.columns, options_.partition_by),
      metrics_(make_metrics(context.metrics)) {
  store_ = lake::open_store(pipeline::resolve_option_path(context, options_.store));
  table_ = std::make_unique<lake::delta::DeltaTable>(*store_, options_.table,
                                                     options_.checkpoint_interval);
  table_->create_or_check(stage_, options_.columns, options_.partition_by);
  computed_.assign(options_.columns.size(), false);
  for (const lake::delta::DerivedColumn& d : options_.derived) computed_[d.column] = true;
  if (!options_.unique_key.empty()) {
    find_key_column();
    load_committed_keys();
  }
  flusher_ = std::thread([this] { flusher(); });
  if (options_.optimize_min_files > 0) {
    compaction_table_ = std::make_unique<lake::delta::DeltaTable>(*store_, options_.table,
                                                                  options_.checkpoint_interval);
    compactor_ = std::thread([this] { compactor(); });
  }
}

TableSink::~TableSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  compact_wake_.notify_all();
  flusher_.join();
  if (compactor_.joinable()) compactor_.join();
}

TableSink::Metrics TableSink::make_metrics(ops::MetricsRegistry* registry) {
  if (!registry) return {&fallback_[0], &fallback_[1], &fallback_[2], &fallback_[3]};
  auto commits = [&](const char* result) -> ops::Counter* {
    return &registry->counter("sluice_table_commits_total",
                              "Delta commits attempted by a table sink, by result",
                              {{"stage", stage_}, {"table", options_.table}, {"result", result}});
  };
  return {commits("ok"), commits("conflict"), commits("error"),
          &registry->counter("sluice_table_rows_written_total", "Rows committed to the table",
                             {{"stage", stage_}, {"table", options_.table}})};
}

std::string TableSink::app_id(const TopicPartition& tp) const {
  return stage_ + "/" + tp.first + "/" + std::to_string(tp.second);
}

pipeline::Outcome TableSink::process(const pipeline::Record& record) {
  lake::parquet::Row row;
  try {
    row = json_to_row(record.value, options_.columns, computed_);
    lake::delta::fill_derived_columns(row, options_.derived, options_.columns);
  } catch (const RowError& e) {
    return pipeline::Outcome::failure(pipeline::ErrorCategory::kValidation, e.what());
  }
  // A row that could never be stored goes to the DLQ instead of failing every flush it is in.
  if (std::string problem = layout_.row_problem(row); !problem.empty())
    return pipeline::Outcome::failure(pipeline::ErrorCategory::kValidation, problem);
  bool due_now = false;
  {
    std::lock_guard lock(mu_);
    Buffer& b = buffers_[{record.topic, record.partition}];
    if (b.rows.empty()) b.oldest_ms = mono_ms();
    // A repeat of a key already in the table (or buffered) keeps its offset, without a row.
    if (key_column_ >= 0) {
      std::string key = key_of(row);
      if (!key.empty() && !seen_keys_.insert(std::move(key)).second) row.clear();
    }
    b.rows.emplace_back(record.offset, std::move(row));
    b.bytes += int64_t(record.value.size());
    due_now = due(mono_ms());
  }
  if (due_now) wake_.notify_one();
  return pipeline::Outcome::deferred_success();
}

bool TableSink::due(int64_t now) const {
  int64_t rows = 0, bytes = 0;
  for (const auto& [tp, b] : buffers_) {
    if (b.rows.empty()) continue;
    if (now - b.oldest_ms >= options_.flush_interval_ms) return true;
    rows += int64_t(b.rows.size());
    bytes += b.bytes;
  }
  return rows >= options_.file_max_rows || bytes >= options_.file_max_bytes;
}

void TableSink::flusher() {
  int64_t backoff = 0;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(backoff > 0 ? backoff : kFlusherTickMs));
    if (stopping_ || !due(mono_ms())) continue;
    lock.unlock();
    bool ok = flush_once();
    lock.lock();
    backoff = ok ? 0 : std::min(kMaxBackoffMs, std::max<int64_t>(200, backoff * 2));
  }
}

std::vector<TableSink::Taken> TableSink::take() {
  std::lock_guard lock(mu_);
  std::vector<Taken> out;
  for (auto& [tp, b] : buffers_) {
    if (b.rows.empty()) continue;
    out.push_back({tp, b.generation, std::move(b.rows), b.bytes, b.oldest_ms});
    b.rows.clear();
    b.bytes = 0;
  }
  if (!out.empty()) flushing_ += 1;
  return out;
}

// A failed flush puts its rows back in front of anything buffered since, so
// the partition's offset order holds for the next attempt.
void TableSink::give_back(std::vector<Taken>& taken) {
  std::lock_guard lock(mu_);
  for (auto& t : taken) {
    auto it = buffers_.find(t.tp);
    if (it == buffers_.end() || it->second.generation != t.generation) {
      forget_keys(t.rows);  // released meanwhile: its next owner re-reads these
      continue;
    }
    Buffer& b = it->second;
    t.rows.insert(t.rows.end(), std::make_move_iterator(b.rows.begin()),
                  std::make_move_iterator(b.rows.end()));
    b.rows = std::move(t.rows);
    b.bytes += t.bytes;
    b.oldest_ms = t.oldest_ms;
  }
}

void TableSink::mark_durable(const TopicPartition& tp, uint64_t generation, int64_t next_offset) {
  std::lock_guard lock(mu_);
  auto it = buffers_.find(tp);
  if (it != buffers_.end() && it->second.generation == generation) {
    it->second.durable = std::max(it->second.durable, next_offset);
  }
}

// Commits `taken` as one commit (one file per table partition). On a txn conflict, rows another
// writer already committed are dropped and the rest retried; other errors propagate.
void TableSink::commit(std::vector<Taken>& taken) {
  for (;;) {
    std::vector<lake::parquet::Row> rows;
    std::map<std::string, int64_t> txns;
    for (const auto& t : taken) {
      if (t.rows.empty()) continue;
      for (const auto& [offset, row] : t.rows) {
        if (!row.empty()) rows.push_back(row);  // empty: a repeated unique key
      }
      txns[app_id(t.tp)] = t.rows.back().first;
    }
    if (txns.empty()) return;
    try {
      const size_t row_count = rows.size();
      table_->append(std::move(rows), txns, options_.writer, options_.sort_by);
      // A kill here: the rows and their txn versions are in the table, but neither Kafka nor the
      // runtime knows; the restart must resume from the txn versions, not the group's offsets.
      crash_point("table.after_commit");
      metrics_.committed->inc();
      metrics_.rows->inc(double(row_count));
      for (const auto& t : taken) {
        if (!t.rows.empty()) mark_durable(t.tp, t.generation, t.rows.back().first + 1);
      }
      return;
    } catch (const lake::delta::ConflictError& e) {
      metrics_.conflicts->inc();
      log::warn("table-sink",
                "stage '{}': {}; dropping rows the other writer committed and retrying", stage_,
                e.what());
      lake::delta::TableState state = table_->state();
      for (auto& t : taken) {
        const int64_t committed = state.txn_version(app_id(t.tp));
        std::erase_if(t.rows, [&](const auto& r) { return r.first <= committed; });
        if (committed >= 0) mark_durable(t.tp, t.generation, committed + 1);
      }
    }
  }
}

bool TableSink::flush_once() {
  std::vector<Taken> taken = take();
  if (taken.empty()) return true;
  bool ok = true;
  try {
    commit(taken);
  } catch (const std::exception& e) {
    log::error(
        "table-sink",
        "stage '{}': committing to table {} in {} failed: {}; will retry (records stay buffered)",
        stage_, options_.table, store_->url(), e.what());
    give_back(taken);
    metrics_.failed->inc();
    ok = false;
  }
  {
    std::lock_guard lock(mu_);
    flushing_ -= 1;
  }
  // The file just written was this thread's biggest burst of memory; without this
  // it would stay resident until the allocator's decay timer (free_memory.h).
  release_free_memory();
  if (!ok) return false;
  if (options_.optimize_min_files > 0) {
    std::lock_guard lock(mu_);
    compaction_due_ = true;
    compact_wake_.notify_all();
  }
  return true;
}

void TableSink::compactor() {
  // Housekeeping yields to the work: at nice 10 a compaction takes the CPU the
  // commits and the other stages leave (Linux: a thread's own nice value).
  // Without it a compaction's sort and rewrite of a partition's files doubled
  // bench/ticks' commit latency while it ran.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    compact_wake_.wait(lock, [&] { return stopping_ || compaction_due_; });
    if (stopping_) break;
    compaction_due_ = false;
    lock.unlock();
    maybe_optimize();
    lock.lock();
  }
}

void TableSink::maybe_optimize() {
  try {
    auto report =
        compaction_table_->optimize(options_.optimize_target_bytes, options_.optimize_min_files,
                                    options_.writer, options_.sort_by, /*tiered=*/true);
    if (report.version >= 0) {
      log::info("table-sink", "stage '{}': compacted {} small files into {} (version {})", stage_,
                report.files_rewritten, report.files_written, report.version);
    }
  } catch (const std::exception& e) {
    // Compaction is housekeeping: a failure (or a lost race) leaves the small files for next time.
    log::warn("table-sink", "stage '{}': compaction skipped: {}", stage_, e.what());
  }
}

std::string TableSink::key_of(const lake::parquet::Row& row) const {
  const auto* key = std::get_if<std::string>(&row[size_t(key_column_)].v);
  return key ? *key : std::string();
}

void TableSink::forget_keys(const std::vector<std::pair<int64_t, lake::parquet::Row>>& rows) {
  if (key_column_ < 0) return;
  for (const auto& [offset, row] : rows) {
    if (!row.empty()) seen_keys_.erase(key_of(row));
  }
}

void TableSink::find_key_column() {
  for (size_t i = 0; i < options_.columns.size(); ++i) {
    if (options_.columns[i].name == options_.unique_key) key_column_ = int(i);
  }
  if (key_column_ < 0 ||
      options_.columns[size_t(key_column_)].type != lake::parquet::Type::kString) {
    throw pipeline::OptionError("unique_key",
                                "stage '" + stage_ +
                                    "': option 'unique_key' must name a string column, not '" +
                                    options_.unique_key + "'");
  }
}

// The keys of every live file not read yet, so a repeat is recognised whoever wrote the
// first copy: this process before a restart, or another replica that owned the partition
// before a rebalance (called again on each assignment, it reads only files new since).
void TableSink::load_committed_keys() {
  std::lock_guard files_lock(key_files_mu_);
  const lake::delta::TableState state = table_->state();
  const lake::delta::PartitionLayout layout(state.metadata);
  for (const auto& [path, file] : state.files) {
    if (key_files_.count(path)) continue;
    const auto rows = lake::delta::read_data_file(table_->log(), layout, file);
    std::lock_guard lock(mu_);
    for (const auto& row : rows) seen_keys_.insert(key_of(row));
    key_files_.insert(path);
  }
}

int64_t TableSink::resume_offset(const std::string& topic, int32_t partition) {
  if (key_column_ >= 0) load_committed_keys();
  const int64_t committed = table_->state().txn_version(app_id({topic, partition}));
  std::lock_guard lock(mu_);
  Buffer& b = buffers_[{topic, partition}];
  b.durable = committed >= 0 ? committed + 1 : -1;
  return b.durable;
}

int64_t TableSink::durable_through(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mu_);
  auto it = buffers_.find({topic, partition});
  return it == buffers_.end() ? -1 : it->second.durable;
}

void TableSink::release(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mu_);
  Buffer& b = buffers_[{topic, partition}];
  forget_keys(b.rows);
  b.rows.clear();
  b.bytes = 0;
  b.durable = -1;
  b.generation += 1;
}

void TableSink::flush(int64_t deadline_ms) {
  for (int64_t backoff = 100; mono_ms() < deadline_ms;
       backoff = std::min<int64_t>(backoff * 2, 2000)) {
    {
      std::lock_guard lock(mu_);
      bool empty = std::all_of(buffers_.begin(), buffers_.end(),
                               [](const auto& kv) { return kv.second.rows.empty(); });
      if (empty && flushing_ == 0) return;
      if (empty) {  // the flusher thread is committing the last rows: wait for its outcome
        backoff = 10;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
    }
    if (flush_once()) continue;
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::min(backoff, std::max<int64_t>(0, deadline_ms - mono_ms()))));
  }
}

}  // namespace sluice::stages
