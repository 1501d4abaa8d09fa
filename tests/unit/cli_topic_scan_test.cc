// Topic scans against a real `sluice broker` child process (nothing mocked):
// a scan reads every partition in offset order up to the end it saw when it
// began; a resumed scan reads only the records appended since, and nothing when
// nothing was; a topic that does not exist is refused by name.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/support/topic_scan.h"
#include "integration/broker_process.h"
#include "integration/kafka_clients.h"

namespace sluice::cli {
namespace {

using testing::BrokerProcess;

testing::ProduceOptions three_partitions() {
  testing::ProduceOptions opts;
  opts.partitions = 3;
  return opts;
}

// partition -> the (offset, value) pairs read, in the order read.
using Read = std::map<int32_t, std::vector<std::pair<int64_t, std::string>>>;

ScanSpans scan(kafka::AdminClient& admin, const std::string& topic, const ScanSpans& earlier,
               Read& read) {
  return scan_topic_from(admin, topic, std::nullopt, earlier, [&](ScannedRecord&& r) {
    EXPECT_EQ(r.topic, topic);
    read[r.partition].emplace_back(r.offset, r.value);
  });
}

TEST(CliTopicScan, AScanReadsEveryPartitionInOffsetOrderUpToItsEnd) {
  BrokerProcess broker({"--default-partitions", "3"});
  testing::produce_messages(broker.bootstrap(), "scanned", 12, three_partitions(), "a");
  kafka::AdminClient admin({broker.bootstrap(), 10000});
  Read read;
  const ScanSpans spans = scan(admin, "scanned", {}, read);
  ASSERT_EQ(read.size(), 3u);
  for (int32_t p = 0; p < 3; ++p) {
    ASSERT_EQ(read[p].size(), 4u) << "partition " << p;
    for (int64_t i = 0; i < 4; ++i) {
      EXPECT_EQ(read[p][size_t(i)].first, i);
      // Messages go round-robin: message n is on partition n % 3.
      EXPECT_EQ(read[p][size_t(i)].second, "a-" + std::to_string(i * 3 + p));
    }
    EXPECT_EQ(spans.at(p).start, 0);
    EXPECT_EQ(spans.at(p).end, 4);
  }
}

TEST(CliTopicScan, AResumedScanReadsOnlyWhatWasAppendedSince) {
  BrokerProcess broker({"--default-partitions", "3"});
  testing::produce_messages(broker.bootstrap(), "resumed", 9, three_partitions(), "old");
  kafka::AdminClient admin({broker.bootstrap(), 10000});
  Read first;
  const ScanSpans spans = scan(admin, "resumed", {}, first);

  Read nothing;
  const ScanSpans same = scan(admin, "resumed", spans, nothing);
  EXPECT_TRUE(nothing.empty());
  EXPECT_EQ(same.at(0).end, 3);

  testing::produce_messages(broker.bootstrap(), "resumed", 6, three_partitions(), "new");
  Read fresh;
  const ScanSpans after = scan(admin, "resumed", same, fresh);
  ASSERT_EQ(fresh.size(), 3u);
  for (int32_t p = 0; p < 3; ++p) {
    ASSERT_EQ(fresh[p].size(), 2u) << "partition " << p;
    EXPECT_EQ(fresh[p][0].first, 3);
    EXPECT_EQ(fresh[p][1].first, 4);
    EXPECT_EQ(fresh[p][0].second.substr(0, 4), "new-");
    EXPECT_EQ(after.at(p).start, 0);
    EXPECT_EQ(after.at(p).end, 5);
  }
}

TEST(CliTopicScan, ATopicThatDoesNotExistIsRefusedByName) {
  BrokerProcess broker({"--default-partitions", "1"});
  kafka::AdminClient admin({broker.bootstrap(), 10000});
  Read read;
  try {
    scan(admin, "no-such-topic", {}, read);
    FAIL() << "scanning a missing topic must throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'no-such-topic' does not exist"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace sluice::cli
