// `sluice logs` (cli/logs/log_query.h): which lines a query picks and how a
// summary groups repeats.
#include <gtest/gtest.h>

#include "cli/logs/log_query.h"

namespace sluice::cli {
namespace {

LogLine line(int64_t ts, std::string level, std::string source, std::string msg) {
  LogLine l;
  l.ts_ms = ts;
  l.level = std::move(level);
  l.source = std::move(source);
  l.component = "stage";
  l.msg = std::move(msg);
  return l;
}

std::vector<LogLine> sample() {
  return {line(3000, "WARN", "download-1", "download timed out after 5000 ms"),
          line(1000, "INFO", "ingest-0", "stage 'ingest' assigned 3 partition(s)"),
          line(2000, "WARN", "download-0", "download timed out after 30 ms"),
          line(4000, "ERROR", "downloader-0", "stage failed"),
          line(5000, "INFO", "broker", "listener PLAINTEXT on 127.0.0.1:9092")};
}

std::vector<int64_t> times(const std::vector<LogLine>& lines) {
  std::vector<int64_t> out;
  for (const auto& l : lines) out.push_back(l.ts_ms);
  return out;
}

TEST(LogQuery, AStageNameMeansEveryReplicaAndNothingElse) {
  EXPECT_TRUE(source_matches("download-0", "download"));
  EXPECT_TRUE(source_matches("download-12", "download"));
  EXPECT_TRUE(source_matches("download#2", "download"));
  EXPECT_TRUE(source_matches("download#2", "download#2"));
  EXPECT_TRUE(source_matches("download-1", "download-1"));
  EXPECT_FALSE(source_matches("downloader-0", "download"));
  EXPECT_FALSE(source_matches("download-x", "download"));
  EXPECT_FALSE(source_matches("download-1", "download-0"));
  LogQuery q;
  q.stages = {"download"};
  EXPECT_EQ(times(select_lines(sample(), q)), (std::vector<int64_t>{2000, 3000}));
}

TEST(LogQuery, LinesComeInTimeOrderFilteredByLevelSinceAndTail) {
  LogQuery q;
  EXPECT_EQ(times(select_lines(sample(), q)), (std::vector<int64_t>{1000, 2000, 3000, 4000, 5000}));
  q.min_level = "WARN";
  EXPECT_EQ(times(select_lines(sample(), q)), (std::vector<int64_t>{2000, 3000, 4000}));
  q.since_ms = 2500;
  EXPECT_EQ(times(select_lines(sample(), q)), (std::vector<int64_t>{3000, 4000}));
  LogQuery last;
  last.tail = 2;
  EXPECT_EQ(times(select_lines(sample(), last)), (std::vector<int64_t>{4000, 5000}));
}

TEST(LogQuery, ASummaryCountsMessagesThatDifferOnlyInNumbersAsOneKindPerProcess) {
  std::vector<LogLine> lines = sample();
  for (int i = 0; i < 5; ++i)
    lines.push_back(line(6000 + i, "WARN", "download-0",
                         "download timed out after " + std::to_string(i) + " ms"));
  const std::vector<LogSummaryRow> rows = summarize(lines);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].source, "download-0");
  EXPECT_EQ(rows[0].count, 6);
  EXPECT_EQ(rows[0].kind, "download timed out after # ms");
  EXPECT_EQ(rows[0].first_ms, 2000);
  EXPECT_EQ(rows[0].last_ms, 6004);
  EXPECT_EQ(rows[0].example, "download timed out after 4 ms");
  EXPECT_EQ(rows.size(), 5u);  // download-1's timeout is its own row
}

TEST(LogQuery, ALineIsPrintedWithTimeLevelProcessAndFields) {
  LogLine l = line(1796556000250, "WARN", "download-0", "download failed");
  l.fields = {{"host", "files.example"}, {"process", "download-0"}};
  EXPECT_EQ(format_line(l),
            "2026-12-06 11:20:00.250 WARN  download-0 stage: download failed host=files.example");
}

}  // namespace
}  // namespace sluice::cli
