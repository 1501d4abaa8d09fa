// Processor-state checkpoints: the bytes (docs/formats/state-checkpoint.md) and
// the runtime's restore/checkpoint/release cycle, with a counting processor
// and an in-memory store standing in for the object store.
#include "pipeline/state/state_checkpoint.h"

#include <gtest/gtest.h>

#include <map>

#include "pipeline/state/partition_states.h"

namespace sluice::pipeline {
namespace {

TEST(StateCheckpoint, RoundTripsStateAndOffset) {
  for (const StateCheckpoint& c : {StateCheckpoint{0, ""}, StateCheckpoint{42, "abc"},
                                   StateCheckpoint{int64_t(1) << 40, std::string(100000, '\0')}}) {
    EXPECT_EQ(decode_checkpoint(encode_checkpoint(c)), c);
  }
}

TEST(StateCheckpoint, TheLayoutIsTheDocumentedOne) {
  const std::string b = encode_checkpoint({258, "xy"});
  ASSERT_EQ(b.size(), 4u + 1 + 8 + 4 + 2 + 4);
  EXPECT_EQ(b.substr(0, 4), "SLST");
  EXPECT_EQ(b[4], 1);
  EXPECT_EQ(b.substr(5, 8), std::string("\0\0\0\0\0\0\x01\x02", 8));
  EXPECT_EQ(b.substr(13, 4), std::string("\0\0\0\x02", 4));
  EXPECT_EQ(b.substr(17, 2), "xy");
}

TEST(StateCheckpoint, EveryDamageIsRefused) {
  const std::string good = encode_checkpoint({7, "state"});
  for (size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] ^= 0x10;
    EXPECT_THROW(decode_checkpoint(flipped), CheckpointError) << "byte " << i;
  }
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_THROW(decode_checkpoint(good.substr(0, n)), CheckpointError) << "truncated to " << n;
  }
  EXPECT_THROW(decode_checkpoint(good + "x"), CheckpointError);
}

class MemoryStore : public CheckpointStore {
 public:
  std::optional<std::string> get(const std::string& key) override {
    auto it = objects.find(key);
    if (it == objects.end()) return std::nullopt;
    return it->second;
  }
  void put(const std::string& key, const std::string& bytes) override {
    if (fail_puts) throw std::runtime_error("store is down");
    objects[key] = bytes;
  }
  std::string describe() const override { return "memory://"; }

  std::map<std::string, std::string> objects;
  bool fail_puts = false;
};

// Counts the records it saw per partition; its state is the count as text.
class Counter : public StatefulProcessor {
 public:
  void restore(const std::string& topic, int32_t partition,
               const std::optional<std::string>& state) override {
    counts[{topic, partition}] = state ? std::stoi(*state) : 0;
  }
  std::string snapshot(const std::string& topic, int32_t partition) override {
    return std::to_string(counts.at({topic, partition}));
  }
  void release(const std::string& topic, int32_t partition) override {
    counts.erase({topic, partition});
  }
  std::map<std::pair<std::string, int32_t>, int> counts;
};

TEST(PartitionStates, ANewPartitionStartsEmptyAtTheGroupsOffset) {
  MemoryStore store;
  Counter counter;
  PartitionStates states("g", counter, store);
  EXPECT_EQ(states.assigned("t", 0), std::nullopt);
  EXPECT_EQ(counter.counts.at({"t", 0}), 0);
}

TEST(PartitionStates, StateAndOffsetComeBackTogetherInAnotherProcess) {
  MemoryStore store;
  {
    Counter counter;
    PartitionStates states("g", counter, store);
    states.assigned("t", 3);
    counter.counts[{"t", 3}] = 5;  // five records processed and acknowledged
    EXPECT_TRUE(states.checkpoint("t", 3, 105));
    counter.counts[{"t", 3}] = 9;  // four more processed, then kill -9 before a checkpoint
  }
  Counter restarted;
  PartitionStates states("g", restarted, store);
  EXPECT_EQ(states.assigned("t", 3), 105);  // not the group's offset, not the 4 lost records
  EXPECT_EQ(restarted.counts.at({"t", 3}), 5);
  EXPECT_EQ(store.objects.count("checkpoints/g/t/3"), 1u);
}

TEST(PartitionStates, OnlyAnAdvanceIsCheckpointed) {
  MemoryStore store;
  Counter counter;
  PartitionStates states("g", counter, store);
  states.assigned("t", 0);
  EXPECT_FALSE(states.checkpoint("t", 0, -1));  // nothing committable yet
  EXPECT_TRUE(states.checkpoint("t", 0, 10));
  EXPECT_FALSE(states.checkpoint("t", 0, 10));
  EXPECT_FALSE(states.checkpoint("t", 1, 10));  // not assigned here
  EXPECT_EQ(states.checkpointed("t", 0), 10);
}

TEST(PartitionStates, AFailedWriteThrowsAndKeepsTheLastCheckpoint) {
  MemoryStore store;
  Counter counter;
  PartitionStates states("g", counter, store);
  states.assigned("t", 0);
  ASSERT_TRUE(states.checkpoint("t", 0, 10));
  store.fail_puts = true;
  EXPECT_THROW(states.checkpoint("t", 0, 20), std::runtime_error);
  EXPECT_EQ(states.checkpointed("t", 0), 10);  // the caller must not commit past 10
}

TEST(PartitionStates, ARevokedPartitionIsForgottenAndItsNextOwnerRestoresIt) {
  MemoryStore store;
  Counter first, second;
  PartitionStates a("g", first, store), b("g", second, store);
  a.assigned("t", 0);
  first.counts[{"t", 0}] = 3;
  a.checkpoint("t", 0, 3);
  a.revoked("t", 0);
  EXPECT_EQ(first.counts.count({"t", 0}), 0u);
  EXPECT_FALSE(a.checkpoint("t", 0, 4));
  EXPECT_EQ(b.assigned("t", 0), 3);
  EXPECT_EQ(second.counts.at({"t", 0}), 3);
}

TEST(PartitionStates, ADamagedCheckpointStopsTheStageWithTheObjectsName) {
  MemoryStore store;
  store.objects["checkpoints/g/t/0"] = "garbage";
  Counter counter;
  PartitionStates states("g", counter, store);
  try {
    states.assigned("t", 0);
    FAIL() << "a damaged checkpoint was restored";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("memory:///checkpoints/g/t/0"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("delete it"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(counter.counts.empty());
}

}  // namespace
}  // namespace sluice::pipeline
