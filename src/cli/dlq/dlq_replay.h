// `sluice dlq replay`: re-produces selected DLQ records (key and value as
// received) to their original topic or --to, each at most once per DLQ record
// thanks to the replay ledger (cli/dlq/dlq_ledger.h).
//
// Header contract of a replayed record: the record's own non-`sluice.*` headers
// and `sluice.trace_id` are kept; `sluice.replayed_from` =
// "<dlq topic>/<partition>/<offset>" and `sluice.replay_count` = the DLQ
// record's replay count + 1 are added; every other `sluice.*` header (error,
// attempts, origin, retry state) is dropped, so the stage sees a fresh record
// whose only memory is how often it was replayed (its loop protection:
// dlq.max_replays and `<dlq topic>.parked`).
#pragma once

#include <optional>
#include <string>

#include "cli/dlq/dlq_reader.h"
#include "cli/support/sync_producer.h"
#include "kafka/admin_client.h"

namespace sluice::cli {

struct ReplayOptions {
  std::string dlq_topic;
  std::string trace_id;  // empty with `all`
  bool all = false;
  std::string category;             // with `all`: only this category
  std::optional<int64_t> since_ms;  // with `all`: only records dead-lettered at or after
  std::string to_topic;             // empty: each record's sluice.original.topic
  bool dry_run = false;
  bool json = false;  // one JSON object at the end instead of a line per record
};

// The record to produce for `record`, addressed to `to_topic`.
OutgoingRecord replay_record(const DlqRecord& record, const std::string& dlq_topic,
                             const std::string& to_topic);

// Prints one line per selected record and a summary (or, with `json`, one
// object holding both); returns the exit code
// (1 when any replay failed or nothing matched a trace id).
int replay(kafka::AdminClient& admin, const ReplayOptions& options);

}  // namespace sluice::cli
