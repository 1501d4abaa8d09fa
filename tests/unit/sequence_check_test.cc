// sequence-check as an operator reads seed 003's rules: per (exchange, symbol)
// a tick is ok, small_gap, large_gap, out_of_order or reset; a repeated
// message_id is a duplicate and goes nowhere; a gap over 100 halts the symbol
// and parks its later ticks until `sluice symbols resume`; and the state
// survives a restart through the checkpoint exactly.
#include "stages/sequence_check/sequence_check.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "common/bytes.h"
#include "ops/metrics.h"
#include "stages/sequence_check/symbol_control.h"

namespace sluice::stages {
namespace {

using pipeline::Outcome;
using pipeline::ProcessorState;
using pipeline::Record;
namespace control = symbol_control;

constexpr int64_t kMinute = 60'000'000;  // in microseconds, the seed's timestamp-micros
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kOpen = 1767607200'000000;  // 2026-01-05T10:00:00Z

pipeline::ProcessorContext context(const std::string& options = "",
                                   ops::MetricsRegistry* metrics = nullptr) {
  pipeline::ProcessorContext c;
  c.stage = "sequence";
  c.processor = "sequence-check";
  c.outputs = {"ticks.checked"};
  c.options = YAML::Load(options);
  c.metrics = metrics;
  return c;
}

std::string tick(const std::string& symbol, int64_t seq, int64_t time_us,
                 const std::string& id = "") {
  return R"({"exchange":"ASX","symbol":")" + symbol + R"(","exchange_sequence_number":)" +
         std::to_string(seq) + R"(,"exchange_timestamp":)" + std::to_string(time_us) +
         R"(,"price":45.1,"volume":100,"message_id":")" +
         (id.empty() ? "ASX." + symbol + "." + std::to_string(seq) : id) + R"("})";
}

// A tick of BHP at `price`, one minute apart per sequence number.
std::string priced(int64_t seq, const std::string& price) {
  std::string t = tick("BHP", seq, kOpen + seq * kMinute);
  return t.replace(t.find("45.1"), 4, price);
}

const std::string* header(const pipeline::OutputRecord& out, const std::string& name) {
  for (const auto& [k, v] : out.headers)
    if (k == name) return &v;
  return nullptr;
}

struct Harness {
  SequenceCheck processor;
  int64_t next_offset = 0;
  int32_t partition = 0;

  explicit Harness(const std::string& options = "", ops::MetricsRegistry* metrics = nullptr)
      : processor(context(options, metrics)) {
    processor.restore("ticks", partition, std::nullopt);
  }

  Outcome send(const std::string& value, pipeline::Headers headers = {},
               std::optional<std::string> key = std::nullopt) {
    Record r;
    r.topic = "ticks";
    r.partition = partition;
    r.offset = next_offset++;
    r.key = key;
    r.value = value;
    r.headers = std::move(headers);
    return processor.process(r);
  }
  // The classification the tick got ("" when nothing was forwarded to the output).
  std::string kind(const std::string& value) {
    const Outcome o = send(value);
    EXPECT_TRUE(o.ok) << o.message;
    for (const auto& out : o.outputs)
      if (out.topic == "ticks.checked") {
        const std::string* k = header(out, control::kClassification);
        return k ? *k : "?";
      }
    return o.outputs.empty() ? "" : "parked:" + o.outputs[0].topic;
  }
  Outcome command(const std::string& key, const std::string& command) {
    const auto rec = control::command_record("ticks", partition, key, command, "test");
    return send(rec.value, rec.headers, key);
  }
};

TEST(SequenceCheck, TheNextNumberIsOkAndTheFirstTickOfAKeyIsItsBaseline) {
  Harness h;
  EXPECT_EQ(h.kind(tick("BHP", 500, kOpen)), "ok");
  EXPECT_EQ(h.kind(tick("BHP", 501, kOpen + 1)), "ok");
  EXPECT_EQ(h.kind(tick("CBA", 7, kOpen + 2)), "ok") << "each (exchange, symbol) has its own";
  EXPECT_EQ(h.kind(tick("CBA", 8, kOpen + 3)), "ok");
}

