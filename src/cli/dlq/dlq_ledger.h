// The replay ledger of a DLQ topic: `<dlq topic>.replays`, compacted, one
// partition, one record per replayed DLQ record — key "<partition>/<offset>",
// value {"replayed_at","to_topic","trace_id"}. A DLQ record with an entry is
// never replayed again.
//
// Invariant: an entry is written only after the replayed record was
// acknowledged, so the ledger never claims a replay that did not happen. The
// reverse can: a crash between the two writes leaves a replayed record without
// an entry, and the next replay sends it once more (at-least-once, like every
// Kafka -> Kafka hop in sluice). A null value (tombstone) deletes an entry.
#pragma once

#include <map>
#include <string>

#include "cli/support/sync_producer.h"
#include "kafka/admin_client.h"

namespace sluice::cli {

struct LedgerEntry {
  std::string replayed_at;  // ISO-8601 UTC, e.g. 2026-11-22T10:00:00.250Z
  std::string to_topic;
  std::string trace_id;
};

class ReplayLedger {
 public:
  // "<dlq topic>.replays"
  static std::string topic_for(const std::string& dlq_topic);

  // Reads every entry; an empty ledger when its topic does not exist yet (nothing is created).
  static ReplayLedger load(kafka::AdminClient& admin, const std::string& dlq_topic);

  const std::string& topic() const { return topic_; }
  // The entry for DLQ record "<partition>/<offset>", or nullptr if it was never replayed.
  const LedgerEntry* find(const std::string& position) const;
  size_t size() const { return entries_.size(); }

  // Creates the ledger topic (compacted, 1 partition) unless it exists.
  void ensure_topic(kafka::AdminClient& admin) const;
  // Writes the entry and waits for its acknowledgement; throws kafka::KafkaError on failure.
  void record(SyncProducer& producer, const std::string& position, const LedgerEntry& entry);

  // JSON text of an entry, and back (a value that is not such JSON still counts as
  // replayed, with "unknown" fields, so a damaged entry never causes a second replay).
  static std::string to_json(const LedgerEntry& entry);
  static LedgerEntry from_json(const std::string& text);

 private:
  explicit ReplayLedger(std::string topic) : topic_(std::move(topic)) {}

  std::string topic_;
  std::map<std::string, LedgerEntry> entries_;
};

}  // namespace sluice::cli
