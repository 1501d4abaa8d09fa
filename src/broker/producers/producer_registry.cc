#include "broker/producers/producer_registry.h"

#include "broker/storage/partition_log.h"

namespace sluice::broker {

std::shared_ptr<ProducerRegistry::Slot> ProducerRegistry::slot(const std::string& topic,
                                                               int32_t partition) {
  std::lock_guard lock(mu_);
  auto& s = slots_[{topic, partition}];
  if (!s) s = std::make_shared<Slot>();
  return s;
}

void ProducerRegistry::ensure_loaded(Slot& slot, const PartitionLog& log) {
  if (slot.loaded) return;
  constexpr int32_t kChunk = 8 << 20;
  int64_t offset = log.log_start_offset();
  while (offset < log.log_end_offset()) {
    auto read = log.read(offset, kChunk);
    if (read.out_of_range || read.data.empty()) break;
    ByteSpan data = read.data;
    size_t pos = 0;
    while (auto h = parse_batch_header(data.subspan(pos))) {
      if (h->total_size() > data.size() - pos) break;
      if (!h->is_control()) slot.table.record(*h);
      slot.txns.observe(*h, data.subspan(pos));
      offset = h->last_offset() + 1;
      pos += h->total_size();
    }
  }
  slot.loaded = true;
}

void ProducerRegistry::forget(const std::string& topic) {
  std::lock_guard lock(mu_);
  for (auto it = slots_.lower_bound({topic, INT32_MIN});
       it != slots_.end() && it->first.first == topic;) {
    it = slots_.erase(it);
  }
}

}  // namespace sluice::broker
