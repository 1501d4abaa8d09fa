// Per-pipeline accounting: the summary `sluice up` prints at the end and the
// check `sluice validate` runs. Each pipeline shape has its own invariant —
// the claims pipeline accounts for every attachment task (reconcile.h), a
// windowed pipeline for every event and every window row (window_accounting.h),
// a market-tick pipeline for every tick (tick_accounting.h)
// — and is recognised by the processors of its stages, so neither command
// knows any pipeline by name. A shape added later is one entry in accounting.cc.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/up/reconcile.h"
#include "common/json.h"
#include "pipeline/pipeline_config.h"

namespace sluice::cli {

struct AccountingRequest {
  std::string bootstrap;        // "" = the pipeline's
  int64_t since_ms = -1;        // < 0: everything
  std::string checkpoint_path;  // "" = none (a full pass, nothing saved)
  std::string manifest_path;    // the demo source's manifest, when there is one; "" = none
};

class AccountingReport {
 public:
  virtual ~AccountingReport() = default;
  virtual bool ok() const = 0;
  // `drained` false: stopped with work in flight, so what is not accounted for
  // yet is reported as in flight, not lost.
  virtual void print(FILE* out, bool drained = true) const = 0;
  // One JSON object for scripts (`sluice validate --json`), with what the pass read.
  virtual std::string json(const PassCost& cost) const = 0;
};

// Adds `"pass": {...}` (what `cost` says was read) to an object being written.
void write_pass_cost(json::JsonWriter& w, const PassCost& cost);

// The report for `config`'s shape; std::invalid_argument naming the shapes it
// knows when the pipeline has none of them.
std::unique_ptr<AccountingReport> account(const pipeline::PipelineConfig& config,
                                          const AccountingRequest& request, PassCost& cost);

}  // namespace sluice::cli
