// Counting records in a topic without consuming it: the sum of the partitions'
// high watermarks. The stage benchmark polls this to see when `sluice run` has
// copied everything, so one client is kept open instead of one per poll.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <memory>
#include <string>

namespace sluice::bench {

class Watermarks {
 public:
  // Makes `topic` exist with `partitions` partitions (see ensure_topic).
  Watermarks(const std::string& bootstrap, const std::string& topic, int32_t partitions);

  // Sum of the high watermarks; partitions that do not answer count as 0.
  int64_t records();

 private:
  std::unique_ptr<RdKafka::Producer> client_;
  std::string topic_;
  int32_t partitions_;
};

}  // namespace sluice::bench
