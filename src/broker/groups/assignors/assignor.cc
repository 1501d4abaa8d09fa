#include "broker/groups/assignors/assignor.h"

namespace sluice::broker {

Assignor find_assignor(std::string_view name) {
  if (name == "uniform") return &assign_uniform;
  if (name == "range") return &assign_range;
  return nullptr;
}

size_t partition_count(const PartitionSet& s) {
  size_t n = 0;
  for (const auto& [topic, partitions] : s) n += partitions.size();
  return n;
}

}  // namespace sluice::broker
