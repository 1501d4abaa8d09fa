// SpillingSink: the AGGRESSIVE degradation level's spill in front of a durable
// sink. A fake sink records the offsets it is handed and lets each test say
// what is durable in it; pump() stands in for the drain thread.
#include "pipeline/spill/spilling_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace sluice::pipeline::spill {
namespace {

const std::string kTopic = "in";

// A durable sink that defers every record; durable_through() and
// resume_offset() say what the test sets.
class FakeSink : public Processor, public DurableSink {
 public:
  Outcome process(const Record& record) override {
    std::lock_guard lock(mu_);
    if (refuse_next_ > 0) {
      --refuse_next_;
      return Outcome::failure(ErrorCategory::kTransient, "sink busy");
    }
    if (invalid_.count(record.offset))
      return Outcome::failure(ErrorCategory::kValidation, "no such column");
    seen_.push_back(record.offset);
    return Outcome::deferred_success();
  }
  DurableSink* durable_sink() override { return this; }
  int64_t resume_offset(const std::string&, int32_t) override { return resume_; }
  int64_t durable_through(const std::string&, int32_t) override {
    std::lock_guard lock(mu_);
    return durable_;
  }
  void release(const std::string&, int32_t) override {}
  void flush(int64_t) override { make_all_durable(); }

  std::vector<int64_t> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  void set_durable(int64_t offset) {
    std::lock_guard lock(mu_);
    durable_ = offset;
  }
  void make_all_durable() {
    std::lock_guard lock(mu_);
    if (!seen_.empty()) durable_ = seen_.back() + 1;
  }
  void set_resume(int64_t offset) { resume_ = offset; }
  void refuse_next(int n) { refuse_next_ = n; }
  void invalid(int64_t offset) { invalid_.insert(offset); }

 private:
  std::mutex mu_;
  std::vector<int64_t> seen_;
  int64_t durable_ = -1;
  int64_t resume_ = -1;
  int refuse_next_ = 0;
  std::set<int64_t> invalid_;
};

Record record_at(int64_t offset) {
  Record r;
  r.topic = kTopic;
  r.partition = 0;
  r.offset = offset;
  r.value = "{\"n\": " + std::to_string(offset) + "}";
  return r;
}

// Polls `condition` until it holds (true) or a generous bound passes (false).
template <typename Condition>
bool wait_until(Condition condition) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::vector<int64_t> range(int64_t from, int64_t to) {
  std::vector<int64_t> offsets;
  for (int64_t o = from; o < to; ++o) offsets.push_back(o);
  return offsets;
}

class SpillingSinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<SpillingSink> make_sink(FakeSink& inner, uint64_t max_bytes = 1 << 20,
                                          bool drain_thread = false) {
    SpillingSinkOptions options;
    options.dir = dir_.path();
    options.max_bytes = max_bytes;
    options.segment_bytes = 256;  // a few records a segment, so discards delete files
    options.retry_initial_ms = 0;
    options.retry_max_ms = 0;
    options.drain_thread = drain_thread;
    return std::make_unique<SpillingSink>(
        inner, inner, "load", options, [this] { return spill_wanted_.load(); },
        [this](const Record& r, const Outcome& o) {
          dead_letters_.emplace_back(r.offset, o.message);
        },
        metrics_);
  }
  // What the runtime does with each record: hand it over, expect it accepted.
  void feed(SpillingSink& sink, int64_t from, int64_t to) {
    for (int64_t o = from; o < to; ++o) {
      Outcome outcome = sink.process(record_at(o));
      ASSERT_TRUE(outcome.ok) << "offset " << o << ": " << outcome.message;
      ASSERT_TRUE(outcome.deferred) << "offset " << o;
    }
  }
  // A previous life of the stage that ends in kill -9: records below
  // `spilled_from` go straight to the sink (and are lost with its buffer), the
  // rest up to `end` to the spill, which is synced.
  void previous_life(int64_t spilled_from, int64_t end) {
    FakeSink inner;
    auto sink = make_sink(inner);
    feed(*sink, 0, spilled_from);
    spill_wanted_ = true;
    feed(*sink, spilled_from, end);
    sink->pump();
    spill_wanted_ = false;
  }
  void pump_until_idle(SpillingSink& sink) {
    for (int i = 0; i < 100 && sink.pump(); ++i) {
    }
  }
  double metric(const std::string& name) {
    const std::string page = metrics_.render();
    const std::string series = name + "{stage=\"load\"} ";
    const size_t at = page.find(series);
    return at == std::string::npos ? -1 : std::stod(page.substr(at + series.size()));
  }
  size_t spill_files() {
    size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path()))
      n += e.path().extension() == ".spill";
    return n;
  }

  testing::TempDir dir_{"spilling-sink"};
  ops::MetricsRegistry metrics_;
  std::atomic<bool> spill_wanted_{false};
  std::vector<std::pair<int64_t, std::string>> dead_letters_;
};

