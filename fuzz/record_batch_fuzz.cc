// libFuzzer target: the `records` field of a Produce request, taken through
// what the broker does with it — legacy (magic 0/1) conversion, the per-batch
// header/length/CRC checks of the produce handler, and record iteration
// (for_each_record, used by timestamp lookup on stored batches).
//
// Random bytes rarely carry a valid CRC, so each input is run twice: once as
// sent, and once with every batch's (or legacy message's) checksum recomputed,
// so the mutator reaches the record parser and the codecs behind the CRC.
//
// Expected outcomes: a rejected batch (BatchCheck / LegacyConversion error) or
// DecodeError from record iteration. Anything else is a bug.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "broker/storage/legacy_message_set.h"
#include "broker/storage/record_batch.h"
#include "common/crc32c.h"

namespace {

using namespace sluice;
using namespace sluice::broker;

// Walks every record of a validated batch and touches each field, so a view
// that points outside the batch is read (and caught by ASan).
void iterate(ByteSpan batch) {
  size_t sink = 0;
  try {
    for_each_record(batch, [&](const RecordView& r) {
      if (r.key) sink += r.key->size() + (r.key->empty() ? 0 : uint8_t(r.key->back()));
      if (r.value) sink += r.value->size() + (r.value->empty() ? 0 : uint8_t(r.value->front()));
      for (const auto& h : r.headers) sink += h.key.size() + (h.value ? h.value->size() : 0);
      return true;
    });
  } catch (const DecodeError&) {
  }
  (void)sink;
}

// The produce handler's check_batches(), then iteration of each accepted batch.
void produce_path(std::span<uint8_t> records) {
  Bytes converted;
  if (records.size() > kMagicOffset && int8_t(records[kMagicOffset]) < 2) {
    LegacyConversion conv = convert_legacy_message_set(records);
    if (!conv.ok) return;
    converted = std::move(conv.batch);
    records = converted;
    if (validate_batch(records).ok == false) __builtin_trap();  // our own output must be valid
  }
  size_t pos = 0;
  while (pos < records.size()) {
    auto header = parse_batch_header(records.subspan(pos));
    if (!header || header->batch_length < 0 || header->total_size() > records.size() - pos) return;
    auto batch = records.subspan(pos, header->total_size());
    if (!validate_batch(batch).ok) return;
    iterate(batch);
    pos += batch.size();
  }
}

// Recomputes checksums in place: CRC-32C of each v2 batch, or CRC-32 of each
// top-level legacy message, wherever the framing is intact enough to find them.
void fix_checksums(Bytes& b) {
  size_t pos = 0;
  bool legacy = b.size() > kMagicOffset && int8_t(b[kMagicOffset]) < 2;
  while (pos + (legacy ? 16 : kBatchHeaderSize) <= b.size()) {
    int32_t len = int32_t(load_be32(b.data() + pos + 8));
    if (len < 0 || size_t(len) > b.size() - pos - 12) return;
    size_t end = pos + 12 + size_t(len);
    if (legacy) {
      if (len < 4) return;
      uint8_t* msg = b.data() + pos + 12;
      store_be32(msg, uint32_t(::crc32(0, msg + 4, uInt(size_t(len) - 4))));
    } else if (end >= pos + kCrcCoveredFrom) {
      store_be32(b.data() + pos + kCrcOffset,
                 crc32c(b.data() + pos + kCrcCoveredFrom, end - pos - kCrcCoveredFrom));
    }
    pos = end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes records(data, data + size);
  produce_path(records);
  fix_checksums(records);
  produce_path(records);
  return 0;
}