TEST(SequenceCheck, AGapOfUpToTenIsASmallGapWithSeverityWarning) {
  Harness h;
  h.kind(tick("BHP", 100, kOpen));
  const Outcome o = h.send(tick("BHP", 111, kOpen + 1));  // 101..110 missing: 10
  ASSERT_EQ(o.outputs.size(), 1u);
  EXPECT_EQ(*header(o.outputs[0], control::kClassification), "small_gap");
  EXPECT_EQ(*header(o.outputs[0], control::kSeverity), "WARNING");
  EXPECT_EQ(*header(o.outputs[0], control::kGap), "10");
  EXPECT_EQ(*header(o.outputs[0], control::kPrevious), "100");
  EXPECT_EQ(h.kind(tick("BHP", 112, kOpen + 2)), "ok") << "the gap moved the high mark";
}

TEST(SequenceCheck, AGapOverTenIsALargeGapWithSeverityErrorAndDoesNotHaltUpToHundred) {
  Harness h;
  h.kind(tick("BHP", 100, kOpen));
  const Outcome o = h.send(tick("BHP", 112, kOpen + 1));  // 11 missing
  EXPECT_EQ(*header(o.outputs[0], control::kClassification), "large_gap");
  EXPECT_EQ(*header(o.outputs[0], control::kSeverity), "ERROR");
  EXPECT_EQ(h.kind(tick("BHP", 213, kOpen + 2)), "large_gap") << "100 missing: still flowing";
  EXPECT_TRUE(h.processor.halted_keys().empty());
  EXPECT_EQ(h.kind(tick("BHP", 214, kOpen + 3)), "ok");
}

TEST(SequenceCheck, AnOlderNumberIsOutOfOrderWithWarningAndKeepsTheHighMark) {
  Harness h;
  h.kind(tick("BHP", 100, kOpen));
  h.kind(tick("BHP", 105, kOpen + 1));
  const Outcome o = h.send(tick("BHP", 103, kOpen + 2));
  EXPECT_EQ(*header(o.outputs[0], control::kClassification), "out_of_order");
  EXPECT_EQ(*header(o.outputs[0], control::kSeverity), "WARNING");
  EXPECT_EQ(h.kind(tick("BHP", 106, kOpen + 3)), "ok") << "the high mark stayed at 105";
  EXPECT_EQ(h.kind(tick("BHP", 106, kOpen + 4, "ASX.BHP.106b")), "out_of_order")
      << "the same number under another message id";
}

TEST(SequenceCheck, ALowNumberAfterAnHourOfSilenceIsAResetNotOutOfOrder) {
  // The original checked for a reset only when the number jumped forward, so a
  // new session starting at 1 was reported as out_of_order. Here it is a reset.
  Harness h;
  h.kind(tick("BHP", 90000, kOpen));
  const Outcome o = h.send(tick("BHP", 1, kOpen + kHour + kMinute));
  EXPECT_EQ(*header(o.outputs[0], control::kClassification), "reset");
  EXPECT_EQ(header(o.outputs[0], control::kSeverity), nullptr);
  EXPECT_EQ(h.kind(tick("BHP", 2, kOpen + kHour + 2 * kMinute)), "ok")
      << "the reset is the new baseline";
}

TEST(SequenceCheck, AResetNeedsBothTheDropBelowHalfAndTheSilence) {
  Harness h;
  h.kind(tick("BHP", 1000, kOpen));
  EXPECT_EQ(h.kind(tick("BHP", 1, kOpen + 59 * kMinute)), "out_of_order") << "not silent long";
  EXPECT_EQ(h.kind(tick("BHP", 600, kOpen + 2 * kHour)), "out_of_order")
      << "600 is not below half of 1000";
  EXPECT_EQ(h.kind(tick("BHP", 1001, kOpen + 2 * kHour + kMinute)), "ok");
  EXPECT_EQ(h.kind(tick("BHP", 499, kOpen + 3 * kHour + 2 * kMinute)), "reset");
}

TEST(SequenceCheck, TheSilenceIsMeasuredFromTheLatestTickNotALateOne) {
  Harness h;
  h.kind(tick("BHP", 1000, kOpen + 2 * kHour));
  h.kind(tick("BHP", 999, kOpen));  // a late tick with an old time
  EXPECT_EQ(h.kind(tick("BHP", 10, kOpen + 2 * kHour + kMinute)), "out_of_order");
}

