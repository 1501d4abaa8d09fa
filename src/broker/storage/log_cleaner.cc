#include "broker/storage/log_cleaner.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "broker/storage/batch_filter.h"
#include "broker/storage/durable_file.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/segment_swap.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/transaction_index.h"
#include "common/clock.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

using Segments = std::vector<std::shared_ptr<Segment>>;

// Looked up by the string_view a RecordView holds, without copying it.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};
using KeyMap = std::unordered_map<std::string, int64_t, KeyHash, std::equal_to<>>;
// What one map entry costs beyond its key's bytes (node, hash slot, offset).
constexpr size_t kEntryOverhead = 64;

// The aborted transactions of a log: whether a data batch belongs to one.
class AbortedBatches {
 public:
  AbortedBatches() = default;
  explicit AbortedBatches(const std::vector<AbortedTransaction>& aborted) {
    for (const auto& a : aborted) ranges_[a.producer_id].push_back({a.first_offset, a.last_offset});
  }
  // True for a transactional data batch between its producer's first batch of a
  // transaction and that transaction's abort marker.
  bool contains(const BatchHeader& h) const {
    if (!h.is_transactional() || h.is_control()) return false;
    auto it = ranges_.find(h.producer_id);
    if (it == ranges_.end()) return false;
    // In marker order, which is offset order per producer: the first range whose
    // marker is past the batch is the only one that can hold it.
    auto range = std::upper_bound(
        it->second.begin(), it->second.end(), h.base_offset,
        [](int64_t offset, const std::pair<int64_t, int64_t>& r) { return offset < r.second; });
    return range != it->second.end() && range->first <= h.base_offset;
  }

 private:
  std::unordered_map<int64_t, std::vector<std::pair<int64_t, int64_t>>> ranges_;
};

// The files' last write, in ms since the epoch; the segment's age for tombstones.
int64_t modified_ms(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_storage_error("cannot stat", path, errno);
  return int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

// A cleaned copy keeps the newest modification time of what it replaces, so
// tombstones age from when they were written, not from when they were cleaned.
void set_modified_ms(const std::filesystem::path& path, int64_t ms) {
  struct timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = ms / 1000;
  times[1].tv_nsec = (ms % 1000) * 1'000'000;
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0)
    throw_storage_error("cannot set the modification time of", path, errno);
}

// now - span, or the earliest time when the span reaches back before the epoch.
int64_t ms_before(int64_t now_ms, int64_t span_ms) {
  return span_ms >= now_ms ? INT64_MIN : now_ms - span_ms;
}

// Which segments a pass may touch, and whether it is due.
struct Plan {
  size_t cleanable = 0;    // segments [0, cleanable) are sealed and old enough
  size_t first_dirty = 0;  // [first_dirty, cleanable) are not yet cleaned
  bool due = false;
};

// `stable_end`: the first offset of the earliest open transaction (the last
// stable offset); nothing at or past it is cleaned, as in Kafka: a record an
// open transaction supersedes must stay until that transaction commits.
Plan plan_pass(const Segments& all, const LogConfig& cfg, int64_t checkpoint, int64_t now_ms,
               int64_t stable_end) {
  Plan plan;
  // The last segment is the active one: never cleaned.
  while (plan.cleanable + 1 < all.size()) {
    const auto& seg = *all[plan.cleanable];
    if (cfg.min_compaction_lag_ms > 0 &&
        seg.max_timestamp() > ms_before(now_ms, cfg.min_compaction_lag_ms))
      break;
    if (all[plan.cleanable + 1]->base_offset() > stable_end) break;
    ++plan.cleanable;
  }
  // A segment is dirty when something at or above the checkpoint is in it: the
  // segment after it starts above the checkpoint.
  while (plan.first_dirty < plan.cleanable &&
         all[plan.first_dirty + 1]->base_offset() <= checkpoint) {
    ++plan.first_dirty;
  }
  if (plan.first_dirty == plan.cleanable) return plan;
  int64_t clean_bytes = 0, dirty_bytes = 0;
  for (size_t i = 0; i < plan.cleanable; ++i)
    (i < plan.first_dirty ? clean_bytes : dirty_bytes) += int64_t(all[i]->size());
  const double ratio = clean_bytes + dirty_bytes == 0
                           ? 0.0
                           : double(dirty_bytes) / double(clean_bytes + dirty_bytes);
  bool overdue = false;
  if (cfg.max_compaction_lag_ms != LogConfig::kNoLimit) {
    all[plan.first_dirty]->for_each_batch(
        [&](const BatchHeader& h, ByteSpan) {
          overdue = h.first_timestamp < ms_before(now_ms, cfg.max_compaction_lag_ms);
          return false;  // the first batch holds the oldest dirty record (near enough)
        },
        Segment::Read::kHeaders);
  }
  plan.due = dirty_bytes > 0 && (ratio >= cfg.min_cleanable_dirty_ratio || overdue);
  return plan;
}

