// Conversion of legacy message sets (magic 0 and 1, sent by Produce v0-v2
// clients) into one magic-2 record batch, so storage holds a single format.
//
// Invariant: the output batch carries exactly the input's records, in order,
// with their keys, values and (magic 1) timestamps; compressed wrapper messages
// are unwrapped. Offsets are relative (0..n-1); the log assigns the base.
#pragma once

#include <string>

#include "common/bytes.h"

namespace sluice::broker {

struct LegacyConversion {
  bool ok = false;
  std::string error;  // why the input was refused, for the client and the log
  Bytes batch;
};

LegacyConversion convert_legacy_message_set(ByteSpan records);

}  // namespace sluice::broker