TEST(SequenceCheck, ARepeatedMessageIdIsADuplicateAndIsNotForwarded) {
  ops::MetricsRegistry metrics;
  Harness h("", &metrics);
  h.kind(tick("BHP", 100, kOpen));
  const Outcome o = h.send(tick("BHP", 100, kOpen));
  EXPECT_TRUE(o.ok);
  EXPECT_TRUE(o.outputs.empty());
  EXPECT_EQ(h.kind(tick("BHP", 101, kOpen + 1)), "ok") << "the duplicate changed nothing";
  const auto& dups =
      metrics.counter("sluice_sequence_ticks_total", "",
                      {{"stage", "sequence"}, {"kind", "duplicate"}, {"severity", "none"}});
  EXPECT_EQ(dups.value(), 1);
}

TEST(SequenceCheck, TheDedupeWindowForgetsIdsOlderThanItsLengthInTickTime) {
  Harness h("dedupe_window: 1h");
  h.kind(tick("BHP", 100, kOpen));
  h.kind(tick("CBA", 1, kOpen + kHour + kMinute));  // moves the partition's tick time on
  EXPECT_EQ(h.kind(tick("BHP", 100, kOpen + kHour + 2 * kMinute)), "out_of_order")
      << "the first copy left the window, so the repeat is not recognised as a duplicate";
}

TEST(SequenceCheck, AtTheCapTheOldestIdLeavesEarlyAndIsCounted) {
  ops::MetricsRegistry metrics;
  Harness h("dedupe_max_entries: 2", &metrics);
  h.kind(tick("BHP", 1, kOpen));
  h.kind(tick("BHP", 2, kOpen + 1));
  h.kind(tick("BHP", 3, kOpen + 2));  // evicts ASX.BHP.1
  EXPECT_EQ(h.kind(tick("BHP", 3, kOpen + 3)), "") << "still in the window: a duplicate";
  EXPECT_EQ(h.kind(tick("BHP", 1, kOpen + 4)), "out_of_order") << "evicted: not recognised";
  EXPECT_EQ(metrics.counter("sluice_sequence_dedupe_evictions_total", "", {{"stage", "sequence"}})
                .value(),
            2);
}

TEST(SequenceCheck, AGapOverHundredHaltsTheSymbolAndParksItsLaterTicksUntilResume) {
  Harness h;
  h.kind(tick("BHP", 100, kOpen));
  const Outcome o = h.send(tick("BHP", 202, kOpen + 1));  // 101 missing
  ASSERT_EQ(o.outputs.size(), 2u) << "the tick and the symbol's status";
  EXPECT_EQ(*header(o.outputs[0], control::kClassification), "large_gap");
  ASSERT_NE(header(o.outputs[0], control::kHalted), nullptr);
  EXPECT_EQ(o.outputs[1].topic, "ticks.symbols");
  EXPECT_EQ(control::parse_status_json(o.outputs[1].value).halted, true);
  EXPECT_EQ(h.processor.halted_keys(), std::set<std::string>{"ASX.BHP"});

  const Outcome parked = h.send(tick("BHP", 203, kOpen + 2));
  ASSERT_EQ(parked.outputs.size(), 1u);
  EXPECT_EQ(parked.outputs[0].topic, "ticks.parked");
  EXPECT_EQ(*header(parked.outputs[0], control::kClassification), "parked");
  EXPECT_EQ(*header(parked.outputs[0], pipeline::header::kOriginalPartition), "0");
  EXPECT_EQ(h.kind(tick("CBA", 1, kOpen + 3)), "ok") << "other symbols go on";

  const Outcome resumed = h.command("ASX.BHP", "resume");
  ASSERT_EQ(resumed.outputs.size(), 1u);
  EXPECT_FALSE(control::parse_status_json(resumed.outputs[0].value).halted);
  EXPECT_TRUE(h.processor.halted_keys().empty());
  EXPECT_EQ(h.kind(tick("BHP", 203, kOpen + 4)), "ok")
      << "a parked tick replayed after the resume continues from the high mark";
}

TEST(SequenceCheck, AnOperatorHaltParksTicksAndCountsThem) {
  Harness h;
  h.kind(tick("BHP", 1, kOpen));
  const Outcome halted = h.command("ASX.BHP", "halt");
  ASSERT_TRUE(halted.ok);
  EXPECT_EQ(halted.outputs[0].topic, "ticks.symbols");
  EXPECT_EQ(h.kind(tick("BHP", 2, kOpen + 1)), "parked:ticks.parked");
  EXPECT_EQ(h.kind(tick("BHP", 2, kOpen + 1)), "parked:ticks.parked")
      << "parked untouched: not even deduplicated, so a replay sees it whole";
  const auto status = control::parse_status_json(h.command("ASX.BHP", "halt").outputs[0].value);
  EXPECT_EQ(status.parked, 2);
  EXPECT_EQ(status.reason, "test");
}

