// AlterConfigs and IncrementalAlterConfigs through the broker's own handler
// table: what kafka-configs --alter and the admin clients send, for topics and
// for the broker's dynamic topic defaults, and what DescribeConfigs then says.
#include <gtest/gtest.h>

#include <fstream>

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/admin.h"
#include "broker/protocol/messages/alter_configs.h"
#include "handler_call.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;
using Incremental = protocol::IncrementalAlterConfigsRequest;

class AlterConfigs : public ::testing::Test, protected sluice::testing::BrokerHarness {
 protected:
  AlterConfigs() : BrokerHarness("broker-alter-configs") {
    ctx.broker_defaults = &defaults;
    topics.create_topic("orders", 1, {{"retention.ms", "5000"}});
  }

  protocol::AlterConfigsResponse::Result incremental(int8_t type, std::string name,
                                                     std::vector<Incremental::Config> configs,
                                                     bool validate_only = false,
                                                     int16_t version = 1) {
    Incremental in;
    in.resources.push_back({type, std::move(name), std::move(configs)});
    in.validate_only = validate_only;
    auto resp = call<protocol::AlterConfigsResponse>(in, version);
    EXPECT_EQ(resp.responses.size(), 1u);
    return resp.responses.empty() ? protocol::AlterConfigsResponse::Result{} : resp.responses[0];
  }
  protocol::AlterConfigsResponse::Result topic(std::vector<Incremental::Config> configs,
                                               bool validate_only = false) {
    return incremental(protocol::kTopicResource, "orders", std::move(configs), validate_only);
  }
  std::map<std::string, std::string> overrides() { return topics.describe("orders")->overrides; }

  // name -> {value, source} of a DescribeConfigs answer for one resource.
  std::map<std::string, std::pair<std::string, int8_t>> described(int8_t type, std::string name) {
    protocol::DescribeConfigsRequest in;
    in.resources.push_back({type, std::move(name), std::nullopt});
    in.include_synonyms = true;
    auto resp = call<protocol::DescribeConfigsResponse>(in, 3);
    std::map<std::string, std::pair<std::string, int8_t>> out;
    for (const auto& c : resp.results.at(0).configs) out[c.name] = {*c.value, c.config_source};
    return out;
  }

  BrokerDefaults defaults{dir.path(), LogConfig{}};
};

TEST_F(AlterConfigs, SetAndDeleteChangeOnlyTheNamedTopicSettings) {
  auto r = topic({{"segment.bytes", Incremental::kSet, "2000000"},
                  {"retention.ms", Incremental::kDelete, std::nullopt}});
  EXPECT_EQ(r.error_code, 0) << r.error_message.value_or("");
  EXPECT_EQ(overrides(), (std::map<std::string, std::string>{{"segment.bytes", "2000000"}}));
  EXPECT_EQ(topics.partition("orders", 0)->config().segment_bytes, 2000000)
      << "the partitions take the new setting at once";
  EXPECT_EQ(topics.describe("orders")->config.retention_ms, LogConfig{}.retention_ms);
}

TEST_F(AlterConfigs, AppendAndSubtractEditAListSettingsItems) {
  EXPECT_EQ(topic({{"cleanup.policy", Incremental::kAppend, "compact"}}).error_code, 0);
  EXPECT_EQ(overrides().at("cleanup.policy"), "delete,compact")
      << "appended to the value in force, the default 'delete'";
  EXPECT_EQ(topic({{"cleanup.policy", Incremental::kAppend, "compact"}}).error_code, 0);
  EXPECT_EQ(overrides().at("cleanup.policy"), "delete,compact") << "an item is never doubled";
  EXPECT_EQ(topic({{"cleanup.policy", Incremental::kSubtract, "delete"}}).error_code, 0);
  EXPECT_EQ(overrides().at("cleanup.policy"), "compact");
  auto r = topic({{"retention.ms", Incremental::kAppend, "5"}});
  EXPECT_EQ(r.error_code, code(ErrorCode::kInvalidConfig));
  EXPECT_NE(r.error_message->find("'retention.ms' is not one"), std::string::npos)
      << *r.error_message;
}

