// sluice's AdminClient (src/kafka) against the built-in broker: the log offsets
// it reads, and that it gives up, rather than waits for ever, when the broker is
// gone — `sluice up`'s supervisor asks for offsets every second and is also the
// process that restarts a dead broker.
#include "kafka/admin_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "broker_process.h"
#include "kafka_clients.h"

namespace sluice::testing {
namespace {

ProduceOptions one_partition() {
  ProduceOptions opts;
  opts.partitions = 1;
  return opts;
}

TEST(AdminClient, WatermarksAreTheLogStartAndTheNextOffset) {
  BrokerProcess broker({"--default-partitions", "1"});
  produce_messages(broker.bootstrap(), "marks", 50, one_partition());
  kafka::AdminClient admin({broker.bootstrap(), 5000});
  const kafka::Watermarks w = admin.watermarks("marks", 0);
  EXPECT_EQ(w.low, 0);
  EXPECT_EQ(w.high, 50);
}

TEST(AdminClient, WatermarksFailWithinTheTimeoutWhileTheBrokerIsDown) {
  BrokerProcess broker({"--default-partitions", "1"});
  produce_messages(broker.bootstrap(), "down", 10, one_partition());
  kafka::AdminClient admin({broker.bootstrap(), 2000});
  ASSERT_EQ(admin.watermarks("down", 0).high, 10);  // the leader is known from here on

  broker.kill9();
  auto answer = std::async(std::launch::async, [&]() -> std::string {
    try {
      admin.watermarks("down", 0);
      return "an answer from a dead broker";
    } catch (const std::exception& e) {
      return e.what();
    }
  });
  // A bound far above the 2 s timeout: this checks that the call returns at all.
  if (answer.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    broker.start();  // lets the stuck call finish so the test can end
    answer.wait();
    FAIL() << "watermarks() was still waiting 60 s after the broker died (timeout 2 s)";
  }
  const std::string error = answer.get();
  EXPECT_NE(error.find("reading the log offsets of down partition 0"), std::string::npos) << error;
}

}  // namespace
}  // namespace sluice::testing
