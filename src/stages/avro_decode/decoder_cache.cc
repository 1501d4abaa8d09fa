#include "stages/avro_decode/decoder_cache.h"

#include <chrono>

#include "avro/compatibility.h"

namespace sluice::stages {
namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DecoderCache::DecoderCache(RegistrySchemas& registry, const avro::Schema* reader, size_t capacity,
                           ops::Counter* fetches, int64_t unknown_recheck_ms)
    : registry_(registry),
      reader_(reader),
      capacity_(capacity < 1 ? 1 : capacity),
      fetches_(fetches),
      unknown_recheck_ms_(unknown_recheck_ms) {}

std::shared_ptr<const DecoderCache::Entry> DecoderCache::get(int32_t id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = slots_.find(id); it != slots_.end()) {
      Slot& slot = it->second;
      if (slot.entry) {
        recent_.splice(recent_.begin(), recent_, slot.place);
        return slot.entry;
      }
      if (steady_ms() < slot.recheck_at_ms) throw RegistryLookupError(slot.unknown, true);
      recent_.erase(slot.place);
      slots_.erase(it);
    }
  }
  // Built without the lock: a registry request or a large plan must not stall
  // the other worker threads' records of ids already known.
  std::shared_ptr<const Entry> entry;
  try {
    entry = build(id);
  } catch (const RegistryLookupError& e) {
    if (e.unknown && unknown_recheck_ms_ > 0) {
      std::lock_guard lock(mu_);
      if (!slots_.contains(id)) keep(id, nullptr, e.what());
    }
    throw;
  }
  std::lock_guard lock(mu_);
  if (auto it = slots_.find(id); it != slots_.end()) {
    if (it->second.entry) return it->second.entry;  // built twice
    recent_.erase(it->second.place);                // another thread's lookup failed meanwhile
    slots_.erase(it);
  }
  keep(id, entry);
  return entry;
}

void DecoderCache::keep(int32_t id, std::shared_ptr<const Entry> entry, const std::string& why) {
  recent_.push_front(id);
  Slot slot{std::move(entry), recent_.begin(), why, 0};
  if (!slot.entry) slot.recheck_at_ms = steady_ms() + unknown_recheck_ms_;
  slots_.emplace(id, std::move(slot));
  if (slots_.size() > capacity_) {
    slots_.erase(recent_.back());
    recent_.pop_back();
  }
}

std::shared_ptr<const DecoderCache::Entry> DecoderCache::build(int32_t id) {
  if (fetches_) fetches_->inc();
  auto entry = std::make_shared<Entry>();
  entry->writer = std::make_shared<const avro::Schema>(registry_.by_id(id));
  if (reader_) {
    for (const auto& why : avro::can_read(*reader_, *entry->writer))
      entry->unresolvable += (entry->unresolvable.empty() ? "" : "; ") + why;
  }
  if (entry->unresolvable.empty())
    entry->decoder = std::make_unique<const avro::BinaryDecoder>(
        *entry->writer, reader_ ? *reader_ : *entry->writer);
  return entry;
}

}  // namespace sluice::stages
