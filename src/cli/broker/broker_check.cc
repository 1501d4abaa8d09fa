// `sluice broker check` (runbook: broker connectivity check): can this cluster —
// any Kafka, not only ours — be reached, and what does it say about itself? Exit
// 0 when it answers; otherwise main prints the "cannot reach …" sentence, exit 1.
#include <chrono>
#include <cstdio>

#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/table.h"
#include "kafka/admin_client.h"

namespace sluice::cli {

int run_broker_check(const KafkaFlags& flags) {
  kafka::AdminClient admin(flags.endpoint());  // connects, or throws saying why not
  const auto start = std::chrono::steady_clock::now();
  const kafka::ClusterInfo info = admin.cluster();
  const std::chrono::duration<double, std::milli> round_trip =
      std::chrono::steady_clock::now() - start;
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
