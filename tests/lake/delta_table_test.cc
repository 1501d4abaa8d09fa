// Delta tables on the local object store: what a writer commits, a reader
// rebuilds — from JSON commits, from checkpoints, and under concurrent writers.
#include "lake/delta/delta_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "lake/delta/checkpoint.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/partitions.h"
#include "lake/delta/time_text.h"
#include "lake/delta/transaction.h"
#include "lake/parquet/file_reader.h"
#include "lake/store/object_store.h"
#include "parquet_test_util.h"

namespace sluice::lake::delta {
namespace {

namespace fs = std::filesystem;
using parquet::Row;
using parquet::Type;
using parquet::testing::show;

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

  static std::string commit_name(int version) {
    char name[32];
    std::snprintf(name, sizeof name, "%020d.json", version);
    return name;
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

// The table sink compacts after its commits: tiered, a compacted file is not
// rewritten with every few new small files, only once enough of its size exist.
TEST_F(DeltaTableTest, TieredOptimizeLeavesACompactedFileUntilOthersOfItsSizeExist) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  int64_t next = 0;
  auto append_small = [&](int files) {
    for (int i = 0; i < files; ++i, next += 10) table.append(rows(next, 10), {});
  };
  append_small(3);
  OptimizeReport first = table.optimize(64 << 20, /*min_files=*/3, {}, {}, /*tiered=*/true);
  EXPECT_EQ(first.files_rewritten, 3);
  append_small(3);
  OptimizeReport second = table.optimize(64 << 20, 3, {}, {}, true);
  EXPECT_EQ(second.files_rewritten, 3) << "the three new small files, not the compacted one";
  EXPECT_EQ(table.state().files.size(), 2u);
  EXPECT_EQ(table.state().live_records(), 60);
  for (const auto& [path, f] : table.state().files) EXPECT_EQ(compaction_level(path), 1) << path;
  append_small(3);  // three level-0 files: with the two level-1 ones, nothing is rewritten twice
  EXPECT_EQ(table.optimize(64 << 20, 3, {}, {}, true).files_rewritten, 3);
  OptimizeReport third = table.optimize(64 << 20, 3, {}, {}, true);
  EXPECT_EQ(third.files_rewritten, 3) << "three level-1 files make one of level 2";
  EXPECT_EQ(table.state().files.size(), 1u);
  EXPECT_EQ(compaction_level(table.state().files.begin()->first), 2);
  EXPECT_EQ(table.state().live_records(), 90);
  append_small(1);
  // Untiered (`sluice table optimize`), every small file of the partition is combined.
  OptimizeReport all = table.optimize(64 << 20, 2);
  EXPECT_EQ(all.files_rewritten, 2);
  EXPECT_EQ(table.state().files.size(), 1u);
  EXPECT_EQ(table.state().live_records(), 100);
}

// The ids of the table's one live file, in the file's row order.
std::vector<int64_t> ids_in_file_order(DeltaTable& table) {
  const TableState s = table.state();
  EXPECT_EQ(s.files.size(), 1u);
  std::vector<int64_t> ids;
  for (const Row& row :
       read_data_file(table.log(), PartitionLayout(s.metadata), s.files.begin()->second))
    ids.push_back(std::get<int64_t>(row[0].v));
  return ids;
}

TEST_F(DeltaTableTest, SortByOrdersEachFileAppendedAndEachFileOptimizeWrites) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", schema());
  const SortOrder by_name_then_id = {"name", "id"};
  auto row = [](int64_t id, parquet::Value name) { return Row{id, std::move(name)}; };
  // By name (bytes: "n10" before "n9"), equal names by id.
  table.append({row(9, std::string("n9")), row(10, std::string("n10")), row(3, std::string("n1")),
                row(1, std::string("n1"))},
               {}, {}, by_name_then_id);
  EXPECT_EQ(ids_in_file_order(table), (std::vector<int64_t>{1, 3, 10, 9}));
  table.append({row(0, std::string("n0")), row(2, parquet::Value())}, {}, {}, by_name_then_id);
  table.optimize(64 << 20, 2, {}, by_name_then_id);
  EXPECT_EQ(ids_in_file_order(table), (std::vector<int64_t>{2, 0, 1, 3, 10, 9}))
      << "null first, then the two files' rows sorted together";
  EXPECT_THROW(table.append(rows(0, 2), {}, {}, {"nope"}), DeltaError);
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

// ---- partitioned tables ----

class PartitionedTableTest : public DeltaTableTest {
 protected:
  TableSchema events() const {
    return {{"id", Type::kInt64, false}, {"source", Type::kString, true}, {"day", Type::kDate}};
  }
  static Row event(int64_t id, std::optional<std::string> source, int32_t day = 20000) {
    return {id, source ? parquet::Value(*source) : parquet::Value(), day};
  }
  // Every live row, read back through the log as rows of the table.
  std::vector<Row> live_rows(DeltaTable& table) const {
    TableState s = table.state();
    PartitionLayout layout(s.metadata);
    std::vector<Row> out;
    for (const auto& [path, f] : s.files) {
      for (auto& row : read_data_file(table.log(), layout, f)) out.push_back(std::move(row));
    }
    std::sort(out.begin(), out.end(), [](const Row& a, const Row& b) {
      return std::get<int64_t>(a[0].v) < std::get<int64_t>(b[0].v);
    });
    return out;
  }
  std::string commit_text(int version) const {
    std::ifstream in(dir_ / "t/_delta_log" / commit_name(version));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The top-level column names of a data file, read from its Parquet footer.
  std::vector<std::string> file_columns(const std::string& uri_path) const {
    auto bytes = store_->get("t/" + path_from_uri(uri_path));
    std::vector<std::string> out;
    const parquet::FileReader reader(std::move(*bytes));
    for (const auto& f : reader.schema()) out.push_back(f.name);
    return out;
  }
};

TEST_F(PartitionedTableTest, CreateRecordsThePartitionColumnsInTheMetadata) {
  DeltaTable table(*store_, "t");
  TableState s = table.create_or_check("events", events(), {"source", "day"});
  EXPECT_EQ(s.metadata.partition_columns, (std::vector<std::string>{"source", "day"}));
  EXPECT_NE(commit_text(0).find(R"("partitionColumns":["source","day"])"), std::string::npos);
  EXPECT_EQ(table.create_or_check("events", events(), {"source", "day"}).version, 0);
}

TEST_F(PartitionedTableTest, AppendWritesOneFilePerPartitionInOneCommit) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", events(), {"source"});
  table.append({event(1, "a"), event(2, "b"), event(3, "a"), event(4, std::nullopt)},
               {{"stage/in/0", 41}});
  TableState s = table.state();
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.txn_version("stage/in/0"), 41);
  EXPECT_EQ(s.live_records(), 4);
  std::map<std::string, std::optional<std::string>> directory_to_value;
  for (const auto& [path, f] : s.files) {
    const std::string directory = path.substr(0, path.find('/') + 1);
    directory_to_value[directory] = f.partition_values.at("source");
    EXPECT_TRUE(fs::exists(dir_ / "t" / path)) << path;
    // The partition column lives in the path and the log, not in the file.
    EXPECT_EQ(file_columns(path), (std::vector<std::string>{"id", "day"})) << path;
    EXPECT_EQ(f.stats.find("source"), std::string::npos) << f.stats;
  }
  EXPECT_EQ(
      directory_to_value,
      (std::map<std::string, std::optional<std::string>>{
          {"source=a/", "a"}, {"source=b/", "b"}, {"source=__HIVE_DEFAULT_PARTITION__/", {}}}));
  EXPECT_NE(commit_text(1).find(R"("partitionValues":{"source":null})"), std::string::npos);
  EXPECT_EQ(table.history(1)[0].files_added, 3);
  EXPECT_EQ(show(live_rows(table)),
            show(std::vector<Row>{event(1, "a"), event(2, "b"), event(3, "a"), event(4, {})}));
}

TEST_F(PartitionedTableTest, PartitionValuesAreEscapedInPathsAndReadBackUnchanged) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", events(), {"source", "day"});
  const std::string odd = "a/b=c%d:e\x01";
  table.append({event(1, odd, 0), event(2, std::nullopt, 0)}, {});
  TableState s = table.state();
  ASSERT_EQ(s.files.size(), 2u);
  std::set<std::string> directories;
  for (const auto& [path, f] : s.files) {
    const std::string stored = path_from_uri(path);
    directories.insert(stored.substr(0, stored.rfind('/') + 1));
    EXPECT_TRUE(fs::exists(dir_ / "t" / stored)) << stored;
    EXPECT_EQ(f.partition_values.at("day"), "1970-01-01");
  }
  EXPECT_EQ(directories,
            (std::set<std::string>{"source=a%2Fb%3Dc%25d%3Ae%01/day=1970-01-01/",
                                   "source=__HIVE_DEFAULT_PARTITION__/day=1970-01-01/"}));
  // add.path is a URI: the directory's '%' is "%25" in the log.
  EXPECT_NE(commit_text(1).find(R"("path":"source=a%252Fb%253Dc%2525d%253Ae%2501/day=1970-01-01/)"),
            std::string::npos)
      << commit_text(1);
  EXPECT_EQ(show(live_rows(table)), show(std::vector<Row>{event(1, odd, 0), event(2, {}, 0)}));
}

