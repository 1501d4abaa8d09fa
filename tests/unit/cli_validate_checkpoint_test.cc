// DATA/validate.checkpoint (docs/formats/validate-checkpoint.md): what is
// written is read back exactly, names with tabs, newlines or '%' survive, a
// missing file is "no checkpoint", and a file that is truncated, edited or not
// a checkpoint at all is refused as damaged (validate then makes a full pass).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/up/validate_checkpoint.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

class CliValidateCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice-checkpoint-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    path_ = (dir_ / "validate.checkpoint").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static ValidateCheckpoint sample() {
    ValidateCheckpoint c;
    c.scope = "input claims.events since -1 table /data/lake tables/attachments";
    c.scans["events"] = {{0, {0, 0, 120}}, {3, {7, 7, 7}}};
    c.scans["ingest-dlq claims.events.dlq"] = {{1, {2, 2, 9}}};
    c.table_version = 42;
    c.table_files = {"part-0001.parquet", "day=2026-11-27/part 2\twith tab.parquet"};
    LedgerFigures& f = c.figures;
    f.events = 130;
    f.events_dead_lettered = 9;
    f.objects_checked = 201;
    f.dlq_categories = {{"claims.events.dlq validation", 9}, {"claims.downloads.dlq permanent", 4}};
    f.dead_events = {{0, 5}, {2, 17}};
    f.tasks["C-1/0"] = {1, 1, true, false};
    f.tasks["C-1/1"] = {1, 0, true, true};
    f.tasks["odd%id\nwith newline"] = {0, 2, false, false};
    f.missing_objects[{"C-1/0", "files/C-1/0.pdf"}] = 1;
    return c;
  }

  std::string read_file() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void write_file(const std::string& text) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << text;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(CliValidateCheckpoint, WhatIsWrittenIsReadBackExactly) {
  const ValidateCheckpoint c = sample();
  save_checkpoint(path_, c);
  const auto back = load_checkpoint(path_);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->scope, c.scope);
  ASSERT_EQ(back->scans.size(), 2u);
  EXPECT_EQ(back->scans.at("events").at(0).start, 0);
  EXPECT_EQ(back->scans.at("events").at(0).end, 120);
  EXPECT_EQ(back->scans.at("events").at(3).end, 7);
  EXPECT_EQ(back->scans.at("ingest-dlq claims.events.dlq").at(1).start, 2);
  EXPECT_EQ(back->table_version, 42);
  EXPECT_EQ(back->table_files, c.table_files);
  const LedgerFigures& f = back->figures;
  EXPECT_EQ(f.events, 130);
  EXPECT_EQ(f.events_dead_lettered, 9);
  EXPECT_EQ(f.objects_checked, 201);
  EXPECT_EQ(f.dlq_categories, c.figures.dlq_categories);
  EXPECT_EQ(f.dead_events, c.figures.dead_events);
  ASSERT_EQ(f.tasks.size(), 3u);
  EXPECT_EQ(f.tasks.at("C-1/1").dead_lettered, true);
  EXPECT_EQ(f.tasks.at("C-1/1").produced, true);
  EXPECT_EQ(f.tasks.at("C-1/0").rows, 1);
  EXPECT_EQ(f.tasks.at("odd%id\nwith newline").rows, 2);
  EXPECT_EQ(f.missing_objects, c.figures.missing_objects);
  // The figures give the same report as before they were saved.
  EXPECT_EQ(ReconcileLedger(f).report("s").lost, ReconcileLedger(c.figures).report("s").lost);
}

TEST_F(CliValidateCheckpoint, NoFileIsNoCheckpoint) {
  EXPECT_FALSE(load_checkpoint(path_).has_value());
}

TEST_F(CliValidateCheckpoint, ATruncatedFileIsDamaged) {
  save_checkpoint(path_, sample());
  const std::string text = read_file();
  for (size_t keep : {size_t(0), size_t(10), text.size() / 2, text.size() - 1}) {
    write_file(text.substr(0, keep));
    EXPECT_THROW(load_checkpoint(path_), CheckpointCorrupt) << "kept " << keep << " bytes";
  }
}

TEST_F(CliValidateCheckpoint, AnyChangedByteIsDamage) {
  save_checkpoint(path_, sample());
  std::string text = read_file();
  const size_t at = text.find("task\tC-1/0\t1\t1");
  ASSERT_NE(at, std::string::npos);
  text[at + 11] = '7';  // one task's calls, as a stray edit would
  write_file(text);
  EXPECT_THROW(load_checkpoint(path_), CheckpointCorrupt);
}

TEST_F(CliValidateCheckpoint, AnotherFileIsNotACheckpoint) {
  write_file("[{\"name\":\"broker\"}]\n");
  EXPECT_THROW(load_checkpoint(path_), CheckpointCorrupt);
  write_file("");
  EXPECT_THROW(load_checkpoint(path_), CheckpointCorrupt);
}

TEST_F(CliValidateCheckpoint, SavingReplacesTheOldCheckpointWhole) {
  ValidateCheckpoint c = sample();
  save_checkpoint(path_, c);
  c.table_version = 43;
  c.figures.events = 131;
  save_checkpoint(path_, c);
  const auto back = load_checkpoint(path_);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->table_version, 43);
  EXPECT_EQ(back->figures.events, 131);
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
}

}  // namespace
}  // namespace sluice::cli
