#include "stages/count_by_key/count_by_key.h"

#include <fmt/format.h>

#include <stdexcept>

#include "common/bytes.h"
#include "common/json.h"

namespace sluice::stages {
namespace {

constexpr uint8_t kStateVersion = 1;

}  // namespace

CountByKey::CountByKey(const pipeline::ProcessorContext& context) {
  if (context.outputs.empty()) {
    throw pipeline::OptionError(
        "", "stage '" + context.stage + "': count-by-key needs an output topic (outputs: [TOPIC])");
  }
  output_ = context.outputs.front();
}

pipeline::Outcome CountByKey::process(const pipeline::Record& record) {
  const std::string key = record.key.value_or("");
  int64_t count;
  {
    std::lock_guard lock(mu_);
    count = ++counts_[{record.topic, record.partition}][key];
  }
  std::string value = fmt::format(R"({{"key": {}, "count": {}, "offset": {}}})", json::quote(key),
                                  count, record.offset);
  return pipeline::Outcome::success({{output_, record.key, std::move(value), {}}});
}

void CountByKey::restore(const std::string& topic, int32_t partition,
                         const std::optional<pipeline::ProcessorState>& state) {
  std::map<std::string, int64_t> counts =
      state ? decode(state->head) : std::map<std::string, int64_t>{};
  std::lock_guard lock(mu_);
  counts_[{topic, partition}] = std::move(counts);
}

pipeline::ProcessorState CountByKey::snapshot(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mu_);
  return encode(counts_[{topic, partition}]);
}

void CountByKey::release(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mu_);
  counts_.erase({topic, partition});
}

std::string CountByKey::encode(const std::map<std::string, int64_t>& counts) {
  std::string out(1, char(kStateVersion));
  for (const auto& [key, count] : counts) {
    uint8_t n[12];
    store_be32(n, uint32_t(key.size()));
    store_be64(n + 4, uint64_t(count));
    out.append(reinterpret_cast<const char*>(n), 4);
    out += key;
    out.append(reinterpret_cast<const char*>(n + 4), 8);
  }
  return out;
}

std::map<std::string, int64_t> CountByKey::decode(const std::string& bytes) {
  if (bytes.empty() || uint8_t(bytes[0]) != kStateVersion)
    throw std::runtime_error("count-by-key state: unknown version");
  std::map<std::string, int64_t> counts;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t at = 1;
  while (at < bytes.size()) {
    if (bytes.size() - at < 4) throw std::runtime_error("count-by-key state: truncated");
    const size_t length = load_be32(p + at);
    at += 4;
    if (bytes.size() - at < length + 8) throw std::runtime_error("count-by-key state: truncated");
    std::string key = bytes.substr(at, length);
    at += length;
    counts[std::move(key)] = int64_t(load_be64(p + at));
    at += 8;
  }
  return counts;
}

}  // namespace sluice::stages
