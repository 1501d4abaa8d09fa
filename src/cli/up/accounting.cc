#include "cli/up/accounting.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "cli/up/accounting_sources.h"
#include "cli/up/tick_accounting.h"
#include "cli/up/window_accounting.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

bool has_processor(const pipeline::PipelineConfig& c, const std::string& processor) {
  return std::any_of(c.stages.begin(), c.stages.end(),
                     [&](const auto& s) { return s.processor == processor; });
}

// The claims pipeline's task reconciliation (reconcile.h), as an AccountingReport.
class ClaimsReport : public AccountingReport {
 public:
  explicit ClaimsReport(ReconcileReport r) : r_(std::move(r)) {}
  bool ok() const override { return r_.ok(); }
  void print(FILE* out, bool drained) const override { print_report(r_, out, drained); }

  // The lists are whole (the text caps them at 50).
  std::string json(const PassCost& cost) const override {
    json::JsonWriter w;
    w.begin_object().field("ok", r_.ok()).field("events", r_.events);
    w.field("events_dead_lettered", r_.events_dead_lettered)
        .field("tasks_expected", r_.tasks_expected);
    w.field("tasks_produced", r_.tasks_produced).field("rows", r_.rows);
    w.field("tasks_dead_lettered", r_.tasks_dead_lettered)
        .field("objects_checked", r_.objects_checked);
    w.key("dlq_categories").begin_object();
    for (const auto& [k, n] : r_.dlq_categories) w.field(k, n);
    w.end_object();
    auto list = [&](const char* name, const std::vector<std::string>& items) {
      w.key(name).begin_array();
      for (const auto& item : items) w.value(item);
      w.end_array();
    };
    list("lost", r_.lost);
    list("duplicated", r_.duplicated);
    list("missing_objects", r_.missing_objects);
    write_pass_cost(w, cost);
    return w.end_object().str();
  }

 private:
  ReconcileReport r_;
};

struct Shape {
  const char* name;
  const char* describes;  // for the error naming every shape
  std::function<bool(const pipeline::PipelineConfig&)> applies;
  std::function<std::unique_ptr<AccountingReport>(const pipeline::PipelineConfig&,
                                                  const AccountingRequest&, PassCost&)>
      run;
};

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = {
      {"windows", "window-aggregate with table-sink stages for its input and its rows",
       [](const auto& c) { return has_processor(c, "window-aggregate"); },
       [](const auto& c, const AccountingRequest& r, PassCost& cost) {
         return account_windows(c, r, cost);
       }},
      {"ticks", "sequence-check -> quarantine-route (stages or chain steps) -> table-sink",
       [](const auto& c) { return find_part(c, "sequence-check").stage != nullptr; },
       [](const auto& c, const AccountingRequest& r, PassCost& cost) {
         return account_ticks(c, r, cost);
       }},
      {"claims", "ingest -> download -> table-sink",
       [](const auto& c) { return has_processor(c, "ingest") && has_processor(c, "download"); },
       [](const auto& c, const AccountingRequest& r, PassCost& cost) {
         return std::make_unique<ClaimsReport>(
             reconcile(c, r.bootstrap, r.since_ms, r.checkpoint_path, cost));
       }},
  };
  return all;
}

}  // namespace

void write_pass_cost(json::JsonWriter& w, const PassCost& cost) {
  w.key("pass").begin_object().field("resumed", cost.resumed).field("why_full", cost.why_full);
  w.field("records_read", cost.records_read).field("files_read", cost.files_read);
  w.field("table_version", cost.table_version).end_object();
}

std::unique_ptr<AccountingReport> account(const pipeline::PipelineConfig& config,
                                          const AccountingRequest& request, PassCost& cost) {
  std::string known;
  for (const Shape& s : shapes()) {
    if (s.applies(config)) return s.run(config, request, cost);
    known += std::string(known.empty() ? "" : "; ") + s.name + " (" + s.describes + ")";
  }
  throw std::invalid_argument("pipeline '" + config.name +
                              "' has no shape sluice can account for; it knows: " + known);
}

}  // namespace sluice::cli
