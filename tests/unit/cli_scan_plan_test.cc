// Which offsets a topic scan reads, without a broker: a first scan reads each
// partition's whole log (or from --since), a resumed scan only what was
// appended since, and a log that no longer holds what was read before (records
// deleted, topic recreated, partition gone) is refused so the caller starts over.
#include <gtest/gtest.h>

#include "cli/support/scan_plan.h"

namespace sluice::cli {
namespace {

void expect_span(const ScanSpans& spans, int32_t p, int64_t start, int64_t from, int64_t end) {
  ASSERT_TRUE(spans.count(p)) << "partition " << p;
  EXPECT_EQ(spans.at(p).start, start) << "partition " << p;
  EXPECT_EQ(spans.at(p).from, from) << "partition " << p;
  EXPECT_EQ(spans.at(p).end, end) << "partition " << p;
}

TEST(CliScanPlan, AFirstScanReadsEachPartitionFromItsLogStartToItsEnd) {
  const ScanSpans s = plan_scan({{0, {0, 10}}, {1, {4, 4}}, {2, {3, 8}}}, std::nullopt);
  expect_span(s, 0, 0, 0, 10);
  expect_span(s, 1, 4, 4, 4);  // empty, remembered so a resumed scan knows it
  expect_span(s, 2, 3, 3, 8);
}

TEST(CliScanPlan, SinceStartsAtTheFirstRecordThatLateAndSkipsPartitionsWithNone) {
  const ScanSpans s = plan_scan({{0, {0, 10}}, {1, {0, 5}}, {2, {6, 9}}},
                                std::map<int32_t, int64_t>{{0, 7}, {1, -1}, {2, 2}});
  expect_span(s, 0, 7, 7, 10);
  EXPECT_FALSE(s.count(1));
  expect_span(s, 2, 6, 6, 9);  // the broker's answer never goes below the log start
}

TEST(CliScanPlan, AResumedScanReadsOnlyWhatWasAppended) {
  const ScanSpans first = plan_scan({{0, {0, 10}}, {1, {0, 3}}}, std::nullopt);
  const ScanSpans again = plan_scan({{0, {0, 25}}, {1, {0, 3}}, {2, {0, 4}}}, std::nullopt, first);
  expect_span(again, 0, 0, 10, 25);
  expect_span(again, 1, 0, 3, 3);  // nothing new
  expect_span(again, 2, 0, 0, 4);  // a partition added since: read whole
}

TEST(CliScanPlan, AResumedScanKeepsItsSinceStart) {
  const ScanSpans first = plan_scan({{0, {0, 10}}}, std::map<int32_t, int64_t>{{0, 6}});
  const ScanSpans again = plan_scan({{0, {0, 12}}}, std::map<int32_t, int64_t>{{0, 6}}, first);
  expect_span(again, 0, 6, 10, 12);
}

TEST(CliScanPlan, RecordsDeletedBelowWhatWasReadRefuseToResume) {
  const ScanSpans first = plan_scan({{0, {0, 10}}}, std::nullopt);
  EXPECT_THROW(plan_scan({{0, {5, 20}}}, std::nullopt, first), ScanResumeMismatch);
}

TEST(CliScanPlan, ARecreatedTopicShorterThanWhatWasReadRefusesToResume) {
  const ScanSpans first = plan_scan({{0, {0, 10}}}, std::nullopt);
  EXPECT_THROW(plan_scan({{0, {0, 4}}}, std::nullopt, first), ScanResumeMismatch);
}

TEST(CliScanPlan, APartitionThatIsGoneRefusesToResume) {
  const ScanSpans first = plan_scan({{0, {0, 10}}, {1, {0, 2}}}, std::nullopt);
  EXPECT_THROW(plan_scan({{0, {0, 10}}}, std::nullopt, first), ScanResumeMismatch);
}

}  // namespace
}  // namespace sluice::cli