// Maps each key of segments [from, ...) to its latest offset (records of aborted
// transactions left out), segment by segment, until the budget is spent.
// Returns the index of the first segment not mapped (at least one is).
size_t map_keys(const Segments& all, size_t from, size_t to, size_t budget,
                const AbortedBatches& aborted, KeyMap& latest) {
  size_t used = 0;
  size_t i = from;
  for (; i < to && (i == from || used < budget); ++i) {
    all[i]->for_each_batch([&](const BatchHeader& h, ByteSpan batch) {
      if (h.is_control() || aborted.contains(h)) return true;
      for_each_record(batch, [&](const RecordView& r) {
        if (!r.key) return true;
        auto it = latest.find(*r.key);
        if (it != latest.end()) {
          it->second = r.offset;
        } else {
          latest.emplace(std::string(*r.key), r.offset);
          used += r.key->size() + kEntryOverhead;
        }
        return true;
      });
      return true;
    });
  }
  return i;
}

// What a pass needs from every batch header of the log, in one scan:
//  - its transactions (TransactionIndex, as read_committed readers see them):
//    the first offset of the earliest one without its marker yet (INT64_MAX
//    when none is open), and the aborted ones, whose records no read_committed
//    reader sees: they neither supersede a key's committed record nor stay
//    (Kafka's cleaner drops them too). Only the markers are read whole, for
//    their type;
//  - for each producer, the last offset of its last batch, and the segment
//    holding it, so a pass ending before segment `end` keeps the header of a
//    producer's last batch when the producer has no batch from `end` on.
struct HeaderScan {
  int64_t first_unstable = INT64_MAX;
  std::unordered_map<int64_t, std::pair<int64_t, size_t>> last_batch;  // id -> {offset, segment}
  AbortedBatches aborted;

  explicit HeaderScan(const Segments& all) {
    TransactionIndex transactions;
    for (size_t i = 0; i < all.size(); ++i) {
      all[i]->for_each_batch(
          [&](const BatchHeader& h, ByteSpan batch) {
            transactions.observe(h, batch);
            if (h.producer_id >= 0) last_batch[h.producer_id] = {h.last_offset(), i};
            return true;
          },
          Segment::Read::kHeadersAndControlBatches);
    }
    first_unstable = transactions.last_stable_offset(INT64_MAX);
    aborted = AbortedBatches(transactions.aborted_between(INT64_MIN, INT64_MAX));
  }

  // The last offsets of the producers' last batches that lie before segment `end`.
  std::unordered_set<int64_t> producer_tails_before(size_t end) const {
    std::unordered_set<int64_t> offsets;
    for (const auto& [producer, at] : last_batch)
      if (at.second < end) offsets.insert(at.first);
    return offsets;
  }
};

struct Group {
  Segments segments;
  int64_t end = 0;  // base offset of the segment after the group
};

// Consecutive segments [0, end) in groups whose sizes add up to segment.bytes
// at most (one segment at least), and whose offsets fit a segment's 32-bit
// relative offsets.
std::vector<Group> group_segments(const Segments& all, size_t end, const LogConfig& cfg) {
  std::vector<Group> groups;
  int64_t bytes = 0;
  for (size_t i = 0; i < end; ++i) {
    const int64_t size = int64_t(all[i]->size());
    const int64_t next = all[i + 1]->base_offset();
    const bool fits = !groups.empty() && bytes + size <= cfg.segment_bytes &&
                      next - groups.back().segments.front()->base_offset() <= INT32_MAX;
    if (!fits) {
      groups.emplace_back();
      bytes = 0;
    }
    groups.back().segments.push_back(all[i]);
    groups.back().end = next;
    bytes += size;
  }
  return groups;
}

struct Retention {
  const KeyMap& latest;
  const AbortedBatches& aborted;
  const std::unordered_set<int64_t>& producer_tails;
  int64_t tombstone_horizon_ms;  // tombstones in segments written before it go
};

