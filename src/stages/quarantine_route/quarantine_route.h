// `quarantine-route`: the last check before a market-tick table (seed 003).
// A tick sequence-check flagged (a sluice.sequence.severity header: gaps,
// out-of-order, price jumps) or one stamped outside the exchange's trading hours goes to
// the quarantine topic; every other tick goes on to the stage's outputs.
// docs/processors.md#quarantine-route.
//
// Invariants:
//  - Every record goes to exactly one place: the quarantine topic or each
//    output. Nothing is dropped, so a tick table's accounting closes.
//  - A quarantine record is the original tick (key and value byte for byte)
//    with the reason in the DLQ's header names (sluice.error.category, .message,
//    sluice.first_failed_at, sluice.original.*) and the severity in
//    sluice.sequence.severity (WARNING or ERROR), the header sequence-check
//    already writes. A validator dead-lettering to the same topic adds that
//    header to its DLQ records with the stage's `dlq.headers` (ERROR), so the
//    topic is uniform: the route does not see those records, and the DLQ path
//    stays ignorant of quarantines (configuration.md, dlq.headers).
//  - Stateless: the trading-hours test reads the clock time as written in the
//    timestamp (the exchange writes its own offset, e.g. +11:00 for Sydney),
//    so no time-zone database and no memory of earlier ticks is needed.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "pipeline/processor.h"

namespace sluice::stages {

inline const std::set<std::string> kQuarantineRouteOptionNames = {"quarantine_topic", "time_field",
                                                                  "trading_hours"};

class QuarantineRoute : public pipeline::Processor {
 public:
  explicit QuarantineRoute(const pipeline::ProcessorContext& context);
  pipeline::Outcome process(const pipeline::Record& record) override;

 private:
  // Why `record` is quarantined and its severity; empty reason: it is not.
  struct Verdict {
    std::string reason, message, severity;
  };
  Verdict judge(const pipeline::Record& record) const;
  pipeline::OutputRecord quarantined(const pipeline::Record& record, const Verdict& v) const;

  std::string stage_;
  std::vector<std::string> outputs_;
  std::string quarantine_topic_;
  std::string time_field_ = "exchange_timestamp";
  int open_minute_ = 10 * 60, close_minute_ = 16 * 60;  // of the day, close excluded
};

}  // namespace sluice::stages
