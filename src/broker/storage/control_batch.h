// Transaction markers: the control batches a transaction coordinator writes to
// each partition of a transaction when it ends (KIP-98).
//
// A marker is a magic-2 batch with the control and transactional attribute bits
// (0x20 | 0x10), the producer's id and epoch, base sequence -1, and one record:
// key = int16 version (0) + int16 type (0 abort, 1 commit), value = int16
// version (0) + int32 coordinator epoch. Consumers never hand it to the
// application; read_committed ones use it to close the producer's transaction.
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"

namespace sluice::broker {

enum class MarkerType : int16_t { kAbort = 0, kCommit = 1 };

Bytes build_marker_batch(int64_t producer_id, int16_t producer_epoch, MarkerType type,
                         int32_t coordinator_epoch, int64_t timestamp_ms);

// The type of a control batch's marker; nullopt when the batch is not a marker
// (another control record type, or malformed).
std::optional<MarkerType> marker_type(ByteSpan control_batch);

}  // namespace sluice::broker