TEST(SequenceCheck, BadCommandsAndTicksFailAsValidationErrors) {
  Harness h;
  EXPECT_EQ(h.send("{}", {{control::kCommand, "pause"}}, "ASX.BHP").category,
            pipeline::ErrorCategory::kValidation);
  EXPECT_FALSE(h.send("{}", {{control::kCommand, "halt"}}).ok) << "no key";
  const Outcome no_seq = h.send(R"({"exchange":"ASX","symbol":"BHP","message_id":"x",
                                    "exchange_timestamp":1})");
  EXPECT_FALSE(no_seq.ok);
  EXPECT_NE(no_seq.message.find("exchange_sequence_number"), std::string::npos) << no_seq.message;
  EXPECT_FALSE(h.send("not json").ok);
}

TEST(SequenceCheck, IsoTimestampsFromAvroDecodeWorkLikeMicroseconds) {
  Harness h;
  auto iso = [](int64_t seq, const std::string& ts) {
    return R"({"exchange":"ASX","symbol":"BHP","exchange_sequence_number":)" + std::to_string(seq) +
           R"(,"exchange_timestamp":")" + ts + R"(","message_id":"m)" + std::to_string(seq) + "\"}";
  };
  h.kind(iso(5000, "2026-01-05T10:00:00.123456Z"));
  EXPECT_EQ(h.kind(iso(1, "2026-01-05T11:00:00.2Z")), "reset");
}

// A state as a checkpoint stores it: the head under "", each block under its name.
std::map<std::string, std::string> stored(const ProcessorState& state) {
  std::map<std::string, std::string> objects{{"", state.head}};
  for (const pipeline::StateBlock& b : state.blocks) objects[b.name] = b.bytes();
  return objects;
}

TEST(SequenceCheck, StateSurvivesARestartThroughItsCheckpoint) {
  Harness first;
  first.kind(tick("BHP", 100, kOpen));
  first.kind(tick("BHP", 300, kOpen + 1));  // halts BHP
  first.kind(tick("CBA", 7, kOpen + 2));
  const ProcessorState saved = first.processor.snapshot("ticks", 0);

  Harness second;
  second.processor.restore("ticks", 0, saved);
  EXPECT_EQ(second.processor.halted_keys(), std::set<std::string>{"ASX.BHP"});
  EXPECT_EQ(second.kind(tick("CBA", 7, kOpen + 2)), "") << "the dedupe window came back";
  EXPECT_EQ(second.kind(tick("CBA", 8, kOpen + 3)), "ok") << "the high mark came back";
  EXPECT_EQ(second.kind(tick("BHP", 301, kOpen + 4)), "parked:ticks.parked");
  first.kind(tick("CBA", 8, kOpen + 3));
  first.kind(tick("BHP", 301, kOpen + 4));
  EXPECT_EQ(stored(second.processor.snapshot("ticks", 0)),
            stored(first.processor.snapshot("ticks", 0)))
      << "the same records give the same state, restarted or not";
}

TEST(SequenceCheck, ACheckpointOfOtherKeyFieldsOrDamagedBytesIsRefused) {
  Harness h;
  h.kind(tick("BHP", 1, kOpen));
  const ProcessorState saved = h.processor.snapshot("ticks", 0);
  SequenceCheck other(context("key_fields: [symbol]"));
  EXPECT_THROW(other.restore("ticks", 0, saved), SequenceStateError);
  EXPECT_THROW(
      h.processor.restore("ticks", 0, ProcessorState(saved.head.substr(0, saved.head.size() - 3))),
      SequenceStateError);
}

