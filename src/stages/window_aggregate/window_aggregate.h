// `window-aggregate`: event-time windows (tumbling or hopping) over a JSON
// field, grouped by fields of the record, with count, sum, min, max, avg,
// stddev, count_if, first and last; one JSON row per window and group on the
// first output topic:
//   {"window_start": "2026-01-05T10:00:00Z", "window_end": "2026-01-05T10:01:00Z",
//    "device_id": "d-7", "events": 12, "avg_value": 21.5, ...}
// keyed by the group values as a JSON array (["d-7"]).
//
// Records behind the watermark go to `<input>.late` (or `late_topic`) with
// sluice.window.missed naming the window they missed; a record without a
// readable event time is a validation failure (DLQ). The windows are
// per-partition state checkpointed with the input offset (needs
// `state_store:`). The model: docs/windows.md; the engine: window_engine.h.
#pragma once

#include <memory>
#include <string>

#include "ops/metrics.h"
#include "pipeline/processor.h"
#include "stages/window_aggregate/window_engine.h"
#include "stages/window_aggregate/window_options.h"

namespace sluice::stages {

class WindowAggregate : public pipeline::Processor, public pipeline::StatefulProcessor {
 public:
  // `clock`: wall-clock ms for idleness (tests pass their own).
  explicit WindowAggregate(const pipeline::ProcessorContext& context,
                           WindowEngine::WallClock clock = {});

  pipeline::Outcome process(const pipeline::Record& record) override;
  pipeline::StatefulProcessor* stateful() override { return this; }

  void restore(const std::string& topic, int32_t partition,
               const std::optional<pipeline::ProcessorState>& state) override;
  pipeline::ProcessorState snapshot(const std::string& topic, int32_t partition) override;
  void release(const std::string& topic, int32_t partition) override;
  std::vector<pipeline::OutputRecord> tick(const std::string& topic, int32_t partition) override;

  WindowEngine& engine() { return engine_; }

 private:
  // The event read from the record's JSON, or the reason it cannot be.
  std::string read_event(const pipeline::Record& record, WindowEvent& event) const;
  pipeline::OutputRecord row_record(const WindowRow& row) const;
  pipeline::OutputRecord late_record(const pipeline::Record& record, const Admission& a) const;
  // Counts `rows` emitted and publishes the watermark they were released at and
  // their emission delay.
  void observe(const std::vector<WindowRow>& rows);

  WindowOptions options_;
  // `,"name":` of each group-by field and each aggregate, quoted once: a row's
  // JSON is these and its values.
  std::vector<std::string> group_prefixes_, aggregate_prefixes_;
  WindowEngine::WallClock clock_;
  WindowEngine engine_;
  ops::Counter* late_counter_ = nullptr;
  ops::Counter* rows_counter_ = nullptr;
  ops::Gauge* watermark_gauge_ = nullptr;
  ops::Gauge* emission_delay_gauge_ = nullptr;
};

}  // namespace sluice::stages
