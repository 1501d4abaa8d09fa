#include "cli/support/scan_plan.h"

#include <algorithm>
#include <string>

namespace sluice::cli {
namespace {

void check_still_fits(int32_t partition, const ScanSpan& span, kafka::Watermarks w) {
  if (w.low > span.start || w.high < span.end) {
    throw ScanResumeMismatch("partition " + std::to_string(partition) + " now holds [" +
                             std::to_string(w.low) + ", " + std::to_string(w.high) +
                             ") but offsets [" + std::to_string(span.start) + ", " +
                             std::to_string(span.end) + ") were read before");
  }
}

}  // namespace

ScanSpans plan_scan(const std::map<int32_t, kafka::Watermarks>& logs,
                    const std::optional<std::map<int32_t, int64_t>>& at_time,
                    const ScanSpans& earlier) {
  for (const auto& [id, span] : earlier) {
    if (!logs.count(id))
      throw ScanResumeMismatch("partition " + std::to_string(id) + " was read before but is gone");
  }
  ScanSpans out;
  for (const auto& [id, w] : logs) {
    if (auto e = earlier.find(id); e != earlier.end()) {
      check_still_fits(id, e->second, w);
      out[id] = {e->second.start, e->second.end, w.high};
      continue;
    }
    int64_t start = w.low;
    if (at_time) {
      auto it = at_time->find(id);
      if (it == at_time->end() || it->second < 0) continue;  // nothing that recent
      start = std::max(start, it->second);
    }
    if (start > w.high) start = w.high;
    out[id] = {start, start, w.high};
  }
  return out;
}

}  // namespace sluice::cli
