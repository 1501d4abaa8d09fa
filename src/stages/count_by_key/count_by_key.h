// `count-by-key`: for each record, the running count of records seen with its
// key on its partition, as JSON on the first output topic:
//   {"key": "sensor-7", "count": 3, "offset": 1041}
// (keyed like the input; a record without a key counts under "").
//
// The smallest stateful processor, and the worked example of
// docs/processors.md: the counts are per-partition state that the runtime
// checkpoints with the input offset (pipeline/state/), so after a kill -9 or a
// rebalance counting resumes exactly where the checkpoint left it — the count
// emitted for a record never depends on restarts. Needs `state_store:`.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "pipeline/processor.h"

namespace sluice::stages {

class CountByKey : public pipeline::Processor, public pipeline::StatefulProcessor {
 public:
  explicit CountByKey(const pipeline::ProcessorContext& context);

  pipeline::Outcome process(const pipeline::Record& record) override;
  pipeline::StatefulProcessor* stateful() override { return this; }

  void restore(const std::string& topic, int32_t partition,
               const std::optional<pipeline::ProcessorState>& state) override;
  pipeline::ProcessorState snapshot(const std::string& topic, int32_t partition) override;
  void release(const std::string& topic, int32_t partition) override;

  // The state's encoding (version byte, then per key: u32 length, key, i64 count).
  static std::string encode(const std::map<std::string, int64_t>& counts);
  // Throws std::runtime_error for bytes encode() cannot have written.
  static std::map<std::string, int64_t> decode(const std::string& bytes);

 private:
  std::string output_;
  std::mutex mu_;  // process() runs on worker threads
  std::map<std::pair<std::string, int32_t>, std::map<std::string, int64_t>> counts_;
};

}  // namespace sluice::stages
