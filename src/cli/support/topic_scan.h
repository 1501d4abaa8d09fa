// Reads a topic from a starting point up to the end offsets it had when the scan
// began, with a consumer that uses assign() only: it joins no group and commits
// nothing, so looking at a topic (a DLQ, a ledger) never moves anyone's offsets
// and never waits for records that arrive after the question was asked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/support/scan_plan.h"
#include "kafka/admin_client.h"

namespace sluice::cli {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ScannedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: null value (a tombstone)
  HeaderList headers;

  // The last header called `name` (Kafka allows repeats; the newest wins), or nullptr.
  const std::string* header(const std::string& name) const;
};

// Every record of every partition of `topic` from `since_ms` (the first record
// whose timestamp is >= since_ms; nullopt: the log start) up to the end offsets
// seen at the start, partition by partition in offset order. Throws
// std::invalid_argument when the topic does not exist and kafka::KafkaError when
// reading stalls for longer than the endpoint's timeout.
void scan_topic(kafka::AdminClient& admin, const std::string& topic,
                std::optional<int64_t> since_ms, const std::function<void(ScannedRecord&&)>& visit);

// The same, resumed: partitions in `earlier` (the spans an earlier call returned)
// are read only from where it stopped; see scan_plan.h. Returns the spans read
// so far, to be passed to the next call. Throws ScanResumeMismatch when
// `earlier` no longer fits the topic.
ScanSpans scan_topic_from(kafka::AdminClient& admin, const std::string& topic,
                          std::optional<int64_t> since_ms, const ScanSpans& earlier,
                          const std::function<void(ScannedRecord&&)>& visit);

}  // namespace sluice::cli
