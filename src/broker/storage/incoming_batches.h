// The record set of one partition in a Produce request, made ready to append:
// a legacy message set (magic 0/1, Produce v0-v2) is converted once to a
// magic-2 batch, then the set is split into its batches and each is checked
// against the partition's config.
//
// Invariant: `prepare_incoming_batches` either accepts every batch of the set
// or none (a partition's produce answer is all-or-nothing), and an accepted
// batch is a complete, CRC-checked, non-control magic-2 batch no larger
// than max.message.bytes whose record count matches its offsets and records
// (check_client_batch), whose CreateTimes are within the topic's timestamp
// bounds and whose records all have keys if the topic is compacted — the only format storage ever
// appends — compressed with the topic's compression.type unless that is `producer`.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "broker/storage/log_config.h"
#include "common/bytes.h"

namespace sluice::broker {

enum class IncomingRejection {
  kNone,
  kCorrupt,           // truncated, bad CRC, bad legacy message set, or no batch at all
  kInvalidRecord,     // records not matching the declared count or length (Kafka's checks)
  kTooLarge,          // a batch above max.message.bytes
  kUnsupported,       // control batches (only the transaction coordinator writes them)
  kInvalidTimestamp,  // a CreateTime outside message.timestamp.before/after.max.ms
};

struct IncomingBatches {
  IncomingRejection rejection = IncomingRejection::kNone;
  std::string reason;  // in words, for the client and the broker log
  // Views into the request's bytes, into `converted` for a legacy set, or into
  // `recompressed` for a batch compression.type gave another codec.
  std::vector<std::span<uint8_t>> batches;
  Bytes converted;
  std::vector<Bytes> recompressed;

  bool ok() const { return rejection == IncomingRejection::kNone; }
};

// `records` must outlive the result (the batches point into it). `now_ms`: the
// wall clock the timestamp bounds are checked against (-1: read it).
IncomingBatches prepare_incoming_batches(std::span<uint8_t> records, const LogConfig& config,
                                         int64_t now_ms = -1);

}  // namespace sluice::broker
