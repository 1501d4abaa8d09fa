// `chain`: several processors one after the other inside one stage, as Flink
// chains operators and Kafka Streams fuses a sub-topology. What a step writes
// to its link goes straight to the next step's process(), not through a topic,
// so a record is consumed once and only the last step's outputs are produced
// (docs/processors.md, "Chains").
//
//   processor: chain
//   options:
//     steps:
//       - processor: validate
//         options: { schema: event.schema.json }
//       - processor: window-aggregate
//         options: { time_field: timestamp, size: 1m, ... }
//
// Invariants:
//  - A step other than the last has one output, its link; what it writes there
//    reaches the next step as a Record with the output's key, value and headers
//    and the consumed record's topic, partition, offset, timestamp and trace id
//    (so a step's state and its `<input>.late` topic name the stage's input).
//    What a step writes elsewhere (a late topic) is produced as it is; the last
//    step writes the stage's outputs.
//  - Each record a later step sees points at the consumed record
//    (Record::consumed), so a step that sets a record aside for replay keeps
//    the bytes the stage read.
//  - A control record (Processor::is_control: an operator's command in the
//    input topic) goes straight to the first step that claims it.
//  - A step that is a filter (validate) hands the consumed record itself to
//    the next step when it passes, not a copy: the same record its link output
//    would have made, as long as the record has no sluice.* headers to drop.
//  - A failure at any step is the consumed record's failure: it goes to the
//    DLQ (or is retried) whole, with the reason prefixed "step N (processor)".
//    Outputs of earlier steps are not produced.
//  - What a stateful step releases on a tick (a window closed by time) goes
//    through the later steps too; an output a later step refuses goes to the
//    stage's DLQ by itself (original offset -1), the others are produced.
//  - The stateful steps' states are checkpointed together, at one input offset
//    (chain_state.h); a chain with none is stateless. A durable sink
//    (table-sink) cannot be a step: it keeps its own stage.
//  - Thread-safe as its steps are: the chain itself holds no mutable state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/processor.h"
#include "stages/chain/chain_state.h"

namespace sluice::stages {

class Chain : public pipeline::Processor, public pipeline::StatefulProcessor {
 public:
  explicit Chain(const pipeline::ProcessorContext& context);

  pipeline::Outcome process(const pipeline::Record& record) override;
  pipeline::StatefulProcessor* stateful() override {
    return stateful_steps_.empty() ? nullptr : this;
  }

  void restore(const std::string& topic, int32_t partition,
               const std::optional<pipeline::ProcessorState>& state) override;
  pipeline::ProcessorState snapshot(const std::string& topic, int32_t partition) override;
  void release(const std::string& topic, int32_t partition) override;
  std::vector<pipeline::OutputRecord> tick(const std::string& topic, int32_t partition) override;

 private:
  struct Step {
    std::string processor;  // its `processor:` name, for messages and the state frame
    std::string link;       // where it hands records to the next step ("" for the last)
    std::unique_ptr<pipeline::Processor> instance;
    pipeline::RecordFilter*
        filter;  // instance->filter(): a validator, passed records go on as they are
  };

  // Runs `record` through steps[first..], appending the produced outputs to
  // `result`; false (with `result` the failure) when a step failed.
  bool run_from(size_t first, const pipeline::Record& record, pipeline::Outcome& result) const;
  // Hands each of step `from`'s outputs on to the next step or to `result`.
  bool forward(size_t from, const pipeline::Record& consumed,
               std::vector<pipeline::OutputRecord> outputs, pipeline::Outcome& result) const;
  // The stateful steps' positions and names, for the state frame.
  std::vector<ChainStepState> frame_layout() const;

  std::string stage_;
  std::string dead_letter_topic_;  // "" when the stage's DLQ is disabled
  pipeline::Headers dead_letter_headers_;
  std::vector<Step> steps_;
  std::vector<size_t> stateful_steps_;  // indexes into steps_
};

}  // namespace sluice::stages
