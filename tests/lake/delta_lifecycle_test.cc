// DeltaTable::expire_partitions and backup_table/restore_table on the local
// store: old partitions leave in one commit; a backup restores to the same
// state, and a damaged one restores nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/iso8601.h"
#include "lake/delta/backup.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/delta_table.h"
#include "lake/store/object_store.h"

namespace sluice::lake::delta {
namespace {

namespace fs = std::filesystem;
using parquet::Row;
using parquet::Type;

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-lifecycle-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    store_ = open_store((dir_ / "lake").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A table partitioned by day (a date) with `per_day` rows on each of `days` (days since the
  // epoch).
  DeltaTable& daily(const std::vector<int32_t>& days, int per_day) {
    table_ = std::make_unique<DeltaTable>(*store_, "t", /*checkpoint_interval=*/2);
    table_->create_or_check("t", {{"id", Type::kInt64, false}, {"day", Type::kDate, true}},
                            {"day"});
    int64_t id = 0;
    for (int32_t d : days) {
      std::vector<Row> rows;
      for (int i = 0; i < per_day; ++i) rows.push_back({id++, parquet::Value(d)});
      table_->append(rows, {});
    }
    return *table_;
  }

  fs::path dir_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<DeltaTable> table_;
};

int32_t day_of(const char* iso) {
  return int32_t(*parse_iso8601_ms(iso) / 86400000);
}

TEST_F(LifecycleTest, ExpireRemovesThePartitionsEndingByTheCutoffInOneCommit) {
  auto& t = daily({day_of("2026-10-01T00:00:00Z"), day_of("2026-10-02T00:00:00Z"),
                   day_of("2026-10-03T00:00:00Z")},
                  5);
  const int64_t before = t.state().version;
  // The cutoff is the end of 10-02: 10-01 and 10-02 are over by then, 10-03 is not.
  const int64_t cutoff = *parse_iso8601_ms("2026-10-03T00:00:00Z");
  const auto dry = t.expire_partitions("", cutoff, /*dry_run=*/true, /*delete_files=*/true);
  ASSERT_EQ(dry.partitions.size(), 2u);
  EXPECT_EQ(dry.partitions[0].directory, "day=2026-10-01/");
  EXPECT_EQ(dry.version, -1);
  EXPECT_EQ(t.state().version, before);

  const auto r = t.expire_partitions("", cutoff, false, true);
  EXPECT_EQ(r.version, before + 1);
  EXPECT_EQ(r.partitions_kept, 1);
  EXPECT_EQ(r.partitions[1].records, 5);
  EXPECT_EQ(r.files_deleted.size(), 2u);
  const TableState s = t.state();
  EXPECT_EQ(s.live_records(), 5);
  for (const auto& path : r.files_deleted) EXPECT_FALSE(store_->head("t/" + path)) << path;
  EXPECT_EQ(t.history(1)[0].operation, "DELETE");
  EXPECT_EQ(t.history(1)[0].files_removed, 2);
}

TEST_F(LifecycleTest, ExpireRefusesAnUnpartitionedTable) {
  DeltaTable t(*store_, "flat");
  t.create_or_check("flat", {{"id", Type::kInt64, false}});
  try {
    t.expire_partitions("", 0, true, true);
    FAIL() << "an unpartitioned table was accepted";
  } catch (const DeltaError& e) {
    EXPECT_NE(std::string(e.what()).find("the table is not partitioned"), std::string::npos)
        << e.what();
  }
}

TEST_F(LifecycleTest, BackupRestoresTheSameStateAndACorruptFileRestoresNothing) {
  auto& t = daily({day_of("2026-10-01T00:00:00Z"), day_of("2026-10-02T00:00:00Z"),
                   day_of("2026-10-03T00:00:00Z"), day_of("2026-10-04T00:00:00Z"),
                   day_of("2026-10-05T00:00:00Z")},
                  3);
  auto backups = open_store((dir_ / "backup").string());
  const auto m = backup_table(*store_, "t", std::nullopt, *backups);
  const TableState source = t.state();
  EXPECT_EQ(m.version, source.version);
  // Versions 0-5 and the checkpoint at 4 with its pointer, plus the five data files.
  EXPECT_EQ(m.files.size(), 6u + 2u + 5u);

  restore_table(*backups, *store_, "copy");
  const TableState copy = DeltaTable(*store_, "copy").state();
  EXPECT_EQ(copy.version, source.version);
  EXPECT_EQ(copy.metadata.id, source.metadata.id);
  EXPECT_EQ(copy.live_records(), source.live_records());
  EXPECT_EQ(copy.files.size(), source.files.size());
  EXPECT_THROW(restore_table(*backups, *store_, "copy"), DeltaError);  // never over a table

  // An earlier version: the state the table had then.
  auto early = open_store((dir_ / "backup-2").string());
  EXPECT_EQ(backup_table(*store_, "t", 2, *early).version, 2);
  restore_table(*early, *store_, "copy2");
  EXPECT_EQ(DeltaTable(*store_, "copy2").state().live_records(), 6);

  // One flipped byte in a data file: refused by name, nothing written.
  const auto& victim = m.files.back().path;
  {
    std::fstream f(dir_ / "backup" / victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(5);
    const char byte = char(f.get());
    f.seekp(5);
    f.put(char(byte ^ 0xff));
  }
  try {
    restore_table(*backups, *store_, "copy3");
    FAIL() << "a corrupt backup was restored";
  } catch (const DeltaError& e) {
    EXPECT_NE(std::string(e.what()).find(victim + " is corrupt"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(store_->list("copy3/").empty());
}

}  // namespace
}  // namespace sluice::lake::delta
