// The worked example of docs/processors.md: `count-by-key`
// (src/stages/count_by_key/), a stateful processor that counts records per key
// and emits the running count. Driven
// the way the runtime drives it — restore on assign, process, checkpoint at a
// committable offset, kill, restore elsewhere — it must produce the same
// counts as a run that never crashed.
#include <gtest/gtest.h>

#include <map>

#include "memory_checkpoint_store.h"
#include "pipeline/processor.h"
#include "pipeline/state/partition_states.h"
#include "stages/count_by_key/count_by_key.h"

namespace sluice::pipeline {
namespace {

using KeyCount = stages::CountByKey;

// ---- driving it as the runtime does ----

using MemoryStore = MemoryCheckpointStore;

Record record_at(int64_t offset) {
  Record r;
  r.topic = "events";
  r.partition = 0;
  r.offset = offset;
  r.key = offset % 3 == 0 ? "a" : "b";
  return r;
}

ProcessorContext context() {
  ProcessorContext c;
  c.stage = "count";
  c.outputs = {"counts"};
  return c;
}

// Outputs for offsets [from, to) through `p`, keyed by input offset.
void run(KeyCount& p, int64_t from, int64_t to, std::map<int64_t, std::string>& out) {
  for (int64_t o = from; o < to; ++o) out[o] = p.process(record_at(o)).outputs.at(0).value;
}

TEST(ProcessorExample, CountsSurviveAKillBetweenCheckpointsExactly) {
  std::map<int64_t, std::string> never_crashed;
  {
    KeyCount p(context());
    p.restore("events", 0, std::nullopt);
    run(p, 0, 100, never_crashed);
  }

  MemoryStore store;
  std::map<int64_t, std::string> crashed;
  {
    KeyCount p(context());
    PartitionStates states("g", p, store);
    ASSERT_EQ(states.assigned("events", 0), std::nullopt);
    run(p, 0, 40, crashed);
    states.checkpoint("events", 0, 40);  // outputs of 0..39 acknowledged
    run(p, 40, 55, crashed);             // processed, then kill -9: no checkpoint
  }
  KeyCount p(context());
  PartitionStates states("g", p, store);
  const auto resume = states.assigned("events", 0);
  ASSERT_EQ(resume, 40);
  run(p, *resume, 100, crashed);  // 40..54 again: the same outputs as the first time

  EXPECT_EQ(crashed, never_crashed);
}

}  // namespace
}  // namespace sluice::pipeline
