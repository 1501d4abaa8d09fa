// `sluice broker check` (runbook: broker connectivity check): can this cluster —
// any Kafka, not only ours — be reached, and what does it say about itself? Exit
// 0 when it answers; otherwise main prints the "cannot reach …" sentence, exit 1.
#include <chrono>
#include <cstdio>

#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/table.h"
#include "common/json.h"
#include "kafka/admin_client.h"

namespace sluice::cli {

namespace {

void print_json(const KafkaFlags& flags, const kafka::ClusterInfo& info, double round_trip_ms) {
  json::JsonWriter w;
  w.begin_object().field("bootstrap", flags.bootstrap).field("round_trip_ms", round_trip_ms);
  w.field("cluster_id", info.cluster_id).field("controller", int64_t(info.controller));
  w.field("topics", int64_t(info.topics.size())).key("brokers").begin_array();
  for (const auto& b : info.brokers)
    w.begin_object().field("id", int64_t(b.id)).field("address", b.address).end_object();
  std::printf("%s\n", w.end_array().end_object().str().c_str());
}

}  // namespace

int run_broker_check(const KafkaFlags& flags, bool as_json) {
  kafka::AdminClient admin(flags.endpoint());  // connects, or throws saying why not
  const auto start = std::chrono::steady_clock::now();
  const kafka::ClusterInfo info = admin.cluster();
  const std::chrono::duration<double, std::milli> round_trip =
      std::chrono::steady_clock::now() - start;
  if (as_json) {
    print_json(flags, info, round_trip.count());
    return 0;
  }
  std::printf("OK: %s answered a metadata request in %.1f ms\n", flags.bootstrap.c_str(),
              round_trip.count());
  std::printf("cluster id: %s\ncontroller: %d\ntopics: %zu\n", cell(info.cluster_id).c_str(),
              info.controller, info.topics.size());
  Table brokers({"BROKER", "ADDRESS"});
  for (const auto& b : info.brokers) brokers.add({std::to_string(b.id), b.address});
  brokers.print();
  return 0;
}

}  // namespace sluice::cli
