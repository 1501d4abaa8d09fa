// Where `sluice topics consume --offset SPEC` starts in each partition, as rpk
// spells it: `beginning` (alias start), `end`, an offset `N`, `-N` (the last N
// records of each partition) or `@TIME` (the first record at or after TIME,
// 2026-11-22T10:00:00Z or epoch ms). Parsing and resolving are pure, so every
// spelling is tested without a broker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kafka/types.h"

namespace sluice::cli {

struct StartOffset {
  enum class Kind { kBeginning, kEnd, kOffset, kLastN, kTime };
  Kind kind = Kind::kBeginning;
  int64_t value = 0;  // the offset, N, or the time in epoch ms
};

// Throws std::invalid_argument quoting the spec and the spellings allowed.
StartOffset parse_start_offset(const std::string& spec);

// The first offset to read of a partition with watermarks `log`; always within
// [log.low, log.high]. `at_time`: the broker's answer for a kTime start (the
// offset of the first record at or after it, -1 when there is none).
int64_t resolve_start(const StartOffset& start, const kafka::Watermarks& log,
                      std::optional<int64_t> at_time);

}  // namespace sluice::cli
