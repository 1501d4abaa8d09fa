// Peak produce throughput: push N messages as fast as librdkafka accepts them,
// round-robin over the partitions, and time first send -> last delivery report.
// With acks=all and --flush always each report means the data is fdatasync'ed.
#pragma once

#include <string>

#include "kafka_clients.h"
#include "payload.h"
#include "throughput.h"

namespace sluice::bench {

ThroughputResult run_produce_throughput(const ProducerSettings& settings, const std::string& topic,
                                        int32_t partitions, int64_t messages,
                                        const PayloadPool& payloads);

}  // namespace sluice::bench
