// Processor-state checkpoints: the bytes (docs/formats/state-checkpoint.md) and
// the runtime's restore/checkpoint/release cycle, with a counting processor
// and an in-memory store standing in for the object store.
#include "pipeline/state/state_checkpoint.h"

#include <gtest/gtest.h>

#include <map>

#include "common/bytes.h"
#include "common/crc32c.h"
#include "memory_checkpoint_store.h"
#include "pipeline/state/partition_states.h"

namespace sluice::pipeline {
namespace {

TEST(StateCheckpoint, RoundTripsStateOffsetAndBlocks) {
  for (const StateCheckpoint& c :
       {StateCheckpoint{0, "", {}}, StateCheckpoint{42, "abc", {}},
        StateCheckpoint{int64_t(1) << 40, std::string(100000, '\0'), {}},
        StateCheckpoint{5, "head", {{"a", 1, 2}, {"step0.dedupe-17", 32768, 0xffffffff}}}}) {
    EXPECT_EQ(decode_checkpoint(encode_checkpoint(c)), c);
  }
}

TEST(StateCheckpoint, TheLayoutIsTheDocumentedOne) {
  const std::string b = encode_checkpoint({258, "xy", {{"b1", 3, 0x01020304}}});
  ASSERT_EQ(b.size(), 4u + 1 + 8 + 4 + 2 + 4 + (2 + 2 + 4 + 4) + 4);
  EXPECT_EQ(b.substr(0, 4), "SLST");
  EXPECT_EQ(b[4], 2);
  EXPECT_EQ(b.substr(5, 8), std::string("\0\0\0\0\0\0\x01\x02", 8));
  EXPECT_EQ(b.substr(13, 4), std::string("\0\0\0\x02", 4));
  EXPECT_EQ(b.substr(17, 2), "xy");
  EXPECT_EQ(b.substr(19, 4), std::string("\0\0\0\x01", 4));  // one block
  EXPECT_EQ(b.substr(23, 4), std::string("\0\x02"
                                         "b1",
                                         4));
  EXPECT_EQ(b.substr(27, 8), std::string("\0\0\0\x03\x01\x02\x03\x04", 8));
  EXPECT_EQ(load_be32(reinterpret_cast<const uint8_t*>(b.data()) + 35),
            crc32c(b.data(), b.size() - 4));
}

TEST(StateCheckpoint, AVersionOneObjectStillDecodes) {
  // Written before blocks existed: no block list after the state.
  std::string v1 = std::string("SLST\x01", 5) + std::string("\0\0\0\0\0\0\0\x09", 8) +
                   std::string("\0\0\0\x02", 4) + "xy";
  Bytes crc;
  ByteWriter(crc).u32(crc32c(v1.data(), v1.size()));
  v1.append(crc.begin(), crc.end());
  EXPECT_EQ(decode_checkpoint(v1), (StateCheckpoint{9, "xy", {}}));
}

TEST(StateCheckpoint, ABlockIsCheckedAgainstItsSizeAndCrc) {
  const BlockRef ref = block_ref("dedupe-3", "sealed ids");
  EXPECT_NO_THROW(check_block(ref, "sealed ids"));
  EXPECT_THROW(check_block(ref, "sealed idz"), CheckpointError);
  EXPECT_THROW(check_block(ref, "sealed ids "), CheckpointError);
  EXPECT_THROW(block_ref("../escape", "x"), CheckpointError);  // names become object keys
  EXPECT_THROW(block_ref("", "x"), CheckpointError);
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

using MemoryStore = MemoryCheckpointStore;

// Counts the records it saw per partition; its state is the count as text.
class Counter : public StatefulProcessor {
 public:
  void restore(const std::string& topic, int32_t partition,
               const std::optional<ProcessorState>& state) override {
    counts[{topic, partition}] = state ? std::stoi(state->head) : 0;
  }
  ProcessorState snapshot(const std::string& topic, int32_t partition) override {
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

// Its state is a head and a log sealed in named blocks, as sequence-check's
// dedupe window is; it counts how often a block's bytes are asked for.
class SealedLog : public StatefulProcessor {
 public:
  void restore(const std::string&, int32_t, const std::optional<ProcessorState>& state) override {
    head.clear();
    blocks.clear();
    if (!state) return;
    head = state->head;
    for (const StateBlock& b : state->blocks) blocks[b.name] = b.bytes();
  }
  ProcessorState snapshot(const std::string&, int32_t) override {
    ProcessorState s(head);
    for (const auto& [name, bytes] : blocks) {
      s.blocks.push_back({name, [this, n = name] {
                            ++encoded[n];
                            return blocks.at(n);
                          }});
    }
    return s;
  }
  void release(const std::string&, int32_t) override {}

  std::string head;
  std::map<std::string, std::string> blocks;
  std::map<std::string, int> encoded;
};

constexpr const char* kBlocks = "checkpoints/g/t/0.blocks/";

// A SealedLog's partition t-0, assigned with no checkpoint yet.
struct SealedLogStates : ::testing::Test {
  MemoryStore store;
  SealedLog log;
  PartitionStates states{"g", log, store};
  void SetUp() override { states.assigned("t", 0); }

  // What another process restores from the store: the offset, and the log into `into`.
  std::optional<int64_t> restore_elsewhere(SealedLog& into) {
    PartitionStates elsewhere("g", into, store);
    return elsewhere.assigned("t", 0);
  }
  // A restore that must fail: the error's text.
  std::string restore_error() {
    SealedLog into;
    try {
      restore_elsewhere(into);
    } catch (const CheckpointError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the checkpoint was restored";
    return "";
  }
};

TEST_F(SealedLogStates, EachBlockIsStoredOnceAndRemovedWhenNoCheckpointNeedsIt) {
  log.blocks = {{"b0", "first ids"}, {"b1", "second ids"}};
  log.head = "h1";
  ASSERT_TRUE(states.checkpoint("t", 0, 10));
  log.blocks["b2"] = "third ids";
  log.head = "h2";
  ASSERT_TRUE(states.checkpoint("t", 0, 20));
  EXPECT_EQ(log.encoded, (std::map<std::string, int>{{"b0", 1}, {"b1", 1}, {"b2", 1}}));
  EXPECT_EQ(store.objects.at(std::string(kBlocks) + "b1"), "second ids");

  log.blocks.erase("b0");  // its ids left the window
  ASSERT_TRUE(states.checkpoint("t", 0, 30));
  EXPECT_EQ(store.objects.count(std::string(kBlocks) + "b0"), 0u);
  EXPECT_EQ(store.objects.count(std::string(kBlocks) + "b2"), 1u);

  SealedLog next_owner;
  EXPECT_EQ(restore_elsewhere(next_owner), 30);
  EXPECT_EQ(next_owner.head, "h2");
  EXPECT_EQ(next_owner.blocks,
            (std::map<std::string, std::string>{{"b1", "second ids"}, {"b2", "third ids"}}));
}

TEST_F(SealedLogStates, ABlockOutlivesAHeadThatFailedToBeWritten) {
  log.blocks = {{"b0", "first ids"}};
  ASSERT_TRUE(states.checkpoint("t", 0, 10));
  log.blocks = {{"b1", "second ids"}};
  store.fail_puts = true;
  EXPECT_THROW(states.checkpoint("t", 0, 20), std::runtime_error);
  store.fail_puts = false;
  // The stored checkpoint still refers to b0, so b0 is still there.
  SealedLog restarted;
  EXPECT_EQ(restore_elsewhere(restarted), 10);
  EXPECT_EQ(restarted.blocks, (std::map<std::string, std::string>{{"b0", "first ids"}}));
}

TEST_F(SealedLogStates, AMissingBlockStopsTheStageNamingIt) {
  log.blocks = {{"b0", "first ids"}};
  ASSERT_TRUE(states.checkpoint("t", 0, 10));
  store.objects.erase(std::string(kBlocks) + "b0");
  const std::string error = restore_error();
  EXPECT_NE(error.find("state block b0 is missing"), std::string::npos) << error;
  EXPECT_NE(error.find(kBlocks), std::string::npos) << error;
}

TEST_F(SealedLogStates, ADamagedBlockStopsTheStageNamingIt) {
  log.blocks = {{"b0", "first ids"}};
  ASSERT_TRUE(states.checkpoint("t", 0, 10));
  store.objects[std::string(kBlocks) + "b0"] = "first idz";
  const std::string error = restore_error();
  EXPECT_NE(error.find("state block b0 has 9 bytes that are not the ones"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace sluice::pipeline
