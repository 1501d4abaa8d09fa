#include "stages/avro_decode/decoder_cache.h"

#include "avro/compatibility.h"

namespace sluice::stages {

DecoderCache::DecoderCache(RegistrySchemas& registry, const avro::Schema* reader, size_t capacity,
                           ops::Counter* fetches)
    : registry_(registry),
      reader_(reader),
      capacity_(capacity < 1 ? 1 : capacity),
      fetches_(fetches) {}

std::shared_ptr<const DecoderCache::Entry> DecoderCache::get(int32_t id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = slots_.find(id); it != slots_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second.place);
      return it->second.entry;
    }
  }
  // Built without the lock: a registry request or a large plan must not stall
  // the other worker threads' records of ids already known.
  std::shared_ptr<const Entry> entry = build(id);
  std::lock_guard lock(mu_);
  if (auto it = slots_.find(id); it != slots_.end()) return it->second.entry;  // built twice
  recent_.push_front(id);
  slots_.emplace(id, Slot{entry, recent_.begin()});
  if (slots_.size() > capacity_) {
    slots_.erase(recent_.back());
    recent_.pop_back();
  }
  return entry;
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
