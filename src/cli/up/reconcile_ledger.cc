#include "cli/up/reconcile_ledger.h"

#include <algorithm>

namespace sluice::cli {

void ReconcileLedger::dead_letter_record(const std::string& dlq_topic,
                                         const std::string* category) {
  f_.dlq_categories[dlq_topic + " " + (category ? *category : "?")] += 1;
}

void ReconcileLedger::event_dead_lettered(InputPosition at,
                                          const std::vector<std::string>& its_tasks, bool counted) {
  if (!f_.dead_events.insert(at).second || !counted) return;
  f_.events_dead_lettered += 1;
  for (const auto& t : its_tasks) f_.tasks[t].calls -= 1;
}

void ReconcileLedger::input_event(InputPosition at, const std::vector<std::string>& tasks) {
  f_.events += 1;
  if (f_.dead_events.count(at)) {
    f_.events_dead_lettered += 1;
    return;
  }
  for (const auto& t : tasks) f_.tasks[t].calls += 1;
}

void ReconcileLedger::task_produced(const std::string& task) {
  f_.tasks[task].produced = true;
}

void ReconcileLedger::task_dead_lettered(const std::string& task) {
  f_.tasks[task].dead_lettered = true;
}

void ReconcileLedger::row_added(const std::string& task, const std::string& object_key,
                                bool object_exists) {
  f_.tasks[task].rows += 1;
  if (object_key.empty()) return;
  f_.objects_checked += 1;
  if (!object_exists) f_.missing_objects[{task, object_key}] += 1;
}

void ReconcileLedger::row_removed(const std::string& task, const std::string& object_key) {
  f_.tasks[task].rows -= 1;
  if (object_key.empty()) return;
  f_.objects_checked -= 1;
  auto it = f_.missing_objects.find({task, object_key});
  if (it != f_.missing_objects.end() && --it->second <= 0) f_.missing_objects.erase(it);
}

void ReconcileLedger::recheck_missing(const std::function<bool(const std::string&)>& exists) {
  for (auto it = f_.missing_objects.begin(); it != f_.missing_objects.end();) {
    it = exists(it->first.second) ? f_.missing_objects.erase(it) : std::next(it);
  }
}

ReconcileReport ReconcileLedger::report(const std::string& store_url) const {
  ReconcileReport r;
  r.events = f_.events;
  r.events_dead_lettered = f_.events_dead_lettered;
  r.objects_checked = f_.objects_checked;
  r.dlq_categories = f_.dlq_categories;
  std::vector<std::pair<std::string, const TaskTally*>> expected;
  for (const auto& [task, tally] : f_.tasks) {
    if (tally.calls > 0) expected.emplace_back(task, &tally);
  }
  std::sort(expected.begin(), expected.end());
  r.tasks_expected = int64_t(expected.size());
  for (const auto& [task, tally] : expected) {
    if (tally->produced) r.tasks_produced += 1;
    if (tally->rows > 0) {
      r.rows += 1;
      if (tally->rows > 1)
        r.duplicated.push_back(task + ": " + std::to_string(tally->rows) + " rows");
    } else if (tally->dead_lettered) {
      r.tasks_dead_lettered += 1;
    } else {
      r.lost.push_back(task + (tally->produced
                                   ? ": a download task exists but no row and no DLQ record"
                                   : ": the event was accepted but no download task exists"));
    }
  }
  for (const auto& [at, rows] : f_.missing_objects) {
    for (int64_t i = 0; i < rows; ++i)
      r.missing_objects.push_back(at.first + ": object " + at.second + " is not in " + store_url);
  }
  return r;
}

}  // namespace sluice::cli
