// Peak consume throughput: read every partition of a topic from offset 0 up to
// its high watermark at call time (what the produce phase just wrote) and time
// the start of fetching -> the last message received.
#pragma once

#include <string>

#include "throughput.h"

namespace sluice::bench {

ThroughputResult run_consume_throughput(const std::string& bootstrap, const std::string& topic,
                                        int32_t partitions);

}  // namespace sluice::bench
