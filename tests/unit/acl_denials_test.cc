// What the broker keeps of refused requests: a count per resource type and
// operation, whatever the log's rate limit let through.
#include <gtest/gtest.h>

#include "broker/acl/denials.h"

namespace sluice::broker::acl {
namespace {

TEST(Denials, AreCountedByResourceTypeAndOperationEvenWhenNotLogged) {
  Denials denials(60'000);  // one log line a minute: only the first is logged
  Requester who{"User:eve", "10.0.0.9"};
  for (int i = 0; i < 3; ++i)
    denials.record("Produce", who, Operation::kWrite, Resource::topic("t"));
  denials.record("JoinGroup", who, Operation::kRead, Resource::group("g\nforged"));
  auto counts = denials.counts();
  EXPECT_EQ((counts[{ResourceType::kTopic, Operation::kWrite}]), 3u);
  EXPECT_EQ((counts[{ResourceType::kGroup, Operation::kRead}]), 1u);
  EXPECT_EQ(counts.size(), 2u);
}

}  // namespace
}  // namespace sluice::broker::acl
