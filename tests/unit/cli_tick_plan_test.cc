// The market-tick demo source's plan (cli/demo/tick_plan.h): deterministic,
// BHP the busiest, per-symbol numbering as the docs promise, rejects taking no
// sequence number, and Sydney's offset on both sides of daylight saving.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>

#include "cli/demo/tick_plan.h"

namespace sluice::cli::demo {
namespace {

constexpr int32_t kDec7 = 20'794;  // 2026-12-07

TickOptions options() {
  TickOptions o;
  o.seed = 3;
  o.session_ticks = 500;
  o.first_session_days = kDec7;
  o.bad_share = 0.2;
  o.duplicate_share = 0.02;
  o.disorder_share = 0.02;
  return o;
}

TEST(TickPlan, SameOptionsSameTicks) {
  TickPlan a(options()), b(options());
  for (int i = 0; i < 2000; ++i) {
    const Tick x = a.next(), y = b.next();
    ASSERT_EQ(x.value, y.value);
    ASSERT_EQ(x.expected, y.expected);
  }
}

TEST(TickPlan, BhpIsTenTimesBusierAndNumbersRunPerSymbolAndSession) {
  TickPlan plan(options());
  std::map<std::string, int64_t> ticks;
  std::map<TickCase, int64_t> cases;
  std::map<std::string, int64_t> last_message;
  simdjson::dom::parser parser;
  for (int i = 0; i < 5000; ++i) {
    const Tick t = plan.next();
    ticks[t.key] += 1;
    cases[t.kind] += 1;
    if (t.kind == TickCase::kUndecodable) {
      EXPECT_EQ(t.expected, "quarantine");
      continue;
    }
    simdjson::padded_string padded(t.value);
    simdjson::dom::object o;
    ASSERT_EQ(parser.parse(padded).get_object().get(o), simdjson::SUCCESS) << t.value;
    std::string_view id, ts;
    ASSERT_EQ(o["message_id"].get_string().get(id), simdjson::SUCCESS);
    ASSERT_EQ(o["exchange_timestamp"].get_string().get(ts), simdjson::SUCCESS);
    EXPECT_TRUE(ts.ends_with("+11:00")) << ts;  // December: daylight saving
    const int64_t n = std::stoll(std::string(id.substr(id.rfind('.') + 1)));
    if (t.kind == TickCase::kGood || t.kind == TickCase::kReset) {
      // Message ids go up per symbol, across sessions.
      EXPECT_GT(n, last_message[t.key]) << t.key;
      last_message[t.key] = n;
    }
    if (t.kind == TickCase::kReset) {
      EXPECT_EQ(t.sequence, 1);
    }
    if (t.kind == TickCase::kBadPrice || t.kind == TickCase::kBadVolume) {
      EXPECT_EQ(t.reason, "validation");
    }
  }
  EXPECT_GT(ticks["ASX.BHP"], 5 * ticks["ASX.CBA"]);
  EXPECT_GT(cases[TickCase::kReset], 0);
  EXPECT_GT(cases[TickCase::kOutOfOrder], 0);
  // A held-back tick follows its successor, unless its session ended first.
  EXPECT_LE(cases[TickCase::kOutOfOrder], cases[TickCase::kDisordered]);
}

// Only a price_jump case is ever quarantined as one (the ±0.2 % walk never
// moves 10 %), most of them are, and neither a re-pricing nor a bad print
// quarantines the ticks after it.
TEST(TickPlan, PriceJumpsAreQuarantinedAndOnlyThem) {
  TickPlan plan(options());
  int64_t jumps = 0, quarantined = 0, after_jump = 0, after_jump_rows = 0;
  std::map<std::string, bool> jumped;  // per symbol: its previous tick was a jump case
  for (int i = 0; i < 20000; ++i) {
    const Tick t = plan.next();
    if (t.reason == "price_jump") {
      EXPECT_EQ(t.kind, TickCase::kPriceJump) << tick_manifest_line(t);
      EXPECT_EQ(t.severity, "WARNING");
      quarantined += 1;
    }
    if (t.kind == TickCase::kGood && jumped[t.key]) {
      after_jump += 1;
      after_jump_rows += t.expected == "row" || t.expected == "parked";
    }
    if (t.kind == TickCase::kPriceJump && t.expected != "parked") jumps += 1;
    if (t.kind != TickCase::kBadPrice && t.kind != TickCase::kBadVolume &&
        t.kind != TickCase::kUndecodable)
      jumped[t.key] = t.kind == TickCase::kPriceJump;
  }
  EXPECT_GT(quarantined, jumps / 2) << "of " << jumps;
  EXPECT_GT(after_jump, 20);
  // A good tick after a jump is a row but for the other reasons (hours, its own disorder).
  EXPECT_GT(after_jump_rows, after_jump * 8 / 10) << "of " << after_jump;
}

TEST(TickPlan, WithoutThePriceCheckNoTickIsAPriceJump) {
  TickOptions o = options();
  o.max_price_move = 0;
  TickPlan plan(o);
  for (int i = 0; i < 5000; ++i) EXPECT_NE(plan.next().reason, "price_jump");
}

TEST(TickPlan, SydneyOffset) {
  EXPECT_EQ(sydney_offset_minutes(kDec7), 660);
  EXPECT_EQ(sydney_offset_minutes(20'635), 600);  // 2026-07-01
}

}  // namespace
}  // namespace sluice::cli::demo
