// Reads single records by offset with a group-less consumer, for questions such
// as "how old is the first record this group has not consumed yet?". It joins no
// group and commits nothing, so asking never disturbs the group being asked about.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "kafka/types.h"

namespace sluice::kafka {

class Connection;

class RecordReader {
 public:
  explicit RecordReader(const Endpoint& endpoint);
  ~RecordReader();

  // Timestamp (ms since the epoch) of the record at `offset`; nullopt when there
  // is none (end of log, deleted by retention) or it cannot be read in time.
  std::optional<int64_t> timestamp_at(const std::string& topic, int32_t partition, int64_t offset);

 private:
  std::unique_ptr<Connection> conn_;
};

}  // namespace sluice::kafka
