// Reads a topic from a starting point up to the end offsets it had when the scan
// began, with a consumer that uses assign() only: it joins no group and commits
// nothing, so looking at a topic (a DLQ, a ledger) never moves anyone's offsets
// and never waits for records that arrive after the question was asked.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/support/scan_plan.h"
#include "kafka/admin_client.h"
#include "kafka/record.h"

namespace sluice::cli {

// The one consumed-record type; where a header repeats, readers here take the
// last one (last_header()): the newest wins.
using ScannedRecord = kafka::Record;

// Every record of every partition of `topic` from `since_ms` (the first record
// whose timestamp is >= since_ms; nullopt: the log start) up to the end offsets
// seen at the start, partition by partition in offset order. Throws
// std::invalid_argument when the topic does not exist and kafka::KafkaError when
// reading stalls for longer than the endpoint's timeout.
void scan_topic(kafka::AdminClient& admin, const std::string& topic,
                std::optional<int64_t> since_ms, const std::function<void(ScannedRecord&&)>& visit);

// One partition's share of a read: offsets [next, end). kReadForever as `end`
// never finishes: the read waits for records that are still to be written.
struct ReadRange {
  int64_t next = 0;
  int64_t end = 0;
};
inline constexpr int64_t kReadForever = INT64_MAX;

// The reader under scan_topic(), for callers that choose their own offsets
// (`sluice topics consume`): reads `ranges` of `topic` with an assign()-only
// consumer and calls `visit` for each record in range, until every range is
// done or `visit` returns false. A bounded read throws kafka::KafkaError when
// it makes no progress for the endpoint's timeout; a read with a kReadForever
// range is expected to sit idle and waits as long as it must.
void read_ranges(const kafka::Endpoint& endpoint, const std::string& topic,
                 std::map<int32_t, ReadRange> ranges,
                 const std::function<bool(ScannedRecord&&)>& visit);

// The same, resumed: partitions in `earlier` (the spans an earlier call returned)
// are read only from where it stopped; see scan_plan.h. Returns the spans read
// so far, to be passed to the next call. Throws ScanResumeMismatch when
// `earlier` no longer fits the topic.
ScanSpans scan_topic_from(kafka::AdminClient& admin, const std::string& topic,
                          std::optional<int64_t> since_ms, const ScanSpans& earlier,
                          const std::function<void(ScannedRecord&&)>& visit);

}  // namespace sluice::cli
