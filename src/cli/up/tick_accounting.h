// Accounting of a market-tick pipeline (examples/market-ticks): an optional
// validator feeding sequence-check, quarantine-route after it and a
// table-sink stage writing what the route passes on — each its own stage, or
// (the example) validator, sequence-check and route steps of one chain stage.
// Every figure is read from where the data ended up — topics and the Delta
// table — in one full pass:
//
//   ticks on the input     = rejected (the validator's DLQ) + valid
//   valid                  = forwarded by sequence-check + parked (halted
//                            symbols) + its DLQ + duplicates dropped
//   forwarded              = quarantined by the route + passed on + its DLQ
//   passed on              = table rows + the sink's DLQ
//
// Every quarantine record must carry a reason (sluice.error.category), a time
// (sluice.first_failed_at) and a severity (sluice.sequence.severity).
//
// In a chain there is no topic between the steps: all its dead letters count
// as rejected, and valid and forwarded are inferred, so the first and third
// lines hold by construction and the manifest (below) is what checks them.
//
// Duplicates are the one figure inferred (what sequence-check dropped leaves
// no record); given the demo source's manifest, it and every other outcome
// must equal what the manifest expects: rows, quarantine (rejected +
// quarantined), duplicate, parked.
#pragma once

#include <memory>

#include "cli/up/accounting.h"

namespace sluice::cli {

std::unique_ptr<AccountingReport> account_ticks(const pipeline::PipelineConfig& config,
                                                const AccountingRequest& request, PassCost& cost);

}  // namespace sluice::cli
