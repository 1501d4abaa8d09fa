// librdkafka client construction shared by every phase, so the throughput and
// latency runs use one producer configuration (acks=all, no idempotence, no
// compression) and the consumers one configuration; only the rate differs.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace sluice::bench {

// librdkafka settings of a listener's protocol (security.protocol, ssl.*, sasl.*);
// empty for PLAINTEXT.
using ClientSecurity = std::map<std::string, std::string>;

struct ProducerSettings {
  std::string bootstrap;
  ClientSecurity security;
  int32_t linger_ms = 5;
  int32_t batch_bytes = 1'000'000;
};

// acks=all, enable.idempotence=false (the broker has no InitProducerId),
// compression none. Throws std::runtime_error on a configuration error.
std::unique_ptr<RdKafka::Producer> make_producer(const ProducerSettings& settings,
                                                 RdKafka::DeliveryReportCb* reports);

// A legacy (simple) consumer: partitions are started at explicit offsets, so no
// group coordinator or offset commit is involved.
std::unique_ptr<RdKafka::Consumer> make_consumer(const std::string& bootstrap,
                                                 const ClientSecurity& security = {});

// Makes `topic` exist with `partitions` partitions by asking for its metadata
// (the broker auto-creates it with --default-partitions), then waits until every
// partition reports a leader. Throws after 30 s.
void ensure_topic(RdKafka::Handle* client, const std::string& topic, int32_t partitions);

// The librdkafka topic handle for `topic` on `client`; throws on failure.
std::unique_ptr<RdKafka::Topic> open_topic(RdKafka::Handle* client, const std::string& topic);

}  // namespace sluice::bench