TEST_F(SpillingSinkTest, TheSinkSeesEveryOffsetOnceInOrderAcrossSpillOnOffOn) {
  FakeSink inner;
  auto sink = make_sink(inner);
  feed(*sink, 0, 3);
  EXPECT_EQ(inner.seen(), range(0, 3)) << "NORMAL: straight to the sink";

  spill_wanted_ = true;
  feed(*sink, 3, 6);
  sink->pump();
  EXPECT_EQ(inner.seen(), range(0, 3)) << "AGGRESSIVE: spilled, not drained";
  EXPECT_GT(sink->spilled_bytes(), 0u);

  spill_wanted_ = false;
  feed(*sink, 6, 7);
  EXPECT_EQ(inner.seen(), range(0, 3)) << "a record behind an undrained spill waits in it";
  pump_until_idle(*sink);
  EXPECT_EQ(inner.seen(), range(0, 7));
  feed(*sink, 7, 8);
  EXPECT_EQ(inner.seen(), range(0, 8)) << "drained: straight to the sink again";

  spill_wanted_ = true;
  feed(*sink, 8, 10);
  spill_wanted_ = false;
  pump_until_idle(*sink);
  EXPECT_EQ(inner.seen(), range(0, 10));

  inner.make_all_durable();
  sink->pump();
  EXPECT_EQ(sink->spilled_bytes(), 0u) << "drained and durable: the spill is gone";
  EXPECT_EQ(spill_files(), 0u);
  EXPECT_EQ(metric("sluice_degradation_spilled_records_total"), 6);
  EXPECT_EQ(metric("sluice_degradation_drained_records_total"), 6);
  EXPECT_EQ(metric("sluice_degradation_spilled_bytes"), 0);
}

TEST_F(SpillingSinkTest, DurableThroughPassesOnlyRecordsDurableInTheSinkOrSyncedInTheSpill) {
  FakeSink inner;
  auto sink = make_sink(inner);
  feed(*sink, 0, 3);  // in the sink, not durable there
  spill_wanted_ = true;
  feed(*sink, 3, 6);
  EXPECT_EQ(sink->durable_through(kTopic, 0), -1);
  sink->pump();  // syncs the spill
  EXPECT_EQ(sink->durable_through(kTopic, 0), -1)
      << "3-5 are synced, but 0-2 before them are not durable in the sink";
  inner.set_durable(2);
  EXPECT_EQ(sink->durable_through(kTopic, 0), 2);
  inner.set_durable(3);
  EXPECT_EQ(sink->durable_through(kTopic, 0), 6) << "0-2 in the sink, 3-5 in the spill";
  EXPECT_GT(metric("sluice_degradation_spilled_bytes"), 0);

  feed(*sink, 6, 8);
  EXPECT_EQ(sink->durable_through(kTopic, 0), 6) << "6-7 are not synced yet";
  sink->pump();
  EXPECT_EQ(sink->durable_through(kTopic, 0), 8);
}

TEST_F(SpillingSinkTest, ACrashLosesNothingAndDoublesNothing) {
  std::vector<int64_t> delivered;  // what ended up durable in the sink, across both lives
  {
    FakeSink inner;
    auto sink = make_sink(inner);
    spill_wanted_ = true;
    EXPECT_EQ(sink->resume_offset(kTopic, 0), -1);
    feed(*sink, 0, 10);
    sink->pump();
    ASSERT_EQ(sink->durable_through(kTopic, 0), 10) << "the runtime commits 10";
    spill_wanted_ = false;
    pump_until_idle(*sink);
    inner.set_durable(4);  // the sink committed 0-3; then kill -9
    sink->pump();
    for (int64_t o : inner.seen())
      if (o < 4) delivered.push_back(o);
  }
  FakeSink inner;
  inner.set_resume(4);
  auto sink = make_sink(inner);
  EXPECT_EQ(sink->resume_offset(kTopic, 0), 10) << "4-9 come from the spill, not Kafka";
  pump_until_idle(*sink);
  feed(*sink, 10, 12);
  EXPECT_EQ(inner.seen(), range(4, 12));
  for (int64_t o : inner.seen()) delivered.push_back(o);
  EXPECT_EQ(delivered, range(0, 12));
}

