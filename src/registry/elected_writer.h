// One elected writer among the registry processes sharing a `_schemas` topic,
// chosen by Kafka's group protocol: every process joins the group
// `sluice-registry.<topic>` subscribed to the topic's one partition, and the
// member assigned that partition is the writer. Its URL travels in its client
// id, so the others find it with DescribeGroups and forward changes to it over
// HTTP, as Confluent's followers forward to their leader.
//
// Invariants: a process appends only while it holds the partition; the group
// hands the partition to a new member only after the old one was told it lost
// it (eager rebalancing), and the old one lets go only once the change it is
// making (under the store's writer lock) is done, so live members never write
// at once. A forwarded
// request is never forwarded again (no loops when the writer moves meanwhile).
// A writer frozen for longer than the session timeout, woken after a successor
// was chosen, is fenced by the log itself: every append is a transaction of one
// transactional id, checked against the log's end (schemas_log.cc).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "kafka/types.h"
#include "registry/write_gate.h"

namespace sluice::kafka {
class Consumer;
}  // namespace sluice::kafka

namespace sluice::registry {

class ElectedWriter : public WriteGate {
 public:
  // Joins the group; `own_url` (http://HOST:PORT) is where the others reach this
  // process. `wait_ms` bounds how long a change waits for a writer to be chosen.
  // `writes` is the store's writer lock (RegistryStore::writer()).
  ElectedWriter(const kafka::Endpoint& endpoint, const std::string& topic,
                const std::string& own_url, int wait_ms, std::mutex& writes);
  ~ElectedWriter() override;  // leaves the group, so a successor is chosen at once

  std::optional<ops::HttpReply> forward(const ApiRequest& request) override;
  bool holds() const override { return writer_; }

 private:
  class Membership;
  void run();
  // The writer's URL as the group says now; empty when none is assigned.
  std::string writer_url() const;

  kafka::Endpoint endpoint_;
  std::string topic_;
  std::string group_;
  std::string own_url_;
  int wait_ms_;
  std::mutex& writes_;
  std::unique_ptr<Membership> membership_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::atomic<bool> writer_{false};
  std::atomic<bool> pause_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sluice::registry
