#include "broker/storage/transaction_index.h"

#include <algorithm>

namespace sluice::broker {

void TransactionIndex::observe(const BatchHeader& h, ByteSpan batch) {
  if (h.producer_id < 0 || !h.is_transactional()) return;
  if (!h.is_control()) {
    on_data(h.producer_id, h.base_offset);
  } else if (auto type = marker_type(batch.subspan(0, std::min(batch.size(), h.total_size())))) {
    on_marker(h.producer_id, *type, h.base_offset);
  }
}

void TransactionIndex::on_data(int64_t producer_id, int64_t base_offset) {
  open_.try_emplace(producer_id, base_offset);
}

void TransactionIndex::on_marker(int64_t producer_id, MarkerType type, int64_t marker_offset) {
  auto it = open_.find(producer_id);
  // A marker with no open transaction (a coordinator that re-wrote markers after
  // a crash, or ended a transaction with no data here) changes nothing.
  if (it == open_.end()) return;
  if (type == MarkerType::kAbort) aborted_.push_back({producer_id, it->second, marker_offset});
  open_.erase(it);
}

int64_t TransactionIndex::last_stable_offset(int64_t high_watermark) const {
  int64_t lso = high_watermark;
  for (const auto& [pid, first] : open_) lso = std::min(lso, first);
  return lso;
}

std::vector<AbortedTransaction> TransactionIndex::aborted_between(int64_t from, int64_t to) const {
  std::vector<AbortedTransaction> out;
  auto it = std::lower_bound(
      aborted_.begin(), aborted_.end(), from,
      [](const AbortedTransaction& a, int64_t offset) { return a.last_offset < offset; });
  for (; it != aborted_.end(); ++it)
    if (it->first_offset < to) out.push_back(*it);
  return out;
}

void cut_batches_at(Bytes& batches, int64_t end) {
  size_t pos = 0;
  while (auto h = parse_batch_header(ByteSpan(batches).subspan(pos))) {
    if (h->base_offset >= end || h->total_size() > batches.size() - pos) break;
    pos += h->total_size();
  }
  batches.resize(pos);
}

}  // namespace sluice::broker
