// The registry's writer fencing (docs/registry.md, "Several registries, one
// writer") against the built-in broker: a registry that decided a change and
// then froze past its session timeout, while a successor wrote, cannot append
// that stale change when it wakes; once it has read the log again, it can.
#include <gtest/gtest.h>

#include "broker_process.h"
#include "registry/schemas_log.h"

namespace sluice::testing {
namespace {

using registry::RegistryRecord;
using registry::SchemasLog;
using registry::StoreError;

RegistryRecord global_compatibility(avro::Compatibility level) {
  RegistryRecord r;
  r.type = RegistryRecord::Type::kConfig;
  r.compatibility = level;
  return r;
}

avro::Compatibility global_compatibility_of(const SchemasLog& log) {
  avro::Compatibility out{};
  log.read([&](const registry::RegistryState& s) { out = s.compatibility(std::nullopt); });
  return out;
}

TEST(RegistryFencing, AChangeDecidedBeforeASuccessorsAppendIsRefused) {
  BrokerProcess broker({"--default-partitions", "1"});
  const registry::SchemasLogOptions options{{broker.bootstrap(), 10000}, "_schemas_fenced", 10000};
  SchemasLog frozen(options);
  SchemasLog successor(options);

  frozen.catch_up();  // decides from the log as it is now, then freezes
  successor.catch_up();
  successor.append({global_compatibility(avro::Compatibility::kFull)});
  try {
    frozen.append({global_compatibility(avro::Compatibility::kNone)});
    FAIL() << "a change decided before the successor's append was stored";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("another registry wrote"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nothing was stored"), std::string::npos) << e.what();
  }
  frozen.catch_up();
  EXPECT_EQ(global_compatibility_of(frozen), avro::Compatibility::kFull) << "the successor's";

  // Read again, the woken registry decides afresh and may write.
  frozen.append({global_compatibility(avro::Compatibility::kNone)});
  successor.catch_up();
  EXPECT_EQ(global_compatibility_of(successor), avro::Compatibility::kNone);
}

TEST(RegistryFencing, EachAppendIsATransactionTheTailReadsOnce) {
  BrokerProcess broker({"--default-partitions", "1"});
  const registry::SchemasLogOptions options{{broker.bootstrap(), 10000}, "_schemas_txn", 10000};
  SchemasLog log(options);
  for (auto level : {avro::Compatibility::kForward, avro::Compatibility::kBackwardTransitive}) {
    log.catch_up();
    log.append({global_compatibility(level)});
    EXPECT_EQ(global_compatibility_of(log), level);
  }
  // A fresh replay of the topic (markers and all) gives the same state.
  SchemasLog replayed(options);
  EXPECT_EQ(global_compatibility_of(replayed), avro::Compatibility::kBackwardTransitive);
}

}  // namespace
}  // namespace sluice::testing
