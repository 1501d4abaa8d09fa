// `sequence-check`: per-key sequence tracking and message-id dedupe for
// exchange ticks (seed 003; docs/processors.md#sequence-check).
//
// Each tick (a JSON object) is classified against its key's high mark —
// ok, small_gap, large_gap, out_of_order or reset (sequence_tracker.h) — and
// copied to every output with sluice.sequence = the classification and, for
// gaps and out-of-order ticks, sluice.sequence.severity = WARNING or ERROR, so
// a later routing step can quarantine on them. With max_price_move, a tick
// whose price moved more than that fraction from its key's last accepted
// price is a price_jump (WARNING; price_move.h says which price is the
// reference and why). A message_id already seen in
// the dedupe window (dedupe_window.h) is a duplicate: counted, not forwarded.
// A gap over halt_gap halts the key: that tick is forwarded (large_gap,
// ERROR, sluice.sequence.halted), every later tick of the key is parked in
// <input>.parked untouched (in a chain: the record the stage consumed, so a
// replay enters the chain at its start) until an operator resumes it
// (`sluice symbols resume`, symbol_control.h). A tick without a readable key,
// sequence number or time fails as a validation error (DLQ).
//
// State — per key the high mark, last tick time, halt and reference price; the dedupe window —
// is per input partition and checkpointed with the input offset (needs
// `state_store:`), so it survives kill -9 and rebalances exactly.
#pragma once

#include <map>
#include <mutex>
#include <utility>

#include "ops/metrics.h"
#include "pipeline/processor.h"
#include "stages/passthrough/passthrough.h"
#include "stages/sequence_check/sequence_options.h"
#include "stages/sequence_check/sequence_state.h"

namespace sluice::stages {

class SequenceCheck : public pipeline::Processor, public pipeline::StatefulProcessor {
 public:
  // Throws pipeline::OptionError.
  explicit SequenceCheck(const pipeline::ProcessorContext& context);

  pipeline::Outcome process(const pipeline::Record& record) override;
  pipeline::StatefulProcessor* stateful() override { return this; }
  // A `sluice symbols` command (symbol_control.h); in a chain it skips the decoder steps.
  bool is_control(const pipeline::Record& record) const override;

  void restore(const std::string& topic, int32_t partition,
               const std::optional<pipeline::ProcessorState>& state) override;
  pipeline::ProcessorState snapshot(const std::string& topic, int32_t partition) override;
  void release(const std::string& topic, int32_t partition) override;

  // Keys halted in the partitions this process owns (for tests and the gauge).
  std::set<std::string> halted_keys() const;

 private:
  struct Tick {
    std::string key;
    int64_t sequence = 0;
    int64_t time_ms = 0;
    std::string message_id;
    double price = 0;  // read only with max_price_move
  };
  struct Series {  // one counter per classification, one per halt cause
    ops::Counter* kinds[kSequenceKindCount] = {};
    ops::Counter* halts_by_gap = nullptr;
    ops::Counter* halts_by_operator = nullptr;
    ops::Counter* evictions = nullptr;
    ops::Gauge* halted = nullptr;
  };

  // The tick read from the record's JSON, or the reason it cannot be.
  std::string read_tick(const pipeline::Record& record, Tick& tick) const;
  PartitionSequence& partition_state(const std::string& topic, int32_t partition);
  pipeline::Outcome apply_command(const pipeline::Record& record, const std::string& command);
  // The key's state for the status topic, written by the owner of `record`'s partition.
  pipeline::OutputRecord status_record(const pipeline::Record& record, const std::string& key,
                                       const KeyState& state) const;
  pipeline::OutputRecord parked_record(const pipeline::Record& record, const KeyState& state) const;
  void count(SequenceKind kind);
  std::set<std::string> halted_keys_locked() const;  // with mutex_ held
  void publish_halted();                             // with mutex_ held

  std::string stage_;
  SequenceOptions options_;
  Passthrough copies_;
  Series series_;
  mutable std::mutex mutex_;
  using PartitionKey = std::pair<std::string, int32_t>;  // input topic and partition
  std::map<PartitionKey, PartitionSequence> partitions_;
};

}  // namespace sluice::stages
