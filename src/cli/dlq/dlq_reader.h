// A dead-letter record as `sluice dlq` shows it: the raw record plus the
// `sluice.*` headers the stage runtime wrote (names in kafka/record.h) read into
// fields. A header that is missing or malformed reads as absent, never as an
// error: a DLQ may hold records written by older versions or by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/support/topic_scan.h"
#include "kafka/admin_client.h"

namespace sluice::cli {

struct DlqRecord {
  ScannedRecord raw;  // topic/partition/offset are the DLQ's own
  std::string trace_id;
  std::string stage;
  std::string category;
  std::string message;
  std::optional<int64_t> attempts;
  std::string original_topic;
  std::optional<int64_t> original_partition;
  std::optional<int64_t> original_offset;
  std::optional<int64_t> first_failed_at_ms;
  std::optional<int64_t> last_failed_at_ms;
  int64_t replay_count = 0;  // sluice.replay_count of the record; 0 when never replayed

  // "<partition>/<offset>": the record's identity within its DLQ topic (and its ledger key).
  std::string position() const;
};

struct DlqFilter {
  std::optional<int64_t> since_ms;  // records appended to the DLQ at or after this time
  std::string category;             // empty: any
  std::string trace_id;             // empty: any
};

// "claims.downloads" -> "claims.downloads.dlq"; names ending in .dlq, .dlq.parked or
// .shed (degradation's parked topic, shaped as a DLQ: docs/degradation.md) are kept.
std::string dlq_topic_name(const std::string& topic);

// Throws std::invalid_argument naming the valid categories when `category` is none of them.
void check_category(const std::string& category);

DlqRecord to_dlq_record(ScannedRecord raw);

// The records of `dlq_topic` matching `filter`, oldest first (by DLQ append time,
// then partition and offset). Throws std::invalid_argument if the topic does not exist.
std::vector<DlqRecord> read_dlq(kafka::AdminClient& admin, const std::string& dlq_topic,
                                const DlqFilter& filter);

}  // namespace sluice::cli