TEST_F(AlterConfigs, ARefusedResourceChangesNothingAndSaysWhy) {
  auto r = topic({{"segment.bytes", Incremental::kSet, "2000000"},
                  {"retention.ms", Incremental::kSet, "soon"}});
  EXPECT_EQ(r.error_code, code(ErrorCode::kInvalidConfig));
  EXPECT_NE(r.error_message->find("'soon'"), std::string::npos) << *r.error_message;
  EXPECT_EQ(topic({{"no.such.config", Incremental::kSet, "1"}}).error_code,
            code(ErrorCode::kInvalidConfig));
  EXPECT_EQ(
      topic({{"retention.ms", Incremental::kSet, "1"}, {"retention.ms", Incremental::kSet, "2"}})
          .error_code,
      code(ErrorCode::kInvalidConfig))
      << "a setting listed twice";
  EXPECT_EQ(topic({{"retention.ms", int8_t(9), "1"}}).error_code, code(ErrorCode::kInvalidConfig));
  EXPECT_EQ(topic({{"retention.ms", Incremental::kSet, "1"}}, true).error_code, 0);
  EXPECT_EQ(overrides(), (std::map<std::string, std::string>{{"retention.ms", "5000"}}))
      << "refused and validate-only requests change nothing";
  EXPECT_EQ(incremental(protocol::kTopicResource, "nope", {}).error_code,
            code(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(incremental(8, "0", {}).error_code, code(ErrorCode::kInvalidRequest))
      << "broker loggers have no settings here";
}

TEST_F(AlterConfigs, TheLegacyApiReplacesTheWholeSetOfOverrides) {
  protocol::AlterConfigsRequest in;
  in.resources.push_back({protocol::kTopicResource, "orders", {{"segment.bytes", 0, "3000000"}}});
  for (int16_t version : {0, 2}) {
    auto resp = call<protocol::AlterConfigsResponse>(in, version);
    ASSERT_EQ(resp.responses.size(), 1u);
    EXPECT_EQ(resp.responses[0].error_code, 0) << "v" << version;
    EXPECT_EQ(overrides(), (std::map<std::string, std::string>{{"segment.bytes", "3000000"}}))
        << "retention.ms, not listed, went back to its default (v" << version << ")";
  }
}

TEST_F(AlterConfigs, BrokerDefaultsReachEveryTopicWithoutItsOwnSettingAndSurviveARestart) {
  auto r = incremental(protocol::kBrokerResource, "0",
                       {{"log.retention.ms", Incremental::kSet, "7000"},
                        {"log.segment.bytes", Incremental::kSet, "4000000"}});
  EXPECT_EQ(r.error_code, 0) << r.error_message.value_or("");
  EXPECT_EQ(topics.describe("orders")->config.retention_ms, 5000) << "its own setting wins";
  EXPECT_EQ(topics.describe("orders")->config.segment_bytes, 4000000);
  EXPECT_EQ(topics.partition("orders", 0)->config().segment_bytes, 4000000);

  auto topic_configs = described(protocol::kTopicResource, "orders");
  EXPECT_EQ(topic_configs.at("retention.ms"),
            std::make_pair(std::string("5000"), protocol::DescribeConfigsResponse::kTopicConfig));
  EXPECT_EQ(topic_configs.at("segment.bytes"),
            std::make_pair(std::string("4000000"),
                           protocol::DescribeConfigsResponse::kDynamicBrokerConfig));
  EXPECT_EQ(topic_configs.at("cleanup.policy").second,
            protocol::DescribeConfigsResponse::kDefaultConfig);
  auto broker_configs = described(protocol::kBrokerResource, "0");
  EXPECT_EQ(broker_configs.at("log.retention.ms").first, "7000");
  EXPECT_EQ(broker_configs.count("retention.ms"), 0u) << "the broker reports broker names";

  BrokerDefaults reloaded(dir.path(), LogConfig{});
  EXPECT_EQ(reloaded.dynamic(),
            (std::map<std::string, std::string>{{"log.retention.ms", "7000"},
                                                {"log.segment.bytes", "4000000"}}));
  EXPECT_EQ(reloaded.effective().retention_ms, 7000);
}

TEST_F(AlterConfigs, BrokerSettingsThatCannotChangeAtRunTimeAreNamed) {
  auto r = incremental(protocol::kBrokerResource, "", {{"num.io.threads", Incremental::kSet, "4"}});
  EXPECT_EQ(r.error_code, code(ErrorCode::kInvalidConfig));
  EXPECT_NE(r.error_message->find("'num.io.threads' cannot be changed"), std::string::npos)
      << *r.error_message;
  EXPECT_EQ(incremental(protocol::kBrokerResource, "3", {}).error_code,
            code(ErrorCode::kInvalidRequest))
      << "not this node";
  EXPECT_TRUE(defaults.dynamic().empty());
}

TEST_F(AlterConfigs, AnUnreadableLineInTheBrokerFileIsSkippedNotFatal) {
  {
    std::ofstream out(dir.path() / "broker-configs.conf");
    out << "# a comment\nlog.retention.ms=9000\nnot a setting\nlog.retention.bytes=lots\n";
  }
  BrokerDefaults loaded(dir.path(), LogConfig{});
  EXPECT_EQ(loaded.dynamic(), (std::map<std::string, std::string>{{"log.retention.ms", "9000"}}));
}

}  // namespace
}  // namespace sluice::broker
