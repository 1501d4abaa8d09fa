// What a stage's consumer asks librdkafka for (kafka/stage_clients.h): its
// group, its prefetch bounded by the stage's own buffer, and the stage's
// queue.fetch_min_bytes as fetch.min.bytes; and its producer's queue.linger as
// linger.ms.
#include "kafka/stage_clients.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::kafka {
namespace {

std::string setting(const ClientOptions& options, const std::string& key) {
  for (const auto& [k, v] : options.settings)
    if (k == key) return v;
  return "(unset)";
}

TEST(StageClients, TheConsumerJoinsTheStagesGroupAsTheStage) {
  const ClientOptions c = stage_consumer_options({"127.0.0.1:9092", "check", "market-ticks.check"});
  EXPECT_EQ(c.bootstrap, "127.0.0.1:9092");
  EXPECT_EQ(c.client_id, "sluice-check");
  EXPECT_EQ(setting(c, "group.id"), "market-ticks.check");
  EXPECT_EQ(setting(c, "enable.partition.eof"), "false");
}

TEST(StageClients, FetchMinBytesIsKafkasOneByteUnlessTheStageSetsIt) {
  StageClientSpec spec{"127.0.0.1:9092", "check", "g"};
  EXPECT_EQ(setting(stage_consumer_options(spec), "fetch.min.bytes"), "1");
  spec.fetch_min_bytes = 65536;
  EXPECT_EQ(setting(stage_consumer_options(spec), "fetch.min.bytes"), "65536");
  EXPECT_EQ(setting(stage_consumer_options(spec), "fetch.wait.max.ms"), "100")
      << "the longest a Fetch waits for those bytes";
}

TEST(StageClients, TheProducerLingersFiveMillisecondsUnlessTheStageSaysOtherwise) {
  StageClientSpec spec{"127.0.0.1:9092", "check", "g"};
  EXPECT_EQ(setting(stage_producer_options(spec), "linger.ms"), "5");
  spec.linger_ms = 25;
  EXPECT_EQ(setting(stage_producer_options(spec), "linger.ms"), "25");
  EXPECT_EQ(stage_producer_options(spec).client_id, "sluice-check");
}

TEST(StageClients, PrefetchIsBoundedByTheStagesBufferInKibibytes) {
  StageClientSpec spec{"127.0.0.1:9092", "check", "g"};
  spec.max_buffered_bytes = int64_t(256) << 20;
  EXPECT_EQ(setting(stage_consumer_options(spec), "queued.max.messages.kbytes"), "262144");
  spec.max_buffered_bytes = 1000;
  EXPECT_EQ(setting(stage_consumer_options(spec), "queued.max.messages.kbytes"), "1024")
      << "at least 1 MiB, so a tiny buffer still prefetches whole batches";
}

}  // namespace
}  // namespace sluice::kafka
