// What avro-decode needs for the data of one writer schema id — the writer
// schema from the registry, whether the pinned reader schema can read it, and
// the decoder (the writer→reader resolution plan) — built once per id and
// reused for every record that carries the id. An id names one schema forever,
// so an entry is never stale; the cache is bounded only to bound memory.
//
// Invariant: at most `capacity` ids are kept, the least recently used dropped
// first (a dropped id is fetched and planned again when it comes back). An id
// the registry says it does not have is answered "unknown" from the cache for
// `unknown_recheck_ms`, then asked again (it may have been registered since):
// bytes that merely look like the wire format — a stream's garbage, one
// record in a hundred — would otherwise cost a registry request each. A
// registry that cannot be reached is never cached. An entry stays valid for
// whoever holds it after it is dropped. Thread-safe: two threads meeting a new id at once may both
// build it, and one of the two is kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "avro/binary_decoder.h"
#include "avro/schema.h"
#include "ops/metrics.h"
#include "stages/confluent/registry_schemas.h"

namespace sluice::stages {

class DecoderCache {
 public:
  static constexpr size_t kDefaultCapacity = 1000;

  struct Entry {
    std::shared_ptr<const avro::Schema> writer;
    std::string unresolvable;  // why the pinned reader cannot read the writer ("" when it can)
    std::unique_ptr<const avro::BinaryDecoder> decoder;  // null when unresolvable
  };

  static constexpr int64_t kDefaultUnknownRecheckMs = 1000;

  // `registry`, `reader` (null: read as written) and `fetches` (null: not
  // counted) must outlive the cache; `fetches` counts registry requests.
  // `unknown_recheck_ms` 0: an unknown id is asked again on its every record.
  DecoderCache(RegistrySchemas& registry, const avro::Schema* reader, size_t capacity,
               ops::Counter* fetches, int64_t unknown_recheck_ms = kDefaultUnknownRecheckMs);

  // The entry for `id`; throws RegistryLookupError when the registry has no
  // such id or cannot be reached.
  std::shared_ptr<const Entry> get(int32_t id);

 private:
  std::shared_ptr<const Entry> build(int32_t id);
  // Keeps `entry` (null: `id` is unknown, for `why`) as the most recent; with mu_ held.
  void keep(int32_t id, std::shared_ptr<const Entry> entry, const std::string& why = "");

  RegistrySchemas& registry_;
  const avro::Schema* reader_;
  size_t capacity_;
  ops::Counter* fetches_;
  int64_t unknown_recheck_ms_;
  std::mutex mu_;
  std::list<int32_t> recent_;  // most recently used first
  struct Slot {
    std::shared_ptr<const Entry> entry;  // null: the registry has no such id
    std::list<int32_t>::iterator place;  // in recent_
    std::string unknown;                 // the registry's answer, when entry is null
    int64_t recheck_at_ms = 0;           // when entry is null: ask again from then on
  };
  std::unordered_map<int32_t, Slot> slots_;
};

}  // namespace sluice::stages
