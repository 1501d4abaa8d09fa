// `sluice validate [PIPELINE] [--since TS]`: the runbook's "validate data
// integrity since a date" — the pipeline's accounting (accounting.h): for the
// claims pipeline, input events against download tasks, table rows, stored
// objects and DLQ records; for a windowed one, events against raw rows, DLQ and
// late records, and each window row's count against its raw rows. Prints every
// discrepancy and exits 1 on any (0 when everything is accounted for).
//
// Next to a `sluice up` data dir a pass resumes from DATA/validate.checkpoint
// (docs/formats/validate-checkpoint.md) and reads only the records and table
// files that are new since the last pass; one line on stderr says what it read.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/support/commands.h"
#include "cli/support/data_dir_flag.h"
#include "cli/support/datetime.h"
#include "cli/support/profile.h"
#include "cli/up/accounting.h"
#include "cli/up/data_dir.h"
#include "cli/up/process_table.h"
#include "common/clock.h"
#include "kafka/client_security.h"

namespace sluice::cli {
namespace {

struct ValidateFlags {
  std::string pipeline_file = "examples/claims-attachments/pipeline.yaml";
  std::string since;
  // Only a configured bootstrap (env, profile) is taken: otherwise the data dir's broker or
  // the pipeline's own setting is a better guess than 127.0.0.1:9092.
  std::string bootstrap = defaults().configured_bootstrap.value_or("");
  std::string data_dir;  // add_data_dir_option() sets the default
  bool full = false;     // ignore the checkpoint (a new one is still written)
  bool json = false;     // the report as one JSON object on stdout
};

// Next to a `sluice up --data-dir DATA`: its stores, and its broker unless --bootstrap says
// otherwise (with the broker's login when it is a `sluice up --secure`).
void use_data_dir(ValidateFlags& f) {
  if (!std::filesystem::is_directory(f.data_dir)) return;
  apply(store_overrides(f.pipeline_file, f.data_dir));
  if (!f.bootstrap.empty()) return;
  try {
    for (const auto& e : read_process_table(f.data_dir)) {
      if (e.name == "broker") f.bootstrap = e.admin;
    }
  } catch (const std::exception&) {
    return;  // No `sluice up` there: the pipeline file's bootstrap it is.
  }
  if (!f.bootstrap.empty()) use_secure_up_login(f.data_dir);
}

int validate(ValidateFlags f) {
  // A pipeline directory, as `sluice up` takes it: its pipeline.yaml.
  if (std::filesystem::is_directory(f.pipeline_file))
    f.pipeline_file = (std::filesystem::path(f.pipeline_file) / "pipeline.yaml").string();
  use_data_dir(f);
  const auto config = pipeline::load_pipeline_config(f.pipeline_file);
  kafka::use_pipeline_security(config.security);
  const int64_t since = f.since.empty() ? -1 : parse_datetime_ms(f.since);
  const std::string checkpoint =
      std::filesystem::is_directory(f.data_dir)
          ? (std::filesystem::path(f.data_dir) / "validate.checkpoint").string()
          : "";
  if (f.full && !checkpoint.empty()) std::filesystem::remove(checkpoint);
  const int64_t started = mono_ms();
  PassCost cost;
  AccountingRequest request{f.bootstrap, since, checkpoint, ""};
  if (std::filesystem::is_directory(f.data_dir))
    request.manifest_path = (std::filesystem::path(f.data_dir) / "manifest.jsonl").string();
  const auto report = account(config, request, cost);
  if (f.full) cost.why_full = "as --full asks";
  if (f.json) {
    std::printf("%s\n", report->json(cost).c_str());
  } else {
    report->print(stdout);
  }
  std::fprintf(stderr,
               "validate: %s: read %lld records and %lld table files (table version %lld) in "
               "%.1f s\n",
               cost.resumed            ? ("resumed from " + checkpoint).c_str()
               : cost.why_full.empty() ? "full pass"
                                       : ("full pass, " + cost.why_full).c_str(),
               static_cast<long long>(cost.records_read), static_cast<long long>(cost.files_read),
               static_cast<long long>(cost.table_version), double(mono_ms() - started) / 1e3);
  return report->ok() ? 0 : 1;
}

}  // namespace

Run add_validate_command(CLI::App& app) {
  auto f = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand("validate",
                                     "Reconcile events with table rows, DLQ records and (claims) "
                                     "objects or (windows) window rows");
  cmd->add_option(
         "pipeline", f->pipeline_file,
         "Pipeline YAML file or its directory (claims: ingest -> download -> table-sink; windows: "
         "window-aggregate with table sinks for its input and rows)")
      ->capture_default_str();
  cmd->add_option("--since", f->since,
                  "Only events at or after this time (2026-11-27T10:00:00Z or epoch ms)");
  cmd->add_option("--bootstrap", f->bootstrap,
                  "Kafka bootstrap HOST:PORT (default: env SLUICE_BOOTSTRAP, profile `bootstrap:`, "
                  "the data dir's broker, the pipeline's)");
  add_data_dir_option(cmd, f->data_dir,
                      "Data dir of a `sluice up` run: its object stores and (without --bootstrap) "
                      "its broker");
  cmd->add_flag("--json", f->json,
                "Print the report as one JSON object (counts, lost/duplicated/missing lists, what "
                "the pass read)");
  cmd->add_flag("--full", f->full,
                "Read every record and table file again instead of resuming from "
                "DATA/validate.checkpoint");
  return [f] { return validate(*f); };
}

}  // namespace sluice::cli