TEST_F(PartitionedTableTest, ValuesAreSerializedAsTheProtocolSays) {
  using parquet::Value;
  EXPECT_EQ(serialize_partition_value(Value(std::string("x y")), Type::kString), "x y");
  EXPECT_EQ(serialize_partition_value(Value(std::string()), Type::kString), std::nullopt);
  EXPECT_EQ(serialize_partition_value(Value(), Type::kInt64), std::nullopt);
  EXPECT_EQ(serialize_partition_value(Value(int64_t(-42)), Type::kInt64), "-42");
  EXPECT_EQ(serialize_partition_value(Value(int32_t(7)), Type::kInt32), "7");
  EXPECT_EQ(serialize_partition_value(Value(true), Type::kBoolean), "true");
  EXPECT_EQ(serialize_partition_value(Value(int32_t(20784)), Type::kDate), "2026-11-27");
  EXPECT_EQ(serialize_partition_value(Value(int32_t(-1)), Type::kDate), "1969-12-31");
  EXPECT_EQ(serialize_partition_value(Value(int64_t(1795780800123456)), Type::kTimestampMicros),
            "2026-11-27 12:00:00.123456");
  EXPECT_EQ(serialize_partition_value(Value(int64_t(-1)), Type::kTimestampMicros),
            "1969-12-31 23:59:59.999999");
  EXPECT_THROW(serialize_partition_value(Value(1.5), Type::kDouble), DeltaError);
  EXPECT_EQ(show(parse_partition_value("2026-11-27 12:00:00.123456", Type::kTimestampMicros, "t")),
            "i64:1795780800123456");
  EXPECT_EQ(show(parse_partition_value("2026-11-27T12:00:00.5Z", Type::kTimestampMicros, "t")),
            "i64:1795780800500000");
  EXPECT_EQ(show(parse_partition_value("2026-11-27", Type::kDate, "d")), "i32:20784");
  EXPECT_EQ(show(parse_partition_value("", Type::kString, "s")), "null");
  EXPECT_EQ(show(parse_partition_value("false", Type::kBoolean, "b")), "false");
  EXPECT_THROW(parse_partition_value("2026-02-30", Type::kDate, "d"), DeltaError);
  EXPECT_THROW(parse_partition_value("12x", Type::kInt64, "n"), DeltaError);
  EXPECT_EQ(escape_path_segment("a b\t#é"), "a b%09%23é");
  const std::string path = "s=a%2Fb c/p\x7f.parquet";
  EXPECT_EQ(path_to_uri(path), "s=a%252Fb%20c/p%7F.parquet");
  EXPECT_EQ(path_from_uri(path_to_uri(path)), path);
}