TEST(SequenceCheck, AMoveOverMaxPriceMoveIsAPriceJumpWithWarningAndItsMoveInAHeader) {
  Harness h("max_price_move: 0.10");
  EXPECT_EQ(h.kind(priced(1, "100")), "ok") << "the first price is the baseline";
  EXPECT_EQ(h.kind(priced(2, "110")), "ok") << "10 % exactly is not more than 10 %";
  const Outcome o = h.send(priced(3, "121.5"));
  ASSERT_EQ(o.outputs.size(), 1u);
  EXPECT_EQ(*header(o.outputs[0], control::kClassification), "price_jump");
  EXPECT_EQ(*header(o.outputs[0], control::kSeverity), "WARNING");
  EXPECT_EQ(*header(o.outputs[0], control::kPriceMove), "+10.5% from 110 (over 10%)");
  EXPECT_EQ(h.kind(priced(4, "98.1")), "price_jump") << "down counts as much as up";
}

TEST(SequenceCheck, ALoneBadPrintCostsOneTickAndTheReferenceStays) {
  Harness h("max_price_move: 0.10");
  h.kind(priced(1, "100"));
  EXPECT_EQ(h.kind(priced(2, "150")), "price_jump");
  EXPECT_EQ(h.kind(priced(3, "101")), "ok") << "back near the reference: not a jump back";
  EXPECT_EQ(h.kind(priced(4, "150")), "price_jump") << "the bad print never became the reference";
}

TEST(SequenceCheck, ARepricingCostsOneTickTheNextTickNearTheNewLevelConfirmsIt) {
  Harness h("max_price_move: 0.10");
  h.kind(priced(1, "100"));
  EXPECT_EQ(h.kind(priced(2, "130")), "price_jump");
  EXPECT_EQ(h.kind(priced(3, "131")), "ok") << "confirms 130 as the new level";
  EXPECT_EQ(h.kind(priced(4, "132")), "ok") << "judged against 131 now, not 100";
  EXPECT_EQ(h.kind(priced(5, "100")), "price_jump");
}

TEST(SequenceCheck, ASequenceFlagWinsOverAPriceJumpButThePriceIsStillJudged) {
  Harness h("max_price_move: 0.10");
  h.kind(priced(1, "100"));
  EXPECT_EQ(h.kind(priced(5, "200")), "small_gap") << "one reason per tick";
  EXPECT_EQ(h.kind(priced(6, "201")), "ok") << "the gap tick's price was the candidate level";
}

TEST(SequenceCheck, WithoutMaxPriceMovePricesAreNotReadAtAll) {
  Harness h;
  h.kind(priced(1, "100"));
  EXPECT_EQ(h.kind(priced(2, "300")), "ok");
  EXPECT_EQ(h.kind(priced(3, "\"n/a\"")), "ok");
  Harness checked("max_price_move: 0.10");
  for (const char* bad : {"\"n/a\"", "0", "-3"}) {
    const Outcome o = checked.send(priced(1, bad));
    EXPECT_FALSE(o.ok) << bad;
    EXPECT_EQ(o.category, pipeline::ErrorCategory::kValidation);
    EXPECT_NE(o.message.find("price field 'price'"), std::string::npos) << o.message;
  }
}

TEST(SequenceCheck, TheReferencePriceSurvivesARestartThroughItsCheckpoint) {
  Harness first("max_price_move: 0.10");
  first.kind(priced(1, "100"));
  first.kind(priced(2, "130"));  // the candidate
  Harness second("max_price_move: 0.10");
  second.processor.restore("ticks", 0, first.processor.snapshot("ticks", 0));
  Harness third("max_price_move: 0.10");
  third.processor.restore("ticks", 0, first.processor.snapshot("ticks", 0));
  EXPECT_EQ(second.kind(priced(3, "150")), "price_jump") << "the reference came back";
  EXPECT_EQ(third.kind(priced(3, "131")), "ok") << "the candidate came back";
}

// 5,000 ids, one a second: more than two sealed blocks of 2,048.
std::string id_tick(int64_t seq) {
  return tick("BHP", seq, kOpen + seq * 1'000'000);
}

void send_ids(Harness& h, int64_t from, int64_t to) {
  for (int64_t seq = from; seq < to; ++seq) h.kind(id_tick(seq));
}

