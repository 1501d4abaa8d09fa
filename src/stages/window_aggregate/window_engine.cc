#include "stages/window_aggregate/window_engine.h"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <unordered_map>

namespace sluice::stages {

WindowEngine::WindowEngine(const WindowOptions& options, WallClock clock)
    : options_(options), layout_(options.layout), clock_(std::move(clock)) {}

WindowEngine::Partition& WindowEngine::partition(const PartitionId& id) {
  auto [it, created] = partitions_.try_emplace(id);
  if (created) it->second.last_active_ms = clock_();
  return it->second;
}

int64_t WindowEngine::own_watermark(const Partition& p) const {
  if (p.windows.max_event_time == kNoTime) return kNoTime;
  return p.windows.max_event_time - options_.allowed_lateness_ms;
}

int64_t WindowEngine::combined_locked(int64_t now) const {
  int64_t active_min = kNoTime, any_max = kNoTime;
  bool any_active = false;
  for (const auto& [id, p] : partitions_) {
    const int64_t own = own_watermark(p);
    any_max = std::max(any_max, own);
    if (now - p.last_active_ms >= options_.idle_timeout_ms) continue;  // idle: not waited for
    active_min = any_active ? std::min(active_min, own) : own;
    any_active = true;
  }
  return any_active ? active_min : any_max;
}

int64_t WindowEngine::combined_watermark() {
  std::lock_guard lock(mu_);
  return combined_locked(clock_());
}

void WindowEngine::merge_into(Accumulators& into, const Accumulators& from) const {
  for (size_t i = 0; i < from.size(); ++i) merge(options_.aggregates[i].fn, into[i], from[i]);
}

void WindowEngine::assemble(const Partition& p, int64_t s, const GroupKey* group,
                            std::vector<WindowRow>& out) const {
  const auto& panes = p.windows.panes;
  const auto first = panes.lower_bound(s), last = panes.lower_bound(s + layout_.size);
  if (group) {  // one group's row: a lookup per pane
    std::optional<WindowRow> row;
    for (auto it = first; it != last; ++it) {
      const auto g = it->second.find(*group);
      if (g == it->second.end()) continue;
      if (!row) {
        row = WindowRow{s, s + layout_.size, *group, g->second};
      } else {
        merge_into(row->accumulators, g->second);
      }
    }
    if (row) out.push_back(std::move(*row));
    return;
  }
  // Every group's row. Indexed by views of the panes' own keys, so merging
  // copies no key; sorted by group at the end, so rows come out in the same
  // order on every run.
  std::unordered_map<std::string_view, size_t> index;
  std::vector<WindowRow> rows;
  for (auto it = first; it != last; ++it) {
    for (const auto& [key, accs] : it->second) {
      const auto [at, fresh] = index.try_emplace(key, rows.size());
      if (fresh) {
        rows.push_back({s, s + layout_.size, key, accs});
      } else {
        merge_into(rows[at->second].accumulators, accs);
      }
    }
  }
  std::sort(rows.begin(), rows.end(),
            [](const WindowRow& a, const WindowRow& b) { return a.group < b.group; });
  std::move(rows.begin(), rows.end(), std::back_inserter(out));
}

void WindowEngine::seal(Partition& p, int64_t to) {
  PartitionWindows& w = p.windows;
  if (to == kNoTime || to <= w.sealed_through) return;
  if (options_.mode == EmitMode::kAppend && !w.panes.empty()) {
    // The first window not sealed yet that holds a pane.
    int64_t s = layout_.first_window_start_of_pane(w.panes.begin()->first);
    if (w.sealed_through != kNoTime)
      s = std::max(s, WindowLayout::floor_to(w.sealed_through - layout_.size, layout_.slide) +
                          layout_.slide);
    while (s + layout_.size <= to) {
      auto first = w.panes.lower_bound(s);
      if (first == w.panes.end()) break;
      if (first->first >= s + layout_.size) {  // no pane in this window: skip the gap
        s = layout_.first_window_start_of_pane(first->first);
        continue;
      }
      assemble(p, s, nullptr, w.pending);
      s += layout_.slide;
    }
  }
  w.sealed_through = to;
  // A pane is dropped once the last window holding it is sealed.
  while (!w.panes.empty() && layout_.last_window_end(w.panes.begin()->first) <= to)
    w.panes.erase(w.panes.begin());
}

std::vector<WindowRow> WindowEngine::release_rows(Partition& p, int64_t watermark) {
  std::vector<WindowRow>& pending = p.windows.pending;
  if (watermark == kNoTime) return {};
  auto stop = std::find_if(pending.begin(), pending.end(),
                           [&](const WindowRow& r) { return r.end > watermark; });
  std::vector<WindowRow> out(std::make_move_iterator(pending.begin()),
                             std::make_move_iterator(stop));
  pending.erase(pending.begin(), stop);
  return out;
}

// Seal up to the own watermark — or up to the combined one, when this
// partition was idle and the others went past it — then release what the
// combined watermark allows.
void WindowEngine::advance(Partition& p, int64_t now, std::vector<WindowRow>& out) {
  const int64_t combined = combined_locked(now);
  last_watermark_.store(combined, std::memory_order_relaxed);
  seal(p, std::max(own_watermark(p), combined));
  if (options_.mode != EmitMode::kAppend) return;
  for (auto& row : release_rows(p, combined)) out.push_back(std::move(row));
}

Admission WindowEngine::add(const PartitionId& id, const WindowEvent& e) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_();
  Partition& p = partition(id);
  p.last_active_ms = now;
  PartitionWindows& w = p.windows;
  Admission result;
  const int64_t last_end = layout_.last_window_end(e.time);
  w.max_event_time = std::max(w.max_event_time, e.time);
  if (w.sealed_through != kNoTime && last_end <= w.sealed_through) {
    result.late = true;
    result.missed_start = last_end - layout_.size;
    result.missed_end = last_end;
    result.sealed_through = w.sealed_through;
  } else {
    Accumulators& accs = w.panes[layout_.pane_of(e.time)][e.group];
    if (accs.empty()) accs.resize(options_.aggregates.size());
    for (size_t i = 0; i < accs.size(); ++i) {
      const WindowEvent::Input& in = e.inputs[i];
      const AggregateSpec& spec = options_.aggregates[i];
      if (spec.numeric() && !in.present) continue;  // a missing value: skipped, as SQL skips NULL
      accumulate(spec.fn, accs[i], in.x, e.time, in.present ? &in.raw : nullptr, in.matched);
    }
    if (options_.mode == EmitMode::kUpdate) {
      // Every window of the record that is not sealed, as it stands now.
      for (int64_t s = layout_.last_window_start(e.time); s + layout_.size > e.time;
           s -= layout_.slide) {
        if (w.sealed_through != kNoTime && s + layout_.size <= w.sealed_through) break;
        std::vector<WindowRow> row;
        assemble(p, s, &e.group, row);
        result.rows.insert(result.rows.begin(), row.begin(), row.end());
      }
    }
  }
  advance(p, now, result.rows);
  return result;
}

std::vector<WindowRow> WindowEngine::tick(const PartitionId& id) {
  std::lock_guard lock(mu_);
  std::vector<WindowRow> rows;
  auto it = partitions_.find(id);
  if (it != partitions_.end()) advance(it->second, clock_(), rows);
  return rows;
}

void WindowEngine::restore(const PartitionId& id, PartitionWindows state) {
  std::lock_guard lock(mu_);
  Partition& p = partitions_[id];
  p.windows = std::move(state);
  p.last_active_ms = clock_();  // assigned now: waited for until idle_timeout passes
}

std::string WindowEngine::snapshot(const PartitionId& id) {
  std::lock_guard lock(mu_);
  return encode_windows(partition(id).windows, options_.fingerprint(), options_.aggregates.size());
}

void WindowEngine::release(const PartitionId& id) {
  std::lock_guard lock(mu_);
  partitions_.erase(id);
}

PartitionWindows WindowEngine::state(const PartitionId& id) {
  std::lock_guard lock(mu_);
  return partition(id).windows;
}

}  // namespace sluice::stages
