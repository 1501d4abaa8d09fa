// Delta tables on the local object store: what a writer commits, a reader
// rebuilds — from JSON commits, from checkpoints, and under concurrent writers.
#include "lake/delta/delta_table.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "lake/delta/checkpoint.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/transaction.h"
#include "lake/store/object_store.h"

namespace sluice::lake::delta {
namespace {

namespace fs = std::filesystem;
using parquet::Row;
using parquet::Type;

class DeltaTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-delta-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    store_ = open_store(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  TableSchema schema() const {
    return {{"id", Type::kInt64, false}, {"name", Type::kString, true}};
  }
  std::vector<Row> rows(int64_t from, int64_t count) const {
    std::vector<Row> out;
    for (int64_t i = from; i < from + count; ++i) out.push_back({i, "n" + std::to_string(i)});
    return out;
  }

  fs::path dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(DeltaTableTest, CreateWritesProtocolAndMetadataAsVersionZero) {
  DeltaTable table(*store_, "t");
  TableState s = table.create_or_check("events", schema());
  EXPECT_EQ(s.version, 0);
  EXPECT_EQ(s.protocol.min_reader_version, 1);
  EXPECT_EQ(parse_schema_string(s.metadata.schema_string).size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "t/_delta_log/00000000000000000000.json"));
}

TEST_F(DeltaTableTest, ReopeningWithTheSameSchemaIsANoOpAndADifferentSchemaIsRefused) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  EXPECT_EQ(table.create_or_check("events", schema()).version, 0);
  TableSchema other = {{"id", Type::kString, false}};
  EXPECT_THROW(table.create_or_check("events", other), DeltaError);
}

TEST_F(DeltaTableTest, AppendsBecomeLiveFilesWithStatsAndTxnVersions) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  table.append(rows(0, 10), {{"stage/in/0", 9}});
  table.append(rows(10, 5), {{"stage/in/0", 14}, {"stage/in/1", 3}});
  TableState s = table.state();
  EXPECT_EQ(s.version, 2);
  EXPECT_EQ(s.files.size(), 2u);
  EXPECT_EQ(s.live_records(), 15);
  EXPECT_EQ(s.txn_version("stage/in/0"), 14);
  EXPECT_EQ(s.txn_version("stage/in/1"), 3);
  EXPECT_EQ(s.txn_version("stage/in/2"), -1);
  for (const auto& [path, f] : s.files) {
    EXPECT_TRUE(fs::exists(dir_ / "t" / path)) << path;
    EXPECT_NE(f.stats.find("\"numRecords\""), std::string::npos);
  }
}

TEST_F(DeltaTableTest, StatsCarryBoundsAndNullCountsPerColumn) {
  std::vector<parquet::ColumnStats> stats = {
      {"id", 0, Row{int64_t(3)}[0], Row{int64_t(9)}[0]},
      {"name", 2, Row{std::string("a")}[0], Row{std::string("z")}[0]}};
  EXPECT_EQ(stats_json(schema(), 7, stats),
            R"({"numRecords":7,"minValues":{"id":3,"name":"a"},"maxValues":{"id":9,"name":"z"},)"
            R"("nullCount":{"id":0,"name":2}})");
}

TEST_F(DeltaTableTest, ConcurrentBlindAppendsAllLand) {
  DeltaTable setup(*store_, "t");
  setup.create_or_check("events", schema());
  constexpr int kWriters = 4, kCommits = 8;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto store = open_store(dir_.string());  // as separate processes would
      DeltaTable table(*store, "t", /*checkpoint_interval=*/5);
      for (int c = 0; c < kCommits; ++c) table.append(rows(w * 1000 + c * 10, 10), {});
    });
  }
  for (auto& t : writers) t.join();
  TableState s = setup.state();
  EXPECT_EQ(s.version, kWriters * kCommits);
  EXPECT_EQ(s.live_records(), kWriters * kCommits * 10);
}

TEST_F(DeltaTableTest, TwoWritersForTheSameTxnAppConflictInsteadOfBothWriting) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  TableState read = table.state();
  Transaction first(table.log(), read), second(table.log(), read);
  first.set_txn("stage/in/0", 10);
  second.set_txn("stage/in/0", 10);
  first.commit("WRITE");
  EXPECT_THROW(second.commit("WRITE"), ConflictError);
  EXPECT_EQ(table.state().version, 1);
}

