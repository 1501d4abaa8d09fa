// `sluice incident assess|snapshot`: the incident runbook's first steps —
// classify the severity from live figures (and draft the status update), and
// capture the current state into a folder for the review.
//
// Exit codes: assess exits 0 (it reports a severity; it does not fail on
// one); snapshot exits 0 when every part was captured, 1 when some part could
// not be (each named on stderr; the rest is still written).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/incident/incident_assess.h"
#include "cli/incident/incident_postmortem.h"
#include "cli/incident/incident_records_command.h"
#include "cli/incident/incident_snapshot.h"
#include "cli/incident/pipeline_targets.h"
#include "cli/support/commands.h"
#include "cli/support/datetime.h"

namespace sluice::cli {
namespace {

struct PipelineFlags {
  TargetFlags targets;
  std::string window = "10s";

  void add_to(CLI::App* cmd) {
    targets.add_to(cmd);
    cmd->add_option("--window", window,
                    "How long to measure rates (error rate, DLQ growth) over, e.g. 10s, 1m")
        ->capture_default_str();
  }
  ObserveOptions observe() const { return targets.observe(parse_window_ms(window, "--window")); }
};

struct AssessFlags {
  PipelineFlags pipeline;
  bool json = false;
  std::string template_name;
  std::string severity;
  std::string started;
};

struct SnapshotFlags {
  PipelineFlags pipeline;
  std::string dir;
  std::vector<std::string> logs;
};

int assess(const AssessFlags& f) {
  std::optional<TemplateKind> kind;
  if (!f.template_name.empty()) kind = template_kind(f.template_name);
  std::optional<ops::Severity> announced;
  if (!f.severity.empty()) announced = parse_severity(f.severity);
  std::optional<int64_t> started;
  if (!f.started.empty()) started = parse_datetime_ms(f.started);

  const Assessed a = assess_pipeline(f.pipeline.observe());
  if (f.json) {
    std::printf("%s\n", assessment_json(a).c_str());
  } else if (kind) {
    if (*kind == TemplateKind::kResolved && a.assessment.incident()) {
      std::fprintf(stderr,
                   "sluice: warning: the live figures still say %s (%s); check before announcing "
                   "the resolution\n",
                   std::string(ops::severity_name(a.assessment.severity)).c_str(),
                   a.assessment.reasons.front().text.c_str());
    }
    std::fputs(render_template(*kind, template_input(a, announced, started)).c_str(), stdout);
  } else {
    print_assessment(a, stdout);
  }
  return 0;
}

int snapshot(const SnapshotFlags& f) {
  SnapshotOptions options{f.dir, f.pipeline.observe(), f.logs};
  std::printf("capturing the pipeline's state into %s (about %s)...\n", f.dir.c_str(),
              f.pipeline.window.c_str());
  std::fflush(stdout);
  const SnapshotReport report = take_snapshot(options);
  for (const auto& w : report.written) std::printf("wrote %s\n", w.c_str());
  for (const auto& p : report.problems)
    std::fprintf(stderr, "sluice: not captured: %s\n", p.c_str());
  return report.problems.empty() ? 0 : 1;
}

}  // namespace

std::vector<Run> add_incident_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  CLI::App* incident = app.add_subcommand(
      "incident",
      "Incident response: assess severity, capture a snapshot, keep the incident log, draft the "
      "post-mortem");
  incident->require_subcommand(1);
  std::vector<Run> runs;

  auto a = std::make_shared<AssessFlags>();
  CLI::App* assess_cmd = incident->add_subcommand(
      "assess", "Classify SEV-1..SEV-4 from lag, error rate, DLQ growth and workers, with reasons");
  a->pipeline.add_to(assess_cmd);
  CLI::Option* json = assess_cmd->add_flag(
      "--json", a->json, "One JSON object: {severity, reasons, figures, affected, ...}");
  assess_cmd
      ->add_option("--template", a->template_name,
                   "Print the runbook's status update filled from the live figures")
      ->check(CLI::IsMember({"initial", "update", "resolved"}))
      ->excludes(json);
  assess_cmd->add_option("--severity", a->severity,
                         "With --template: the severity to announce (e.g. SEV-2 for the "
                         "incident being resolved); default: the live one");
  assess_cmd->add_option("--started", a->started,
                         "With --template: when the incident began (ISO-8601 or epoch ms), for "
                         "its start time and duration");
  registered.push_back(assess_cmd);
  runs.push_back([a] { return assess(*a); });

  auto s = std::make_shared<SnapshotFlags>();
  CLI::App* snap = incident->add_subcommand(
      "snapshot", "Capture metrics, stage states, groups, topics, assessment and log tails");
  snap->add_option("dir", s->dir, "Folder to write into (created if missing)")->required();
  s->pipeline.add_to(snap);
  snap->add_option("--logs", s->logs,
                   "A stage log file, or a folder of them (repeatable): the last 1000 lines "
                   "of each go to DIR/logs/")
      ->take_all()
      ->expected(1);
  registered.push_back(snap);
  runs.push_back([s] { return snapshot(*s); });

  add_postmortem_command(incident, registered, runs);
  add_incident_record_commands(incident, registered, runs);
  add_incident_report_commands(incident, registered, runs);
  return runs;
}

}  // namespace sluice::cli