TEST_F(PartitionedTableTest, ARowWhosePartitionDirectoryNameIsTooLongIsRefused) {
  PartitionLayout layout(events(), {"source"});
  EXPECT_EQ(layout.row_problem(event(1, std::string(248, 'x'))), "");  // "source=" + 248 = 255
  EXPECT_NE(layout.row_problem(event(1, std::string(249, 'x'))).find("column 'source'"),
            std::string::npos);
  EXPECT_NE(layout.row_problem(event(1, std::string(100, '/'))), "");  // escaped: 300 bytes
  EXPECT_EQ(PartitionLayout(events(), {}).row_problem(event(1, std::string(999, 'x'))), "");
}

TEST_F(PartitionedTableTest, CreateOrCheckRefusesOtherPartitionColumnsAndSaysWhatToDo) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", events(), {"source"});
  try {
    table.create_or_check("events", events(), {});
    FAIL() << "expected DeltaError";
  } catch (const DeltaError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("is partitioned by [source], not by []"), std::string::npos) << what;
    EXPECT_NE(what.find("set partition_by to [source]"), std::string::npos) << what;
  }
  EXPECT_THROW(table.create_or_check("events", events(), {"day", "source"}), DeltaError);
  DeltaTable other(*store_, "u");
  EXPECT_THROW(other.create_or_check("events", events(), {"nope"}), DeltaError);
  EXPECT_THROW(other.create_or_check("events", {{"x", Type::kDouble}}, {"x"}), DeltaError);
  EXPECT_EQ(other.state().version, -1);  // nothing was created
}

