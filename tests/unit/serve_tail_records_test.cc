// TailRecords, the ticks of `sluice serve --bootstrap` that the table does not
// hold yet: an answer on snapshot S gets exactly the records after S's txn
// version of each partition or none at all; commits drop what they hold; the
// cap stops the reader where it resumes; records that are not rows are skipped.
#include <gtest/gtest.h>

#include "lake/delta/table_schema.h"
#include "serve/tail_records.h"

namespace sluice::serve {
namespace {

using lake::delta::TableState;
using lake::parquet::Row;
using lake::parquet::Type;
using Result = TailRecords::Result;

constexpr int64_t kDayUs = 86'400'000'000;

lake::delta::TableSchema tick_schema() {
  return {{"symbol", Type::kString, false},
          {"exchange_timestamp", Type::kTimestampMicros, false},
          {"volume", Type::kInt64, false},
          {"day", Type::kDate, true}};
}

// Version `version` of a ticks table, partition p of topic "t" committed through txns[p].
TableState snapshot(int64_t version, std::map<int32_t, int64_t> txns,
                    lake::delta::TableSchema schema = tick_schema()) {
  TableState s;
  s.version = version;
  s.metadata.schema_string = lake::delta::to_schema_string(schema);
  for (const auto& [p, offset] : txns) {
    const std::string app = "sink/t/" + std::to_string(p);
    s.txns[app] = {app, offset, 0};
  }
  return s;
}

std::string tick(int i) {
  return R"({"symbol": "BHP", "exchange_timestamp": )" + std::to_string(1'765'000'000'000 + i) +
         R"(, "volume": )" + std::to_string(i) + "}";
}

TailRecords records(int64_t max_records = 1000) {
  TailRecordsOptions o;
  o.stage = "sink";
  o.topic = "t";
  o.max_records = max_records;
  o.date_column = "day";
  o.time_column = "exchange_timestamp";
  return TailRecords(o);
}

// The volumes (= the records' numbers) an answer on `s` gets, or -1 alone when refused.
std::vector<int64_t> volumes_after(const TailRecords& r, const TableState& s) {
  std::vector<int64_t> out;
  if (!r.visit_after(s, [&](const Row& row) { out.push_back(std::get<int64_t>(row[2].v)); }))
    return {-1};
  return out;
}

TEST(TailRecordsTest, AnAnswerGetsTheRecordsAfterItsOwnSnapshotsTxnVersion) {
  TailRecords r = records();
  const TableState v1 = snapshot(1, {{0, 4}});
  EXPECT_TRUE(r.follow(v1));
  EXPECT_TRUE(r.add_partitions({0, 1}, v1));
  EXPECT_EQ(r.positions(), (std::map<int32_t, int64_t>{{0, 5}, {1, 0}}));  // 1: no txn, its start
  for (int i = 5; i < 10; ++i) EXPECT_EQ(r.add(0, i, tick(i)).result, Result::kKept);
  EXPECT_EQ(r.add(1, 0, tick(100)).result, Result::kKept);
  EXPECT_EQ(volumes_after(r, v1), (std::vector<int64_t>{5, 6, 7, 8, 9, 100}));
  // A commit through offset 7 lands while an answer is on v1: the answer on v2 gets 8 and 9
  // only, the one still on v1 gets 5..9 (the table of v1 lacks 5..7): each tick once in each.
  const TableState v2 = snapshot(2, {{0, 7}});
  EXPECT_EQ(volumes_after(r, v2), (std::vector<int64_t>{8, 9, 100}));
  EXPECT_EQ(volumes_after(r, v1), (std::vector<int64_t>{5, 6, 7, 8, 9, 100}));
}

TEST(TailRecordsTest, AfterFollowingANewerSnapshotAnOlderOneIsRefusedNotAnsweredInPart) {
  TailRecords r = records();
  const TableState v1 = snapshot(1, {{0, 4}});
  r.follow(v1);
  r.add_partitions({0}, v1);
  for (int i = 5; i < 10; ++i) r.add(0, i, tick(i));
  EXPECT_FALSE(r.follow(snapshot(2, {{0, 7}})));  // the reader is past 7: no seek
  EXPECT_EQ(r.counts().records, 2);
  EXPECT_EQ(volumes_after(r, v1), (std::vector<int64_t>{-1}));  // 5..7 are gone
  EXPECT_EQ(volumes_after(r, snapshot(3, {{0, 8}})), (std::vector<int64_t>{9}));
}

TEST(TailRecordsTest, ATableAheadOfTheReaderMovesItsPosition) {
  TailRecords r = records();
  const TableState v1 = snapshot(1, {{0, 4}});
  r.follow(v1);
  r.add_partitions({0}, v1);
  r.add(0, 5, tick(5));
  EXPECT_TRUE(r.follow(snapshot(2, {{0, 20}})));
  EXPECT_EQ(r.positions().at(0), 21);
  EXPECT_EQ(r.add(0, 6, tick(6)).result, Result::kIgnored);  // in flight from before the seek
  EXPECT_EQ(r.counts().records, 0);
}

TEST(TailRecordsTest, TheCapStopsTheReaderWhereItResumesOnceCommitsFreeAQuarter) {
  TailRecords r = records(/*max_records=*/8);
  const TableState v1 = snapshot(1, {{0, -1}});
  r.follow(v1);
  r.add_partitions({0}, v1);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(r.add(0, i, tick(i)).result, Result::kKept);
  EXPECT_EQ(r.add(0, 8, tick(8)).result, Result::kFull);
  EXPECT_TRUE(r.counts().full);
  EXPECT_EQ(r.add(0, 9, tick(9)).result, Result::kIgnored);
  EXPECT_EQ(r.positions().at(0), 8);              // the first record not kept
  EXPECT_FALSE(r.follow(snapshot(2, {{0, 0}})));  // 7 held: less than a quarter freed
  EXPECT_TRUE(r.counts().full);
  EXPECT_TRUE(r.follow(snapshot(3, {{0, 1}})));  // 6 held: reading again, from offset 8
  EXPECT_FALSE(r.counts().full);
  EXPECT_EQ(r.add(0, 8, tick(8)).result, Result::kKept);
  EXPECT_EQ(volumes_after(r, snapshot(3, {{0, 1}})), (std::vector<int64_t>{2, 3, 4, 5, 6, 7, 8}));
}

TEST(TailRecordsTest, ARecordThatIsNotARowIsSkippedAndReadPast) {
  TailRecords r = records();
  const TableState v1 = snapshot(1, {{0, -1}});
  r.follow(v1);
  r.add_partitions({0}, v1);
  EXPECT_EQ(r.add(0, 0, "{not json").result, Result::kSkipped);
  const auto missing = r.add(0, 1, R"({"symbol": "BHP", "volume": 3})");
  EXPECT_EQ(missing.result, Result::kSkipped);
  EXPECT_NE(missing.why.find("exchange_timestamp"), std::string::npos) << missing.why;
  EXPECT_EQ(r.add(0, 2, tick(2)).result, Result::kKept);
  EXPECT_EQ(r.positions().at(0), 3);
  EXPECT_EQ(volumes_after(r, v1), (std::vector<int64_t>{2}));
}

TEST(TailRecordsTest, TheDateColumnIsTheUtcDayOfTheTimeWhenTheRecordLacksIt) {
  TailRecords r = records();
  const TableState v1 = snapshot(1, {{0, -1}});
  r.follow(v1);
  r.add_partitions({0}, v1);
  r.add(0, 0, tick(0));
  int32_t day = -1;
  r.visit_after(v1, [&](const Row& row) { day = std::get<int32_t>(row[3].v); });
  EXPECT_EQ(day, int32_t((1'765'000'000'000 * 1000) / kDayUs));  // epoch ms, as the sink reads it
}

TEST(TailRecordsTest, NothingIsReadBeforeATableAndANewSchemaStartsOver) {
  TailRecords r = records();
  EXPECT_FALSE(r.add_partitions({0}, TableState{}));  // no table: no columns to decode with
  EXPECT_EQ(volumes_after(r, snapshot(1, {})), std::vector<int64_t>{});
  const TableState v1 = snapshot(1, {{0, -1}});
  r.follow(v1);
  r.add_partitions({0}, v1);
  r.add(0, 0, tick(0));
  auto other = tick_schema();
  other.push_back({"price", Type::kDouble, true});
  const TableState v2 = snapshot(2, {{0, 5}}, other);
  EXPECT_EQ(volumes_after(r, v2), (std::vector<int64_t>{-1}));  // decoded with other columns
  EXPECT_TRUE(r.follow(v2));
  EXPECT_EQ(r.counts().records, 0);
  EXPECT_EQ(r.positions().at(0), 6);
}

}  // namespace
}  // namespace sluice::serve