TEST(SequenceCheck, TheDedupeWindowIsCheckpointedInSealedBlocksThatNeverChange) {
  Harness h;
  send_ids(h, 1, 5001);
  const ProcessorState first = h.processor.snapshot("ticks", 0);
  ASSERT_EQ(first.blocks.size(), 2u);
  EXPECT_EQ(first.blocks[0].name, "dedupe-0");
  EXPECT_EQ(first.blocks[1].name, "dedupe-1");
  EXPECT_LT(first.head.size(), 1000u * 16) << "the head holds only the 904 ids after the blocks";
  const std::string sealed = first.blocks[1].bytes();

  send_ids(h, 5001, 6001);
  const ProcessorState later = h.processor.snapshot("ticks", 0);
  ASSERT_EQ(later.blocks.size(), 2u) << "6,000 ids: still two sealed blocks and a longer head";
  EXPECT_EQ(later.blocks[1].bytes(), sealed) << "a sealed block's bytes never change";

  Harness restarted;
  restarted.processor.restore("ticks", 0, later);
  EXPECT_EQ(restarted.kind(id_tick(17)), "")
      << "an id from the first block is a duplicate after the restart";
  EXPECT_EQ(restarted.kind(id_tick(6000)), "") << "and so is one from the head";
}

TEST(SequenceCheck, BlocksOfExpiredIdsLeaveTheCheckpointAndAPartlyExpiredOneStillRestores) {
  Harness h("dedupe_window: 40m");  // 2,400 s: ids 1-2599 (numbered 0-2598) leave
  send_ids(h, 1, 5001);
  const ProcessorState state = h.processor.snapshot("ticks", 0);
  ASSERT_EQ(state.blocks.size(), 1u) << "ids 0-2047 all expired";
  EXPECT_EQ(state.blocks[0].name, "dedupe-1");

  Harness restarted("dedupe_window: 40m");
  restarted.processor.restore("ticks", 0, state);
  EXPECT_EQ(restarted.kind(id_tick(3000)), "") << "in the window, in the partly expired block";
  EXPECT_EQ(restarted.kind(id_tick(2500)), "out_of_order") << "expired: no longer a duplicate";
  send_ids(restarted, 5001, 5100);
  h.kind(id_tick(3000));
  h.kind(id_tick(2500));
  send_ids(h, 5001, 5100);
  EXPECT_EQ(stored(restarted.processor.snapshot("ticks", 0)),
            stored(h.processor.snapshot("ticks", 0)));
}

TEST(SequenceCheck, AVersionOneCheckpointIsReadWithNoPricesYet) {
  Bytes bytes;
  ByteWriter w(bytes);
  auto text = [&](const std::string& s) {
    w.u32(uint32_t(s.size()));
    w.raw(std::string_view(s));
  };
  w.i8(1);  // version 1: no price fields
  text("exchange.symbol");
  w.u32(1);
  text("ASX.BHP");
  w.i8(1);  // seen
  w.i64(7);
  w.i64(kOpen / 1000);
  w.i64(0);
  text("");
  w.i64(kOpen / 1000);
  w.u32(0);
  Harness h("max_price_move: 0.10");
  h.processor.restore("ticks", 0, std::string(bytes.begin(), bytes.end()));
  EXPECT_EQ(h.kind(priced(8, "100")), "ok") << "the high mark came back; 100 is the baseline";
  EXPECT_EQ(h.kind(priced(9, "200")), "price_jump");
}

TEST(SequenceCheck, OptionsAreCheckedWithTheSeedsDefaults) {
  EXPECT_THROW(SequenceCheck(context("max_price_move: 0")), pipeline::OptionError);
  EXPECT_THROW(SequenceCheck(context("max_price_move: 10%")), pipeline::OptionError);
  EXPECT_THROW(SequenceCheck(context("gap_threshold: ten")), pipeline::OptionError);
  EXPECT_THROW(SequenceCheck(context("gap_threshold: 50\nhalt_gap: 20")), pipeline::OptionError);
  EXPECT_THROW(SequenceCheck(context("reset_ratio: 2")), pipeline::OptionError);
  EXPECT_THROW(SequenceCheck(context("time_unit: ns")), pipeline::OptionError);
  const SequenceOptions o = read_sequence_options(context());
  EXPECT_EQ(o.thresholds.gap_threshold, 10);
  EXPECT_EQ(o.thresholds.halt_gap, 100);
  EXPECT_EQ(o.thresholds.reset_after_ms, 3600000);
  EXPECT_EQ(o.dedupe_window_ms, 24 * 3600000LL);
  EXPECT_EQ(o.max_price_move, 0) << "off unless asked for";
  EXPECT_EQ(read_sequence_options(context("max_price_move: 0.10")).max_price_move, 0.10);
}

}  // namespace
}  // namespace sluice::stages
