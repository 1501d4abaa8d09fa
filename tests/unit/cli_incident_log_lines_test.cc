// Reading `sluice up`'s logs for the post-mortem: text lines give back their
// key=value fields (so dead-lettered records are counted from them), JSON lines
// in either level case with the process that wrote them, and repeated warnings
// become one timeline row per process, kind and episode. The lines are copied
// from a real `sluice up` run of examples/claims-attachments.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/incident/incident_log_lines.h"
#include "cli/incident/incident_timeline.h"
#include "cli/support/datetime.h"

namespace sluice::cli {
namespace {

constexpr const char* kDeadLettered =
    "2026-12-06T04:41:46.593Z WARN  stage: record failed; next: dead-letter queue "
    "trace_id=9e5d6da5cc91d5ad403a8d0610766a94 stage=download topic=claims.downloads partition=1 "
    "offset=14 category=permanent attempt=1 error=HTTP 404 from "
    "http://127.0.0.1:52421/files/C-7691000029/0.pdf (host 127.0.0.1); the link is wrong or "
    "expired, ask the claim's sender for a new one";

LogLine parsed(const std::string& text) {
  LogLine l;
  EXPECT_TRUE(parse_log_line(text, l)) << text;
  l.source = "download-1.log";
  return l;
}

// A warning of the retry kind at `iso`, as the download stage writes it.
LogLine retry_at(const std::string& iso) {
  return parsed(
      iso +
      " WARN  stage: record failed; next: retry trace_id=97817adba1fb09f3486c1592494d6296 "
      "stage=download topic=claims.downloads partition=0 offset=20 category=transient "
      "attempt=1 error=HTTP 503 from http://127.0.0.1:52421/files/C-7691000039/1.pdf");
}

TEST(IncidentLogLines, TextLinesGiveBackTheirFields) {
  const LogLine l = parsed(kDeadLettered);
  EXPECT_EQ(l.level, "WARN");
  EXPECT_EQ(l.component, "stage");
  EXPECT_EQ(l.msg, "record failed; next: dead-letter queue");
  EXPECT_EQ(l.fields.at("category"), "permanent");
  EXPECT_EQ(l.fields.at("stage"), "download");
  EXPECT_EQ(l.fields.at("offset"), "14");
  EXPECT_EQ(l.fields.at("error"),
            "HTTP 404 from http://127.0.0.1:52421/files/C-7691000029/0.pdf (host 127.0.0.1); the "
            "link is wrong or expired, ask the claim's sender for a new one");
  const LogLine plain = parsed(
      "2026-12-06T04:41:46.246Z INFO  stage: stage 'download' consuming claims.downloads in group "
      "'claims.download'");
  EXPECT_EQ(plain.msg, "stage 'download' consuming claims.downloads in group 'claims.download'");
  EXPECT_TRUE(plain.fields.empty());
}

TEST(IncidentLogLines, JsonLinesInEitherLevelCaseNameTheirProcess) {
  LogLine l;
  ASSERT_TRUE(parse_log_line(
      R"({"ts":"2026-12-06T04:25:16.123Z","level":"warn","component":"stage","msg":"record failed; next: dead-letter queue","process":"download#2","stage":"download","category":"permanent"})",
      l));
  EXPECT_EQ(l.level, "WARN");
  EXPECT_EQ(l.fields.at("process"), "download#2");
  EXPECT_EQ(l.ts_ms, parse_datetime_ms("2026-12-06T04:25:16.123Z"));
}

TEST(IncidentTimeline, DeadLetteredRecordsAreCountedFromTextLines) {
  std::vector<LogLine> lines = {parsed(kDeadLettered), parsed(kDeadLettered),
                                retry_at("2026-12-06T04:41:47.000Z")};
  const LogEvidence e = summarize_logs(lines, std::nullopt, std::nullopt);
  EXPECT_EQ(e.total_dead_lettered(), 2);
  EXPECT_EQ(e.dead_lettered.at("permanent"), 2);
  EXPECT_EQ(e.failed_attempts.at("transient"), 1);
}

TEST(IncidentTimeline, RepeatsAreOneRowPerProcessKindAndEpisode) {
  std::vector<LogLine> lines;
  // A burst over three minutes: one row, however many lines.
  for (int s = 0; s < 180; ++s)
    lines.push_back(retry_at(fmt::format("2026-12-06T05:{:02}:{:02}.000Z", s / 60, s % 60)));
  // The same kind from another process: its own row.
  LogLine other = retry_at("2026-12-06T05:01:00.500Z");
  other.source = "download-2.log";
  lines.push_back(other);
  // Back after 20 quiet minutes: a new episode, a new row.
  lines.push_back(retry_at("2026-12-06T05:23:00.000Z"));
  lines.push_back(retry_at("2026-12-06T05:23:30.000Z"));
  const LogEvidence e = summarize_logs(lines, std::nullopt, std::nullopt);
  ASSERT_EQ(e.timeline.size(), 3u);
  EXPECT_NE(e.timeline[0].event.find("**180 × warnings**"), std::string::npos)
      << e.timeline[0].event;
  EXPECT_NE(e.timeline[0].event.find("from 05:00:00.000 to 05:02:59.000"), std::string::npos)
      << e.timeline[0].event;
  EXPECT_EQ(e.timeline[1].source, "download-2.log");
  EXPECT_NE(e.timeline[2].event.find("**2 × warnings**"), std::string::npos) << e.timeline[2].event;
}

}  // namespace
}  // namespace sluice::cli
