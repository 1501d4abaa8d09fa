// `sluice incident postmortem`: gathers the evidence (logs, snapshot, live
// assessment), renders the document and writes it. See incident_postmortem.h.
//
// Exit codes: 0 when the document was written from every piece of evidence
// named; 1 when some piece could not be read (the document is still written,
// and says what is missing) or when nothing could be written at all.
#include "cli/incident/incident_postmortem.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/incident/pipeline_observation.h"
#include "cli/incident/pipeline_targets.h"
#include "cli/support/admin_endpoints.h"
#include "cli/support/datetime.h"
#include "cli/support/kafka_flags.h"
#include "common/clock.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

struct PostmortemFlags {
  std::string out;
  bool force = false;
  std::string since, until, title, severity;
  std::vector<std::string> logs;
  std::string snapshot;
  TargetFlags targets;
  std::string window = "10s";
};

// A --logs argument is a file, or a folder whose regular files are all read.
std::vector<std::string> expand_logs(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const auto& a : args) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      files.push_back(a);
      continue;
    }
    std::vector<std::string> in_dir;
    for (const auto& e : fs::directory_iterator(a, ec))
      if (e.is_regular_file()) in_dir.push_back(e.path().string());
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

PostmortemInput gather(const PostmortemFlags& f) {
  PostmortemInput in;
  in.title = f.title;
  if (!f.severity.empty()) in.severity = parse_severity(f.severity);
  if (!f.since.empty()) in.since_ms = parse_datetime_ms(f.since);
  if (!f.until.empty()) in.until_ms = parse_datetime_ms(f.until);
  if (in.since_ms && in.until_ms && *in.until_ms < *in.since_ms)
    throw std::invalid_argument("--until " + f.until + " is before --since " + f.since);

  in.log_files = expand_logs(f.logs);
  if (!f.snapshot.empty()) {
    SnapshotEvidence s = read_snapshot(f.snapshot);
    if (s.assessment) in.assessments.push_back(*s.assessment);
    if (s.metrics) in.metrics.push_back(*s.metrics);
    in.problems.insert(in.problems.end(), s.problems.begin(), s.problems.end());
    // The snapshot's log tails stand in for --logs, never in addition (they
    // are copies of the same files, and would count every event twice).
    if (f.logs.empty()) in.log_files = s.log_files;
  }
  // Without --logs or a snapshot, a `sluice up` data dir's own logs are the evidence.
  if (f.logs.empty() && f.snapshot.empty() && !f.targets.data_dir.empty())
    in.log_files = expand_logs({f.targets.data_dir + "/logs"});
  if (!f.targets.admins.empty() || !f.targets.data_dir.empty()) {
    const Assessed a = assess_pipeline(f.targets.observe(parse_window_ms(f.window, "--window")));
    in.assessments.push_back(live_assessment(a));
    in.metrics.push_back(live_metrics(a));
  }

  std::vector<LogLine> lines;
  std::vector<std::string> read;
  for (const auto& path : in.log_files) {
    try {
      LogFile file = read_log_file(path);
      // A file found in a folder (a demo source's progress output beside the stage
      // logs) is simply not a log; one named on its own was meant to be.
      const bool named = std::find(f.logs.begin(), f.logs.end(), path) != f.logs.end();
      if (file.lines.empty() && named)
        in.problems.push_back(path + " has no log lines (" + std::to_string(file.skipped) +
                              " other line(s)); run stages with SLUICE_LOG_FORMAT=json");
      for (auto& l : file.lines) lines.push_back(std::move(l));
      read.push_back(path);
    } catch (const std::exception& e) {
      in.problems.push_back(e.what());
    }
  }
  in.log_files = read;
  in.logs = summarize_logs(std::move(lines), in.since_ms, in.until_ms);
  in.now_ms = now_ms();
  return in;
}

int postmortem(const PostmortemFlags& f) {
  std::error_code ec;
  if (fs::exists(f.out, ec) && !f.force) {
    throw std::runtime_error(f.out +
                             " already exists; a post-mortem may hold people's edits, so it is "
                             "not overwritten (use another --out, or --force)");
  }
  const PostmortemInput in = gather(f);
  const std::string md = render_postmortem(in);
  const fs::path tmp = f.out + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << md;
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, f.out);  // whole or not at all
  std::printf(
      "wrote %s: %zu timeline row(s) from %zu log line(s) in %zu file(s); %lld event(s) "
      "dead-lettered\n",
      f.out.c_str(), in.logs.timeline.size(), in.logs.lines_in_window, in.log_files.size(),
      static_cast<long long>(in.logs.total_dead_lettered()));
  for (const auto& p : in.problems)
    std::fprintf(stderr, "sluice: evidence not used: %s\n", p.c_str());
  std::printf("fill in the [bracketed] parts: root cause, resolution, owners, user impact\n");
  return in.problems.empty() ? 0 : 1;
}

}  // namespace

void add_postmortem_command(CLI::App* incident, std::vector<CLI::App*>& registered,
                            std::vector<Run>& runs) {
  auto f = std::make_shared<PostmortemFlags>();
  CLI::App* cmd = incident->add_subcommand(
      "postmortem",
      "Draft the post-mortem (Markdown): timeline, DLQ counts and figures from logs and snapshots");
  cmd->add_option("--out", f->out, "The Markdown file to write")->required();
  cmd->add_flag("--force", f->force, "Overwrite --out if it exists");
  cmd->add_option("--logs", f->logs,
                  "A stage log file (JSON lines: SLUICE_LOG_FORMAT=json), or a folder of them "
                  "(repeatable); default: the snapshot's logs/")
      ->take_all()
      ->expected(1);
  cmd->add_option("--snapshot", f->snapshot,
                  "A folder written by `sluice incident snapshot`: severity, figures, metrics");
  cmd->add_option("--since", f->since, "Only log lines at or after TS (ISO-8601 or epoch ms)");
  cmd->add_option("--until", f->until, "Only log lines at or before TS (ISO-8601 or epoch ms)");
  cmd->add_option("--title", f->title, "The incident's title; default: from the assessment");
  cmd->add_option("--severity", f->severity,
                  "The severity the incident had (SEV-1..SEV-4); default: the assessment's");
  // Unlike `assess`, no default endpoint: the live pipeline is evidence only when named
  // (--admin HOST:PORT, or --data-dir of a `sluice up`, whose logs/ are then read too).
  f->targets.add_to(cmd);
  cmd->add_option("--window", f->window,
                  "With --admin or --data-dir: how long to measure the live rates over, e.g. 10s")
      ->capture_default_str();
  registered.push_back(cmd);
  runs.push_back([f] { return postmortem(*f); });
}

}  // namespace sluice::cli
