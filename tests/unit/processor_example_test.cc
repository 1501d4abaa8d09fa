// The worked example of docs/processors.md, compiled and checked: a stateful
// processor that counts records per key and emits the running count. Driven
// the way the runtime drives it — restore on assign, process, checkpoint at a
// committable offset, kill, restore elsewhere — it must produce the same
// counts as a run that never crashed.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <sstream>

#include "pipeline/processor.h"
#include "pipeline/state/partition_states.h"

namespace sluice::pipeline {
namespace {

// ---- the example processor (docs/processors.md) ----

class KeyCount : public Processor, public StatefulProcessor {
 public:
  explicit KeyCount(const ProcessorContext& context) : output_(context.outputs.at(0)) {}

  Outcome process(const Record& record) override {
    const std::string key = record.key.value_or("");
    int64_t count;
    {
      std::lock_guard lock(mu_);  // process() runs on worker threads
      count = ++counts_[{record.topic, record.partition}][key];
    }
    return Outcome::success({{output_, key, key + "=" + std::to_string(count), {}}});
  }
  StatefulProcessor* stateful() override { return this; }

  // State: one "key count" line per key (keys without spaces, for the example).
  void restore(const std::string& topic, int32_t partition,
               const std::optional<std::string>& state) override {
    std::lock_guard lock(mu_);
    auto& counts = counts_[{topic, partition}];
    counts.clear();
    std::istringstream in(state.value_or(""));
    std::string key;
    int64_t count;
    while (in >> key >> count) counts[key] = count;
  }
  std::string snapshot(const std::string& topic, int32_t partition) override {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& [key, count] : counts_[{topic, partition}])
      out += key + " " + std::to_string(count) + "\n";
    return out;
  }
  void release(const std::string& topic, int32_t partition) override {
    std::lock_guard lock(mu_);
    counts_.erase({topic, partition});
  }

 private:
  std::string output_;
  std::mutex mu_;
  std::map<std::pair<std::string, int32_t>, std::map<std::string, int64_t>> counts_;
};

// ---- driving it as the runtime does ----

class MemoryStore : public CheckpointStore {
 public:
  std::optional<std::string> get(const std::string& key) override {
    auto it = objects_.find(key);
    return it == objects_.end() ? std::nullopt : std::optional(it->second);
  }
  void put(const std::string& key, const std::string& bytes) override { objects_[key] = bytes; }
  std::string describe() const override { return "memory://"; }

 private:
  std::map<std::string, std::string> objects_;
};

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