TEST_F(SpillingSinkTest, AGapBelowTheSpillIsFilledFromKafkaBeforeTheSpillDrains) {
  previous_life(5, 10);  // 0-4 in the sink, of which only 0-1 became durable
  FakeSink inner;
  inner.set_resume(2);
  auto sink = make_sink(inner);
  EXPECT_EQ(sink->resume_offset(kTopic, 0), 2) << "2-4 are only in Kafka";
  sink->pump();
  EXPECT_TRUE(inner.seen().empty()) << "the spill waits for 2-4";
  EXPECT_EQ(sink->durable_through(kTopic, 0), -1) << "nothing above the sink's own position";

  feed(*sink, 2, 5);
  EXPECT_EQ(inner.seen(), range(2, 5));
  feed(*sink, 5, 6);  // the first spilled offset, read again: skipped, and the spill may drain
  pump_until_idle(*sink);
  feed(*sink, 6, 11);  // 6-9 skipped, 10 after the drained spill
  EXPECT_EQ(inner.seen(), range(2, 11));

  EXPECT_EQ(sink->durable_through(kTopic, 0), -1);
  inner.set_durable(5);
  EXPECT_EQ(sink->durable_through(kTopic, 0), 10) << "2-4 in the sink, 5-9 in the spill";
}

TEST_F(SpillingSinkTest, ASpillEntirelyBelowTheSinksPositionIsDeleted) {
  previous_life(0, 4);
  FakeSink inner;
  inner.set_resume(4);
  auto sink = make_sink(inner);
  EXPECT_EQ(sink->resume_offset(kTopic, 0), 4);
  EXPECT_EQ(spill_files(), 0u);
  feed(*sink, 4, 5);
  EXPECT_EQ(inner.seen(), range(4, 5));
}

TEST_F(SpillingSinkTest, ADrainedRecordTheSinkRefusesGoesToTheDeadLetterCallback) {
  FakeSink inner;
  inner.invalid(2);
  auto sink = make_sink(inner);
  spill_wanted_ = true;
  feed(*sink, 0, 4);
  spill_wanted_ = false;
  pump_until_idle(*sink);
  EXPECT_EQ(inner.seen(), (std::vector<int64_t>{0, 1, 3}));
  ASSERT_EQ(dead_letters_.size(), 1u);
  EXPECT_EQ(dead_letters_[0].first, 2);
  EXPECT_EQ(dead_letters_[0].second, "no such column");
  inner.make_all_durable();
  sink->pump();
  EXPECT_EQ(sink->spilled_bytes(), 0u);
}

TEST_F(SpillingSinkTest, ARecordTheRuntimeHandsBackAfterAFailedDeadLetterReachesTheSinkAgain) {
  FakeSink inner;
  inner.invalid(1);
  auto sink = make_sink(inner);
  feed(*sink, 0, 1);
  EXPECT_EQ(sink->process(record_at(1)).category, ErrorCategory::kValidation);
  spill_wanted_ = true;
  feed(*sink, 2, 4);
  // The runtime could not produce 1's dead letter, so it processes 1 again: it is
  // not in the spill, and must not be acknowledged as if it were.
  EXPECT_EQ(sink->process(record_at(1)).category, ErrorCategory::kValidation);
}

TEST_F(SpillingSinkTest, ADrainedRecordRefusedForNowIsFedAgainLater) {
  FakeSink inner;
  auto sink = make_sink(inner);
  spill_wanted_ = true;
  feed(*sink, 0, 3);
  spill_wanted_ = false;
  inner.refuse_next(2);
  EXPECT_FALSE(sink->pump());
  EXPECT_FALSE(sink->pump());
  pump_until_idle(*sink);
  EXPECT_EQ(inner.seen(), range(0, 3));
  EXPECT_TRUE(dead_letters_.empty());
}

