// Topic settings by their Kafka names: what is accepted, what is refused and
// how a refusal reads, since admin clients show these messages to people.
#include <gtest/gtest.h>

#include "broker/storage/log_config.h"

namespace sluice::broker {
namespace {

// The error for key=value, or "" when it was accepted.
std::string refusal(LogConfig& config, const std::string& key, const std::string& value) {
  return apply_config(config, key, value).value_or("");
}

TEST(LogConfig, DefaultsAreKafkasDefaults) {
  auto m = config_to_map(LogConfig{});
  EXPECT_EQ(m.at("retention.ms"), "604800000");
  EXPECT_EQ(m.at("retention.bytes"), "-1");
  EXPECT_EQ(m.at("segment.bytes"), "1073741824");
  EXPECT_EQ(m.at("max.message.bytes"), "1048588");
  EXPECT_EQ(m.at("cleanup.policy"), "delete");
  EXPECT_EQ(m.at("segment.ms"), "604800000");
  EXPECT_EQ(m.at("delete.retention.ms"), "86400000");
  EXPECT_EQ(m.at("min.cleanable.dirty.ratio"), "0.5");
  EXPECT_EQ(m.at("message.timestamp.type"), "CreateTime");
  EXPECT_EQ(m.at("message.timestamp.after.max.ms"), "9223372036854775807");
  EXPECT_EQ(m.at("compression.type"), "producer");
  EXPECT_EQ(m.at("min.insync.replicas"), "1");
  EXPECT_EQ(m.at("unclean.leader.election.enable"), "false");
  EXPECT_EQ(m.size(), topic_config_defs().size()) << "exactly the table's settings are reported";
}

TEST(LogConfig, EveryTableRowReadsBackWhatItShows) {
  // Showing a config and applying the shown text must be a fixed point, or a
  // describe-then-alter round trip would change the topic.
  for (const ConfigDef& def : topic_config_defs()) {
    LogConfig c;
    const std::string shown = config_to_map(c).at(def.name);
    EXPECT_EQ(refusal(c, def.name, shown), "") << def.name;
    EXPECT_EQ(config_to_map(c).at(def.name), shown) << def.name;
    EXPECT_EQ(find_by_broker_synonym(def.broker_synonym), find_topic_config(def.name)) << def.name;
  }
}

TEST(LogConfig, TheNewerSettingsAreValidatedByType) {
  LogConfig c;
  EXPECT_EQ(refusal(c, "message.timestamp.type", "LogAppendTime"), "");
  EXPECT_EQ(c.timestamp_type, TimestampType::kLogAppendTime);
  EXPECT_NE(refusal(c, "message.timestamp.type", "AppendTime"), "");
  EXPECT_EQ(refusal(c, "min.cleanable.dirty.ratio", "0.25"), "");
  EXPECT_DOUBLE_EQ(c.min_cleanable_dirty_ratio, 0.25);
  EXPECT_NE(refusal(c, "min.cleanable.dirty.ratio", "1.5"), "");
  EXPECT_NE(refusal(c, "min.cleanable.dirty.ratio", "nan"), "");
  EXPECT_EQ(refusal(c, "compression.type", "zstd"), "");
  EXPECT_NE(refusal(c, "compression.type", "brotli"), "");
  EXPECT_EQ(refusal(c, "unclean.leader.election.enable", "true"), "");
  EXPECT_NE(refusal(c, "preallocate", "yes"), "");
  EXPECT_NE(refusal(c, "segment.ms", "0"), "");
  EXPECT_NE(refusal(c, "cleanup.policy", "compact,"), "") << "an empty list item";
  EXPECT_EQ(find_by_broker_synonym("log.retention.ms")->name, std::string("retention.ms"));
  EXPECT_EQ(find_by_broker_synonym("retention.ms"), nullptr);
}

TEST(LogConfig, EverySupportedSettingIsAppliedAndReportedBackUnderItsName) {
  LogConfig c;
  EXPECT_EQ(refusal(c, "retention.ms", "-1"), "");
  EXPECT_EQ(refusal(c, "retention.bytes", "1048576"), "");
  EXPECT_EQ(refusal(c, "segment.bytes", "1024"), "") << "small segments are allowed, for tests";
  EXPECT_EQ(refusal(c, "max.message.bytes", "2000000"), "");
  EXPECT_EQ(refusal(c, "cleanup.policy", "compact"), "")
      << "compact is stored and reported, not enforced";
  EXPECT_EQ(c.retention_ms, -1);
  EXPECT_EQ(c.retention_bytes, 1048576);
  EXPECT_EQ(c.segment_bytes, 1024);
  EXPECT_EQ(c.max_message_bytes, 2000000);
  auto m = config_to_map(c);
  EXPECT_EQ(m.at("retention.ms"), "-1");
  EXPECT_EQ(m.at("retention.bytes"), "1048576");
  EXPECT_EQ(m.at("segment.bytes"), "1024");
  EXPECT_EQ(m.at("max.message.bytes"), "2000000");
  EXPECT_EQ(m.at("cleanup.policy"), "compact");
}

TEST(LogConfig, ARefusalNamesTheSettingTheValueAndWhatIsAllowed) {
  LogConfig c;
  std::string why = refusal(c, "retention.ms", "abc");
  EXPECT_NE(why.find("retention.ms"), std::string::npos) << why;
  EXPECT_NE(why.find("'abc'"), std::string::npos) << why;
  EXPECT_NE(why.find(">= -1"), std::string::npos) << why;
}

TEST(LogConfig, OutOfRangeAndMalformedNumbersAreRefused) {
  LogConfig c;
  EXPECT_NE(refusal(c, "retention.ms", "-2"), "");
  EXPECT_NE(refusal(c, "retention.bytes", "-2"), "");
  EXPECT_NE(refusal(c, "segment.bytes", "1023"), "");
  EXPECT_NE(refusal(c, "segment.bytes", "2147483648"), "");
  EXPECT_NE(refusal(c, "max.message.bytes", "-1"), "");
  EXPECT_NE(refusal(c, "retention.ms", "12abc"), "") << "trailing garbage is not a number";
  EXPECT_NE(refusal(c, "retention.ms", ""), "");
  EXPECT_NE(refusal(c, "retention.ms", "99999999999999999999"), "") << "beyond int64";
  EXPECT_NE(refusal(c, "cleanup.policy", "banana"), "");
}

TEST(LogConfig, BothCleanupPoliciesTogetherAreAccepted) {
  LogConfig c;
  EXPECT_EQ(refusal(c, "cleanup.policy", "compact,delete"), "");
  EXPECT_EQ(refusal(c, "cleanup.policy", "delete,compact"), "");
}

TEST(LogConfig, ARefusedValueLeavesTheConfigUnchanged) {
  LogConfig c;
  c.retention_ms = 5000;
  EXPECT_NE(refusal(c, "retention.ms", "soon"), "");
  EXPECT_EQ(c.retention_ms, 5000);
}

TEST(LogConfig, UnknownSettingsAreRefusedListingTheSupportedOnes) {
  LogConfig c;
  std::string why = refusal(c, "retention.hours", "1");
  EXPECT_NE(why.find("'retention.hours'"), std::string::npos) << why;
  for (const char* name : {"retention.ms", "retention.bytes", "segment.bytes", "max.message.bytes",
                           "cleanup.policy"}) {
    EXPECT_NE(why.find(name), std::string::npos)
        << "the message should list " << name << ": " << why;
  }
}

}  // namespace
}  // namespace sluice::broker
