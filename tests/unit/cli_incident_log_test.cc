// The incident log as a specification: events round-trip through their line
// format, the log refuses events that do not fit, a torn last line is ignored
// and does not corrupt the next append, overdue follows the runbook's response
// times (next business day included), the statistics are the documented means,
// and the exporter's gauges follow the file.
#include <gtest/gtest.h>

#include <fstream>

#include "cli/incident/incident_log.h"
#include "cli/incident/incident_log_metrics.h"
#include "cli/incident/incident_stats.h"
#include "cli/support/datetime.h"
#include "ops/text_format.h"
#include "unit/temp_dir.h"

namespace sluice::cli {
namespace {

constexpr int64_t kMin = 60'000;

int64_t at(const char* iso) {
  return parse_datetime_ms(iso);
}

IncidentEvent opened(const std::string& id, int64_t when, ops::Severity s,
                     std::vector<std::string> alerts = {}, std::string stage = "") {
  IncidentEvent e;
  e.kind = IncidentEvent::Kind::kOpened;
  e.id = id;
  e.at_ms = when;
  e.severity = s;
  e.title = "title of " + id;
  e.alerts = std::move(alerts);
  e.stage = std::move(stage);
  return e;
}

IncidentEvent updated(const std::string& id, int64_t when, bool ack, bool mitigated = false) {
  IncidentEvent e;
  e.kind = IncidentEvent::Kind::kUpdated;
  e.id = id;
  e.at_ms = when;
  e.acknowledged = ack;
  e.mitigated = mitigated;
  return e;
}

IncidentEvent resolved(const std::string& id, int64_t when) {
  IncidentEvent e;
  e.kind = IncidentEvent::Kind::kResolved;
  e.id = id;
  e.at_ms = when;
  return e;
}

void append(const std::string& path, const IncidentEvent& e) {
  append_incident_event(path, [&](const IncidentLog&) { return e; });
}

TEST(IncidentLog, EveryFieldRoundTripsThroughOneLine) {
  IncidentEvent e = opened("INC-7", at("2026-12-06T04:25:16.123Z"), ops::Severity::kSev2,
                           {"KafkaWorkerDead", "KafkaConsumerLagHigh"}, "download");
  e.title = "download \"dead\"\nagain";
  e.fired_ms = at("2026-12-06T04:20:00Z");
  e.snapshot = "/tmp/snap";
  e.note = "paged";
  const std::string line = encode_incident_event(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto back = decode_incident_event(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, "INC-7");
  EXPECT_EQ(back->at_ms, e.at_ms);
  EXPECT_EQ(back->severity, ops::Severity::kSev2);
  EXPECT_EQ(back->title, e.title);
  EXPECT_EQ(back->alerts, e.alerts);
  EXPECT_EQ(back->fired_ms, e.fired_ms);
  EXPECT_EQ(back->snapshot, "/tmp/snap");
  EXPECT_EQ(back->note, "paged");
  IncidentEvent u = updated("INC-7", e.at_ms + 1, true, true);
  const auto u_back = decode_incident_event(encode_incident_event(u));
  ASSERT_TRUE(u_back);
  EXPECT_TRUE(u_back->acknowledged && u_back->mitigated);
  EXPECT_FALSE(
      decode_incident_event(R"({"v":2,"event":"opened","id":"X","at":"2026-12-06T04:25:16Z"})"));
  EXPECT_FALSE(decode_incident_event(R"({"v":1,"event":"opened","id":"X"})"));
  EXPECT_FALSE(decode_incident_event(R"({"v":1,"event":"upd)"));
}

TEST(IncidentLog, RefusesEventsThatDoNotFitAndWritesNothingThen) {
  testing::TempDir dir("incident-log");
  const std::string path = incident_log_path(dir.path().string());
  const int64_t t0 = at("2026-12-06T04:00:00Z");
  append(path, opened("INC-1", t0, ops::Severity::kSev1));
  EXPECT_THROW(append(path, updated("INC-9", t0 + kMin, true)), std::invalid_argument);
  append(path, updated("INC-1", t0 + kMin, true));
  EXPECT_THROW(append(path, updated("INC-1", t0 + 2 * kMin, true)), std::invalid_argument);
  EXPECT_THROW(append(path, updated("INC-1", t0 - kMin, false, true)), std::invalid_argument);
  append(path, resolved("INC-1", t0 + 3 * kMin));
  EXPECT_THROW(append(path, resolved("INC-1", t0 + 4 * kMin)), std::invalid_argument);
  EXPECT_THROW(append(path, opened("INC-1", t0, ops::Severity::kSev1)), std::invalid_argument);
  const IncidentLog log = read_incident_log(path);
  ASSERT_EQ(log.incidents.size(), 1u);
  EXPECT_EQ(log.damaged_lines, 0u);
  EXPECT_EQ(log.incidents[0].acked_ms, t0 + kMin);
  EXPECT_EQ(log.incidents[0].resolved_ms, t0 + 3 * kMin);
  EXPECT_EQ(log.next_id(), "INC-2");
}

TEST(IncidentLog, ATornLastLineIsIgnoredAndTheNextAppendStaysWhole) {
  testing::TempDir dir("incident-log");
  const std::string path = incident_log_path(dir.path().string());
  const int64_t t0 = at("2026-12-06T04:00:00Z");
  append(path, opened("INC-1", t0, ops::Severity::kSev3));
  // A crash in the middle of the second append: half a line, no newline.
  const std::string second = encode_incident_event(updated("INC-1", t0 + kMin, true));
  std::ofstream(path, std::ios::app) << second.substr(0, second.size() / 2);
  IncidentLog log = read_incident_log(path);
  EXPECT_EQ(log.damaged_lines, 1u);
  ASSERT_EQ(log.incidents.size(), 1u);
  EXPECT_FALSE(log.incidents[0].acked_ms) << "half an event is no event";

  append(path, updated("INC-1", t0 + 2 * kMin, true));
  log = read_incident_log(path);
  EXPECT_EQ(log.damaged_lines, 1u);
  EXPECT_EQ(log.incidents[0].acked_ms, t0 + 2 * kMin);
}

TEST(IncidentLog, AMissingFileIsAnEmptyLog) {
  testing::TempDir dir("incident-log");
  const IncidentLog log = read_incident_log((dir.path() / "none.jsonl").string());
  EXPECT_TRUE(log.incidents.empty());
  EXPECT_EQ(log.next_id(), "INC-1");
}

TEST(IncidentResponseTime, OverdueOnlyWhileOpenAndUnacknowledgedPastTheTable) {
  const ResponseTimes times;
  Incident i;
  i.severity = ops::Severity::kSev1;
  i.opened_ms = at("2026-12-07T10:00:00Z");  // a Monday
  EXPECT_FALSE(overdue(i, times, i.opened_ms + 15 * kMin));
  EXPECT_TRUE(overdue(i, times, i.opened_ms + 15 * kMin + 1));
  i.severity = ops::Severity::kSev2;
  EXPECT_FALSE(overdue(i, times, i.opened_ms + 60 * kMin));
  EXPECT_TRUE(overdue(i, times, i.opened_ms + 61 * kMin));
  i.severity = ops::Severity::kSev3;
  EXPECT_TRUE(overdue(i, times, i.opened_ms + 241 * kMin));
  i.acked_ms = i.opened_ms + 300 * kMin;
  EXPECT_FALSE(overdue(i, times, i.opened_ms + 400 * kMin)) << "acknowledged: responded to";
  i.acked_ms.reset();
  i.resolved_ms = i.opened_ms + 10 * kMin;
  EXPECT_FALSE(overdue(i, times, i.opened_ms + 400 * kMin)) << "resolved";
}

TEST(IncidentResponseTime, NextBusinessDayEndsAtMidnightAfterTheNextWeekday) {
  const ResponseTimes times;
  const auto sev4 = ops::Severity::kSev4;
  EXPECT_EQ(times.due_ms(sev4, at("2026-12-07T10:00:00Z")), at("2026-12-09T00:00:00Z"));  // Mon
  EXPECT_EQ(times.due_ms(sev4, at("2026-12-11T16:00:00Z")), at("2026-12-15T00:00:00Z"));  // Fri
  EXPECT_EQ(times.due_ms(sev4, at("2026-12-12T09:00:00Z")), at("2026-12-15T00:00:00Z"));  // Sat
  EXPECT_EQ(times.describe(sev4), "next business day");
}

TEST(IncidentResponseTime, EachSeverityCanBeOverridden) {
  ResponseTimes times;
  times.set("SEV-1=10m");
  times.set("P4=2h");
  EXPECT_EQ(times.due_ms(ops::Severity::kSev1, 0), 10 * kMin);
  EXPECT_EQ(times.due_ms(ops::Severity::kSev4, 0), 120 * kMin);
  EXPECT_EQ(times.describe(ops::Severity::kSev2), "1h");
  times.set("SEV-4=next-business-day");
  EXPECT_EQ(times.describe(ops::Severity::kSev4), "next business day");
  EXPECT_THROW(times.set("SEV-5=1h"), std::invalid_argument);
  EXPECT_THROW(times.set("SEV-1"), std::invalid_argument);
  EXPECT_THROW(times.set("SEV-1=soon"), std::invalid_argument);
}

TEST(IncidentStats, MeansPerSeverityAndRepeatsByFingerprintInTheWindow) {
  IncidentLog log;
  const int64_t t0 = at("2026-12-01T00:00:00Z");
  IncidentEvent a =
      opened("INC-1", t0 + 5 * kMin, ops::Severity::kSev2, {"KafkaWorkerDead"}, "download");
  a.fired_ms = t0;
  log.apply(a);
  log.apply(updated("INC-1", t0 + 15 * kMin, true));
  log.apply(resolved("INC-1", t0 + 65 * kMin));
  // Opened by hand (no alert time): MTTR from its opening.
  log.apply(
      opened("INC-2", t0 + 100 * kMin, ops::Severity::kSev2, {"KafkaWorkerDead"}, "download"));
  log.apply(resolved("INC-2", t0 + 130 * kMin));
  log.apply(opened("INC-3", t0 + 200 * kMin, ops::Severity::kSev1, {"BrokerDown"}));
  // Older than the window: counted nowhere.
  log.apply(opened("INC-0", t0 - 30 * 24 * 60 * kMin, ops::Severity::kSev2, {"KafkaWorkerDead"},
                   "download"));

  const IncidentStats s = incident_stats(log, t0 + 300 * kMin, 7 * 24 * 60 * kMin, {});
  const SeverityFigures& sev2 = s.by_severity[1];
  EXPECT_EQ(sev2.incidents, 2);
  EXPECT_EQ(sev2.open, 0);
  EXPECT_EQ(*sev2.mttd.mean_ms(), 5.0 * kMin);
  EXPECT_EQ(sev2.mttd.count, 1);
  EXPECT_EQ(*sev2.mtta.mean_ms(), 10.0 * kMin);
  EXPECT_EQ(*sev2.mttr.mean_ms(), (65.0 + 30.0) / 2 * kMin);
  EXPECT_EQ(sev2.mttr_from_opened, 1);
  const SeverityFigures& sev1 = s.by_severity[0];
  EXPECT_EQ(sev1.incidents, 1);
  EXPECT_EQ(sev1.open, 1);
  EXPECT_EQ(sev1.overdue, 1);
  EXPECT_FALSE(sev1.mttr.mean_ms());
  EXPECT_EQ(s.all.incidents, 3);
  ASSERT_EQ(s.repeated.size(), 1u);
  EXPECT_EQ(s.repeated[0].fingerprint, "KafkaWorkerDead@download");
  EXPECT_EQ(s.repeated[0].ids, (std::vector<std::string>{"INC-1", "INC-2"}));
  EXPECT_EQ(s.repeats, 1);
}

TEST(IncidentFingerprint, SortedAlertsAndStageElseTheTitle) {
  IncidentLog log;
  log.apply(opened("INC-1", 0, ops::Severity::kSev3, {"B", "A", "B"}, "ingest"));
  IncidentEvent by_hand = opened("INC-2", 0, ops::Severity::kSev3);
  by_hand.title = "Disk Full";
  log.apply(by_hand);
  EXPECT_EQ(log.incidents[0].fingerprint(), "A+B@ingest");
  EXPECT_EQ(log.incidents[1].fingerprint(), "disk full@-");
}

TEST(IncidentMetrics, GaugesFollowTheLogOnEveryScrape) {
  testing::TempDir dir("incident-log");
  const std::string path = incident_log_path(dir.path().string());
  const int64_t t0 = at("2026-12-07T10:00:00Z");
  int64_t now = t0;
  ops::MetricsRegistry registry;
  register_incident_metrics(registry, path, ResponseTimes(), [&] { return now; });
  auto value = [&](const std::string& name, const std::string& severity) {
    const auto page = ops::parse_prometheus_text(registry.render());
    const std::string series = severity.empty() ? name : name + "{severity=\"" + severity + "\"}";
    auto it = page.find(series);
    return it == page.end() ? -1.0 : it->second;
  };
  EXPECT_EQ(value("sluice_incidents_open", "SEV-1"), 0) << "every severity exists from the start";
  EXPECT_EQ(value("sluice_incident_overdue", "SEV-4"), 0);
  EXPECT_EQ(value("sluice_incident_log_readable", ""), 1);

  append(path, opened("INC-1", t0, ops::Severity::kSev1));
  append(path, opened("INC-2", t0, ops::Severity::kSev3));
  now = t0 + 16 * kMin;
  EXPECT_EQ(value("sluice_incidents_open", "SEV-1"), 1);
  EXPECT_EQ(value("sluice_incidents_open", "SEV-3"), 1);
  EXPECT_EQ(value("sluice_incident_overdue", "SEV-1"), 1);
  EXPECT_EQ(value("sluice_incident_overdue", "SEV-3"), 0);

  append(path, updated("INC-1", now, true));
  EXPECT_EQ(value("sluice_incident_overdue", "SEV-1"), 0) << "acknowledged";
  EXPECT_EQ(value("sluice_incidents_open", "SEV-1"), 1);
  append(path, resolved("INC-1", now));
  EXPECT_EQ(value("sluice_incidents_open", "SEV-1"), 0);

  std::ofstream(path, std::ios::app) << "{\"v\":1,\"ev";
  EXPECT_EQ(value("sluice_incident_log_damaged_lines", ""), 1);
}

}  // namespace
}  // namespace sluice::cli