TEST_F(SpillingSinkTest, AFullSpillHoldsThePartitionWithoutLosingTheRecord) {
  FakeSink inner;
  auto sink = make_sink(inner, /*max_bytes=*/200);
  spill_wanted_ = true;
  int64_t offset = 0;
  Outcome outcome;
  while ((outcome = sink->process(record_at(offset))).ok) ++offset;
  EXPECT_EQ(outcome.category, ErrorCategory::kCircuitOpen)
      << "retried in process with backoff, never sent to a delay topic or the DLQ";
  EXPECT_NE(outcome.message.find("spill full"), std::string::npos) << outcome.message;
  EXPECT_NE(outcome.message.find("degradation.spill_max_bytes"), std::string::npos);
  EXPECT_LE(sink->spilled_bytes(), 200u);

  spill_wanted_ = false;
  pump_until_idle(*sink);
  inner.make_all_durable();
  sink->pump();
  feed(*sink, offset, offset + 1);  // the runtime's retry
  EXPECT_EQ(inner.seen(), range(0, offset + 1));
}

TEST_F(SpillingSinkTest, FlushDrainsTheSpillIntoTheSinkUnlessTheLevelStillWantsIt) {
  FakeSink inner;
  auto sink = make_sink(inner);
  spill_wanted_ = true;
  feed(*sink, 0, 3);
  sink->flush(INT64_MAX);
  EXPECT_TRUE(inner.seen().empty());
  EXPECT_EQ(sink->durable_through(kTopic, 0), 3) << "flush synced the spill";
  spill_wanted_ = false;
  sink->flush(INT64_MAX);
  EXPECT_EQ(inner.seen(), range(0, 3));
  EXPECT_EQ(sink->spilled_bytes(), 0u);
}

TEST_F(SpillingSinkTest, WithItsDrainThreadRunningTheSinkStillSeesEveryOffsetOnceInOrder) {
  FakeSink inner;
  auto sink = make_sink(inner, 1 << 20, /*drain_thread=*/true);
  constexpr int64_t kRecords = 3000;
  for (int64_t o = 0; o < kRecords; ++o) {
    spill_wanted_ = (o / 250) % 2 == 1;  // AGGRESSIVE for every other 250 records
    feed(*sink, o, o + 1);
  }
  spill_wanted_ = false;
  ASSERT_TRUE(wait_until([&] { return inner.seen().size() >= size_t(kRecords); }))
      << "drained " << inner.seen().size() << " of " << kRecords;
  EXPECT_EQ(inner.seen(), range(0, kRecords));
  inner.make_all_durable();
  EXPECT_TRUE(wait_until([&] { return sink->spilled_bytes() == 0; }));
  EXPECT_EQ(sink->durable_through(kTopic, 0), kRecords);
}

TEST_F(SpillingSinkTest, ARevokedPartitionsSpillStaysForItsNextOwnerOnThisHost) {
  FakeSink inner;
  auto sink = make_sink(inner);
  EXPECT_EQ(sink->resume_offset(kTopic, 0), -1);
  spill_wanted_ = true;
  feed(*sink, 0, 5);
  sink->release(kTopic, 0);
  EXPECT_GT(spill_files(), 0u);
  EXPECT_EQ(sink->spilled_bytes(), 0u) << "no longer this stage's to count";

  spill_wanted_ = false;
  inner.set_resume(0);
  EXPECT_EQ(sink->resume_offset(kTopic, 0), 5) << "assigned back: 0-4 come from the spill";
  pump_until_idle(*sink);
  EXPECT_EQ(inner.seen(), range(0, 5));
}

TEST_F(SpillingSinkTest, ASpillTornByACrashResumesWhereItsValidRecordsEnd) {
  previous_life(0, 4);
  // kill -9 while writing the entry of offset 3: its bytes are cut short
  std::filesystem::path segment;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_.path()))
    if (e.path().extension() == ".spill") segment = e.path();
  std::filesystem::resize_file(segment, std::filesystem::file_size(segment) - 5);
  FakeSink inner;
  inner.set_resume(0);
  auto sink = make_sink(inner);
  EXPECT_EQ(sink->resume_offset(kTopic, 0), 3) << "3 was never durable: read again from Kafka";
  feed(*sink, 3, 4);
  pump_until_idle(*sink);
  EXPECT_EQ(inner.seen(), range(0, 4));
}

}  // namespace
}  // namespace sluice::pipeline::spill
