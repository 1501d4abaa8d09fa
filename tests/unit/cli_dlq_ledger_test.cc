// The DLQ replay ledger's own rules, without a broker: where the ledger lives,
// the exact value it writes (older and newer sluice versions read each other's
// entries), and that a damaged value still counts as replayed — a ledger entry
// that cannot be read must never cause a second replay.
#include <gtest/gtest.h>

#include <string>

#include "cli/dlq/dlq_ledger.h"

namespace sluice::cli {
namespace {

void expect_entry(const LedgerEntry& actual, const LedgerEntry& expected) {
  EXPECT_EQ(actual.replayed_at, expected.replayed_at);
  EXPECT_EQ(actual.to_topic, expected.to_topic);
  EXPECT_EQ(actual.trace_id, expected.trace_id);
}

const LedgerEntry kUnknown{"unknown", "unknown", "unknown"};

TEST(CliDlqLedger, LivesBesideItsDlqTopicWithTheReplaysSuffix) {
  EXPECT_EQ(ReplayLedger::topic_for("claims.events.dlq"), "claims.events.dlq.replays");
  EXPECT_EQ(ReplayLedger::topic_for("tasks-dlq"), "tasks-dlq.replays");
}

TEST(CliDlqLedger, WritesOneJsonObjectWithTheThreeFieldsInAFixedOrder) {
  const LedgerEntry entry{"2026-11-22T10:00:00.250Z", "claims.events", "trace-7"};
  EXPECT_EQ(ReplayLedger::to_json(entry),
            "{\"replayed_at\":\"2026-11-22T10:00:00.250Z\",\"to_topic\":\"claims.events\","
            "\"trace_id\":\"trace-7\"}");
}

TEST(CliDlqLedger, ReadsBackWhatItWrote) {
  const LedgerEntry entry{"2026-11-22T10:00:00.250Z", "claims.events", "trace-7"};
  expect_entry(ReplayLedger::from_json(ReplayLedger::to_json(entry)), entry);
}

TEST(CliDlqLedger, TraceIdsAreFreeTextAndSurviveTheRoundTripEscaped) {
  // A trace id comes from the record's header, chosen by whoever produced it.
  const LedgerEntry entry{"2026-11-22T10:00:00Z", "to \"quoted\" topic",
                          "line\nbreak\ttab \\ back slash \x01 control, caf\xc3\xa9"};
  const std::string text = ReplayLedger::to_json(entry);
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x01'), std::string::npos) << text;
  expect_entry(ReplayLedger::from_json(text), entry);
}

TEST(CliDlqLedger, AValueThatIsNotAJsonObjectStillMeansReplayed) {
  for (const std::string text : {"", "not json", "[1,2,3]", "\"a string\"", "{\"replayed_at\":"}) {
    SCOPED_TRACE(text);
    expect_entry(ReplayLedger::from_json(text), kUnknown);
  }
}

TEST(CliDlqLedger, AMissingOrNonStringFieldReadsAsUnknownAndTheOthersAreKept) {
  expect_entry(ReplayLedger::from_json("{\"to_topic\":\"claims.events\",\"trace_id\":7}"),
               {"unknown", "claims.events", "unknown"});
  expect_entry(ReplayLedger::from_json("{}"), kUnknown);
}

}  // namespace
}  // namespace sluice::cli
