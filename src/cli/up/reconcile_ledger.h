// The accounting behind `sluice validate`, fed one fact at a time and free of
// Kafka and Delta, so that a pass can start from the figures of an earlier one
// (validate_checkpoint.h) and add only what is new.
//
// Facts, in any order across passes (within a pass: ingest DLQ, input events,
// tasks, task DLQs, table rows):
//   - an input event at (partition, offset) calls for tasks;
//   - ingest dead-lettered the event at (partition, offset) — possibly after
//     that event was already counted, in which case its tasks are no longer
//     called for (the DLQ record carries the event's payload, as received);
//   - a task appeared on a tasks topic, or in a download/result DLQ;
//   - a table row for a task was added (or removed by a compaction), with its
//     object's existence at that moment.
//
// Invariant: report() equals what reconciling every fact at once gives. A task
// is expected while at least one counted, not dead-lettered event calls for it;
// an expected task is a row (one: fine, more: DUPLICATE), else a DLQ record,
// else LOST. Objects are checked once, when their row is first seen; objects
// found missing are checked again on every pass.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cli/up/reconcile.h"

namespace sluice::cli {

using InputPosition = std::pair<int32_t, int64_t>;  // partition, offset

struct TaskTally {
  int32_t calls = 0;  // counted events calling for it, less those dead-lettered
  int32_t rows = 0;   // live table rows
  bool produced = false;
  bool dead_lettered = false;  // in the download or result DLQ
};

// Everything a pass needs from the passes before it; written out as is by the checkpoint.
struct LedgerFigures {
  int64_t events = 0;
  int64_t events_dead_lettered = 0;
  int64_t objects_checked = 0;
  std::map<std::string, int64_t> dlq_categories;  // "<dlq topic> <category>" -> records
  std::set<InputPosition> dead_events;            // input positions ingest dead-lettered
  std::unordered_map<std::string, TaskTally> tasks;
  std::map<std::pair<std::string, std::string>, int64_t> missing_objects;  // (task, key) -> rows
};

class ReconcileLedger {
 public:
  ReconcileLedger() = default;
  explicit ReconcileLedger(LedgerFigures figures) : f_(std::move(figures)) {}

  void dead_letter_record(const std::string& dlq_topic, const std::string* category);
  // Ingest dead-lettered the event at `at`; `counted`: that event was already counted by
  // input_event(). A position dead-lettered twice counts once.
  void event_dead_lettered(InputPosition at, const std::vector<std::string>& its_tasks,
                           bool counted);
  void input_event(InputPosition at, const std::vector<std::string>& tasks);
  void task_produced(const std::string& task);
  void task_dead_lettered(const std::string& task);
  // A live row appeared (+1) or was retired (-1). `object_exists` matters only for +1.
  void row_added(const std::string& task, const std::string& object_key, bool object_exists);
  void row_removed(const std::string& task, const std::string& object_key);
  // Asks again about every object found missing; those now present are no longer missing.
  void recheck_missing(const std::function<bool(const std::string& key)>& exists);

  // Lists are sorted by task id; `store_url` names the object store in MISSING OBJECT lines.
  ReconcileReport report(const std::string& store_url) const;
  const LedgerFigures& figures() const { return f_; }
  LedgerFigures release() && { return std::move(f_); }

 private:
  LedgerFigures f_;
};

}  // namespace sluice::cli
