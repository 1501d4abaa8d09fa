// Accounting of a windowed pipeline (examples/iot-events): a front stage (the
// validator) feeding a window-aggregate stage, with one table-sink stage
// writing the window stage's input as raw rows and one writing its rows.
// Every figure is read from where the data ended up — topics and Delta
// tables — in one full pass:
//
//   events on the front stage's input  = its DLQ records + records it passed on
//   records passed on                  = raw table rows (+ the raw sink's DLQ)
//   per (window, group)                = raw rows = the window row's count + late records
//   per (window, group)                : at most one window row (exactly-once aggregates)
//
// and, given the demo source's manifest, its events and the outcomes it
// expects: every event produced is a raw row or a DLQ record, and the late
// ones (raw rows outside every window row) are on the late topic. Late records
// are valid data, so they are raw rows too, as in Spark, whose raw sink keeps
// what its watermark drops from the aggregates.
//
// Windows are checked per window only when they are tumbling (slide = size):
// a hopping window's raw rows overlap its neighbours'.
#pragma once

#include <memory>

#include "cli/up/accounting.h"

namespace sluice::cli {

std::unique_ptr<AccountingReport> account_windows(const pipeline::PipelineConfig& config,
                                                  const AccountingRequest& request, PassCost& cost);

}  // namespace sluice::cli