TEST_F(PartitionedTableTest, OptimizeCompactsEachPartitionIntoItsOwnDirectory) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", events(), {"source"});
  for (int i = 0; i < 3; ++i)
    table.append({event(i * 10, "a"), event(i * 10 + 1, "b"), event(i * 10 + 2, std::nullopt)},
                 {{"app", i}});
  const std::vector<Row> before = live_rows(table);
  OptimizeReport r = table.optimize(/*target_bytes=*/64 << 20, /*min_files=*/2);
  EXPECT_EQ(r.files_rewritten, 9);
  EXPECT_EQ(r.files_written, 3);
  TableState s = table.state();
  ASSERT_EQ(s.files.size(), 3u);
  for (const auto& [path, f] : s.files) {
    const auto value = f.partition_values.at("source");
    const std::string directory =
        "source=" + (value ? *value : std::string(kNullPartitionDirectory)) + "/";
    EXPECT_EQ(path.substr(0, directory.size()), directory) << path;
    EXPECT_FALSE(f.data_change);
  }
  EXPECT_EQ(s.live_records(), 9);
  EXPECT_EQ(show(live_rows(table)), show(before));
  EXPECT_EQ(s.txn_version("app"), 2);
}

TEST_F(PartitionedTableTest, OptimizeLeavesAPartitionWithOneSmallFileAlone) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", events(), {"source"});
  table.append({event(1, "a"), event(2, "b")}, {});
  table.append({event(3, "a")}, {});
  OptimizeReport r = table.optimize(64 << 20, 2);
  EXPECT_EQ(r.files_rewritten, 2);  // the two files of "a"; "b" has one
  EXPECT_EQ(table.state().files.size(), 2u);
}

TEST_F(PartitionedTableTest, CheckpointKeepsPartitionValuesIncludingNull) {
  DeltaTable table(*store_, "t", /*checkpoint_interval=*/3);
  table.create_or_check("events", events(), {"source"});
  table.append({event(1, "a"), event(2, std::nullopt)}, {});
  table.append({event(3, "a"), event(4, std::nullopt)}, {});
  table.optimize(64 << 20, 2);  // version 3: tombstones with partition values, and a checkpoint
  TableState replayed = table.state();
  ASSERT_TRUE(fs::exists(dir_ / "t/_delta_log/00000000000000000003.checkpoint.parquet"));
  for (int v = 0; v <= 3; ++v) fs::remove(dir_ / "t/_delta_log" / commit_name(v));
  TableState loaded = table.state();
  EXPECT_EQ(loaded.metadata.partition_columns, std::vector<std::string>{"source"});
  ASSERT_EQ(loaded.files.size(), replayed.files.size());
  for (const auto& [path, f] : replayed.files)
    EXPECT_EQ(loaded.files.at(path).partition_values, f.partition_values) << path;
  ASSERT_EQ(loaded.tombstones.size(), 4u);
  for (const auto& [path, r] : replayed.tombstones)
    EXPECT_EQ(loaded.tombstones.at(path).partition_values, r.partition_values) << path;
  EXPECT_EQ(live_rows(table).size(), 4u);
}

TEST_F(PartitionedTableTest, VacuumFindsOrphansInPartitionDirectoriesButNotInHiddenOnes) {
  DeltaTable table(*store_, "t");
  table.create_or_check("events", events(), {"source"});
  table.append({event(1, "a/b")}, {});
  PartitionLayout layout(table.state().metadata);
  AddFile orphan = write_data_file(table.log(), layout.data_schema(), {{int64_t(9), int32_t(0)}},
                                   {}, true, layout.partition_of({{"source", "a/b"}}));
  store_->put("t/_change_data/cdc-00000.parquet", "not ours to delete");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  VacuumReport report = table.vacuum(/*older_than_ms=*/0, /*dry_run=*/false);
  EXPECT_EQ(report.removed_orphans, std::vector<std::string>{path_from_uri(orphan.path)});
  EXPECT_EQ(path_from_uri(orphan.path).substr(0, 11), "source=a%2F");
  EXPECT_FALSE(fs::exists(dir_ / "t" / path_from_uri(orphan.path)));
  EXPECT_TRUE(fs::exists(dir_ / "t/_change_data/cdc-00000.parquet"));
  EXPECT_EQ(live_rows(table).size(), 1u);
}

}  // namespace
}  // namespace sluice::lake::delta
