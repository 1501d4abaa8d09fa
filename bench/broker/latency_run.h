// Latency below saturation: produce at a fixed rate (by default half the measured
// peak) while a consumer tails the topic. Each value starts with its send time
// (steady clock, ns), so the delivery report gives produce-ack latency
// (send -> acks=all response) and the consumer gives end-to-end latency
// (send -> message handed to the consuming application).
#pragma once

#include <string>
#include <vector>

#include "kafka_clients.h"
#include "payload.h"
#include "percentiles.h"

namespace sluice::bench {

// Ack latency of the messages sent in one second of the run: where a tail
// comes from (a few stalls, or a queue that keeps growing).
struct LatencySlice {
  int64_t second = 0;  // from the start of the timed run
  LatencySummary ack;
};

struct LatencyResult {
  double target_rate = 0;    // msg/s asked for
  double achieved_rate = 0;  // msg/s actually handed to librdkafka
  int64_t sent = 0;
  int64_t failed = 0;    // delivery reports with an error
  int64_t consumed = 0;  // timed messages the consumer received
  LatencySummary ack;
  LatencySummary end_to_end;
  std::vector<LatencySlice> ack_by_second;
};

// `topic` should be new: the consumer reads it from offset 0. `producers`
// connections share the rate, each writing to every partition: with several,
// concurrent requests to one partition can share the broker's syncs.
LatencyResult run_latency(const ProducerSettings& settings, const std::string& topic,
                          int32_t partitions, double rate, double seconds,
                          const PayloadPool& payloads, int32_t producers = 1);

}  // namespace sluice::bench