// Writes the cleaned copy of `group` into cleaning_dir(): synced, with its
// indexes, and the newest modification time of the group.
void write_cleaned(PartitionLog& log, const Segments& group, const Retention& keep,
                   const LogConfig& cfg, CleanStats& stats) {
  const int64_t base = group.front()->base_offset();
  const auto dir = cleaning_dir(log.dir(), base);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  int64_t newest_write = 0;
  {
    Segment out(dir, base, log.files());
    auto put = [&](ByteSpan batch) {
      out.append(batch, *parse_batch_header(batch), cfg.index_interval_bytes);
      stats.bytes_written += int64_t(batch.size());
    };
    for (const auto& seg : group) {
      const int64_t written_ms = modified_ms(seg->log_path());
      newest_write = std::max(newest_write, written_ms);
      const bool tombstones_expire = written_ms < keep.tombstone_horizon_ms;
      seg->for_each_batch([&](const BatchHeader& h, ByteSpan batch) {
        stats.bytes_read += int64_t(batch.size());
        if (h.is_control()) {
          put(batch);
          return true;
        }
        const bool producer_tail =
            h.producer_id >= 0 && keep.producer_tails.contains(h.last_offset());
        const bool aborted = keep.aborted.contains(h);
        FilteredBatch f = filter_batch(
            batch,
            [&](const RecordView& r) {
              ++stats.records_read;
              if (aborted) {
                ++stats.aborted_dropped;
                return false;
              }
              if (!r.key) {
                ++stats.keyless_dropped;
                return false;
              }
              auto it = keep.latest.find(*r.key);
              if (it != keep.latest.end() && r.offset < it->second) return false;
              if (!r.value && tombstones_expire) {
                ++stats.tombstones_dropped;
                return false;
              }
              return true;
            },
            producer_tail);
        stats.records_kept += f.kept;
        if (f.outcome == FilteredBatch::Outcome::kUnchanged) put(batch);
        if (f.outcome == FilteredBatch::Outcome::kRebuilt) put(f.batch);
        return true;
      });
    }
    out.publish(out.written());
    out.flush();
  }
  set_modified_ms(dir / (segment_name(base) + ".log"), newest_write);
  sync_directory(dir);
}

}  // namespace

CleanStats& CleanStats::operator+=(const CleanStats& o) {
  cleaned = cleaned || o.cleaned;
  segments_before += o.segments_before;
  segments_after += o.segments_after;
  bytes_read += o.bytes_read;
  bytes_written += o.bytes_written;
  records_read += o.records_read;
  records_kept += o.records_kept;
  tombstones_dropped += o.tombstones_dropped;
  keyless_dropped += o.keyless_dropped;
  aborted_dropped += o.aborted_dropped;
  return *this;
}

namespace {

std::mutex totals_mu;
CleanerTotals totals;

void record_pass(const PartitionLog& log, const CleanStats& stats, int64_t took_ms) {
  {
    std::lock_guard lock(totals_mu);
    ++totals.passes;
    totals.stats += stats;
  }
  const double mb_per_s =
      took_ms > 0 ? double(stats.bytes_read) / 1e6 / (double(took_ms) / 1000.0) : 0.0;
  log::info("storage",
            "{}: compacted {} segment(s) into {} below offset {}: kept {} of {} records ({} "
            "tombstone(s), {} keyless record(s) and {} of aborted transactions removed), {} -> {} "
            "bytes in {} ms ({:.1f} MB/s)",
            log.dir().string(), stats.segments_before, stats.segments_after, stats.cleaned_end,
            stats.records_kept, stats.records_read, stats.tombstones_dropped, stats.keyless_dropped,
            stats.aborted_dropped, stats.bytes_read, stats.bytes_written, took_ms, mb_per_s);
}

}  // namespace

CleanerTotals cleaner_totals() {
  std::lock_guard lock(totals_mu);
  return totals;
}

CleanStats clean_log(PartitionLog& log, int64_t now_ms, const CleanerOptions& options) {
  const int64_t started_ms = mono_ms();
  CleanStats stats;
  const LogConfig cfg = log.config();
  if (!has_cleanup_policy(cfg, "compact") || log.offline()) return stats;
  const Segments all = log.segments();
  const int64_t checkpoint = std::max(log.cleaned_end(), log.log_start_offset());
  // Due at all? Then again short of any open transaction (a scan of the headers).
  if (!plan_pass(all, cfg, checkpoint, now_ms, INT64_MAX).due) return stats;
  const HeaderScan headers(all);
  const Plan plan = plan_pass(all, cfg, checkpoint, now_ms, headers.first_unstable);
  if (!plan.due) return stats;

  KeyMap latest;
  const size_t end = map_keys(all, plan.first_dirty, plan.cleanable, options.dedupe_buffer_bytes,
                              headers.aborted, latest);
  const Retention keep{latest, headers.aborted, headers.producer_tails_before(end),
                       ms_before(now_ms, cfg.delete_retention_ms)};
  stats.cleaned_end = all[end]->base_offset();
  for (const Group& group : group_segments(all, end, cfg)) {
    write_cleaned(log, group.segments, keep, cfg, stats);
    if (!log.replace_segments(group.segments, group.end)) {
      log::info("storage", "{}: compaction gave up: segments changed while it ran",
                log.dir().string());
      return CleanStats{};
    }
    stats.segments_before += group.segments.size();
    stats.segments_after += 1;
  }
  log.set_cleaned_end(stats.cleaned_end);
  stats.cleaned = true;
  record_pass(log, stats, mono_ms() - started_ms);
  return stats;
}

}  // namespace sluice::broker
