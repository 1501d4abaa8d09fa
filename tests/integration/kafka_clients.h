// Small synchronous wrappers over librdkafka's C++ API for tests: produce a
// batch and wait for every delivery report; read partitions back to an end.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice::testing {

struct Delivered {
  int32_t partition = -1;
  int64_t offset = -1;
  std::string key;
  std::string value;
  RdKafka::ErrorCode error = RdKafka::ERR_NO_ERROR;
};

struct ProduceOptions {
  std::string codec = "none";
  std::string acks = "all";
  int32_t partitions = 4;    // messages are spread round-robin by explicit partition
  int64_t timestamp_ms = 0;  // 0: let the client stamp
  std::map<std::string, std::string> extra_config;
};

std::unique_ptr<RdKafka::Producer> make_producer(const std::string& bootstrap,
                                                 const ProduceOptions& opts,
                                                 RdKafka::DeliveryReportCb* reports = nullptr);

// Produces `count` messages with values "<prefix>-<i>" and keys "k<i>";
// returns one Delivered per message, in send order, after all reports arrived.
std::vector<Delivered> produce_messages(const std::string& bootstrap, const std::string& topic,
                                        int count, const ProduceOptions& opts,
                                        const std::string& prefix = "v");

// Reads each partition from the beginning up to its end offset at call time.
std::map<int32_t, std::vector<Delivered>> consume_all(const std::string& bootstrap,
                                                      const std::string& topic, int32_t partitions);

}  // namespace sluice::testing