TEST_F(DeltaTableTest, CheckpointReproducesTheStateWithoutTheJsonBeforeIt) {
  DeltaTable table(*store_, "t", /*checkpoint_interval=*/3);
  table.create_or_check("events", schema());
  for (int i = 0; i < 4; ++i) table.append(rows(i * 10, 10), {{"app", i}});
  TableState replayed = table.state();
  ASSERT_TRUE(fs::exists(dir_ / "t/_delta_log/00000000000000000003.checkpoint.parquet"));
  ASSERT_TRUE(fs::exists(dir_ / "t/_delta_log/_last_checkpoint"));
  for (int v = 0; v <= 3; ++v) {
    char name[32];
    std::snprintf(name, sizeof name, "%020d.json", v);
    fs::remove(dir_ / "t/_delta_log" / name);
  }
  TableState loaded = table.state();
  EXPECT_EQ(loaded.version, replayed.version);
  EXPECT_EQ(loaded.files.size(), replayed.files.size());
  EXPECT_EQ(loaded.txn_version("app"), 3);
  EXPECT_EQ(loaded.metadata.schema_string, replayed.metadata.schema_string);
  EXPECT_EQ(loaded.live_records(), 40);
}

TEST_F(DeltaTableTest, VacuumRemovesOrphansAndKeepsLiveFiles) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  table.append(rows(0, 10), {});
  // An upload whose commit never happened (a crash in between).
  AddFile orphan = write_data_file(table.log(), schema(), rows(100, 5), {});
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // older than "now" at vacuum time
  VacuumReport dry = table.vacuum(/*older_than_ms=*/0, /*dry_run=*/true);
  ASSERT_EQ(dry.removed_orphans.size(), 1u);
  EXPECT_EQ(dry.removed_orphans[0], orphan.path);
  EXPECT_TRUE(fs::exists(dir_ / "t" / orphan.path));
  table.vacuum(0, false);
  EXPECT_FALSE(fs::exists(dir_ / "t" / orphan.path));
  for (const auto& [path, f] : table.state().files) EXPECT_TRUE(fs::exists(dir_ / "t" / path));
}

TEST_F(DeltaTableTest, VacuumSparesRecentOrphansThatMayBelongToACommitInProgress) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  write_data_file(table.log(), schema(), rows(0, 5), {});
  EXPECT_TRUE(table.vacuum(/*older_than_ms=*/3600000, true).removed_orphans.empty());
}

TEST_F(DeltaTableTest, OptimizeCompactsSmallFilesWithoutChangingTheRows) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  for (int i = 0; i < 6; ++i) table.append(rows(i * 10, 10), {{"app", i}});
  OptimizeReport r = table.optimize(/*target_bytes=*/64 << 20, /*min_files=*/2);
  EXPECT_EQ(r.files_rewritten, 6);
  EXPECT_EQ(r.files_written, 1);
  TableState s = table.state();
  EXPECT_EQ(s.files.size(), 1u);
  EXPECT_EQ(s.live_records(), 60);
  EXPECT_EQ(s.txn_version("app"), 5);
  EXPECT_FALSE(s.files.begin()->second.data_change);
  EXPECT_EQ(table.history(1)[0].operation, "OPTIMIZE");
}

TEST_F(DeltaTableTest, ADamagedCommitNamesTheFileAndLine) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  std::ofstream(dir_ / "t/_delta_log/00000000000000000001.json") << "{\"add\":{}}\nnot json\n";
  try {
    table.state();
    FAIL() << "expected DeltaError";
  } catch (const DeltaError& e) {
    EXPECT_NE(std::string(e.what()).find("00000000000000000001.json line 2"), std::string::npos)
        << e.what();
  }
}

TEST_F(DeltaTableTest, AGapInTheLogIsReportedNotSkipped) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  table.append(rows(0, 1), {});
  table.append(rows(1, 1), {});
  fs::remove(dir_ / "t/_delta_log/00000000000000000001.json");
  EXPECT_THROW(table.state(), DeltaError);
}

}  // namespace
}  // namespace sluice::lake::delta
