// The data directory's format marker and the migration runner
// (docs/formats/data-dir.md): parsing and writing the marker, new, legacy,
// newer and damaged directories, and steps that run in order, one marker
// update each, and resume after a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "broker/storage/data_dir_format.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

namespace fs = std::filesystem;
using TempDir = sluice::testing::TempDir;

const fs::path kMarker = "meta.properties";

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
}

std::string refusal(const std::string& text) {
  try {
    parse_marker(text, "/d/meta.properties", 1);
  } catch (const DataDirRefused& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(DataDirMarker, WhatIsWrittenParsesBackTheSame) {
  DataDirMarker m{1, "AbC-_09xyz"};
  DataDirMarker back = parse_marker(format_marker(m), "/d/meta.properties", 1);
  EXPECT_EQ(back.version, 1);
  EXPECT_EQ(back.cluster_id, "AbC-_09xyz");
}

TEST(DataDirMarker, CommentsBlankLinesAndWindowsLineEndsAreAccepted) {
  auto m = parse_marker("# note\r\n\r\ncluster.id=x1\r\nversion=1\r\n", "/d/meta.properties", 1);
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.cluster_id, "x1");
}

TEST(DataDirMarker, ADamagedMarkerIsRefusedNamingTheFileAndTheReason) {
  EXPECT_NE(refusal("").find("no 'version' line"), std::string::npos);
  EXPECT_NE(refusal("garbage").find("a line without '='"), std::string::npos);
  EXPECT_NE(refusal("version=1\nversion=1\ncluster.id=a").find("'version' twice"),
            std::string::npos);
  EXPECT_NE(refusal("version=-1\ncluster.id=a").find("is not a number"), std::string::npos);
  EXPECT_NE(refusal("version=0\ncluster.id=a").find("version 0"), std::string::npos);
  EXPECT_NE(refusal("version=1").find("no 'cluster.id' line"), std::string::npos);
  EXPECT_NE(refusal("version=1\ncluster.id=").find("cluster.id must be"), std::string::npos);
  EXPECT_NE(refusal("version=1\ncluster.id=a/b").find("cluster.id must be"), std::string::npos);
  EXPECT_NE(refusal("version=1\ncluster.id=a\nother=2").find("unknown key 'other'"),
            std::string::npos);
  std::string any = refusal("");
  EXPECT_NE(any.find("/d/meta.properties"), std::string::npos) << any;
  EXPECT_NE(any.find("docs/formats/data-dir.md"), std::string::npos) << any;
}

TEST(DataDirMarker, ANewerVersionIsReturnedAsReadWhateverElseItHolds) {
  auto m = parse_marker("version=9\nnew.key=1\n", "/d/meta.properties", 1);
  EXPECT_EQ(m.version, 9);
}

TEST(DataDirOpen, ANewDirectoryGetsTheCurrentFormatAndAClusterIdItKeeps) {
  TempDir dir;
  fs::path data = dir.path() / "new";
  DataDirMarker first = open_data_dir(data);
  EXPECT_EQ(first.version, current_data_dir_format());
  EXPECT_EQ(first.cluster_id.size(), 22u) << first.cluster_id;
  EXPECT_TRUE(fs::exists(data / kMarker));
  EXPECT_EQ(open_data_dir(data).cluster_id, first.cluster_id);
  TempDir other("sluice-test-other");
  EXPECT_NE(open_data_dir(other.path()).cluster_id, first.cluster_id);
}

TEST(DataDirOpen, ADirectoryFromTheReleaseBeforeTheMarkerKeepsItsClusterId) {
  TempDir dir;
  fs::create_directories(dir.path() / "topics");
  DataDirMarker m = open_data_dir(dir.path());
  EXPECT_EQ(m.version, current_data_dir_format());
  EXPECT_EQ(m.cluster_id, kLegacyClusterId);
  EXPECT_EQ(read_marker(dir.path(), current_data_dir_format())->cluster_id, kLegacyClusterId);
}

// Steps that record the marker version they found on disk when they ran.
std::vector<MigrationStep> recording_steps(std::vector<int>& seen, int count) {
  std::vector<MigrationStep> steps;
  for (int i = 0; i < count; ++i) {
    steps.push_back({i, "step " + std::to_string(i), [&seen, count](const fs::path& d) {
                       auto m = read_marker(d, count);
                       seen.push_back(m ? m->version : kNoMarkerFormat);
                     }});
  }
  return steps;
}

TEST(DataDirMigration, StepsRunInOrderAndTheMarkerMovesAfterEachOne) {
  TempDir dir;
  write_text(dir.path() / "producer_ids", "1000\n");
  std::vector<int> seen;
  DataDirMarker m = open_data_dir(dir.path(), recording_steps(seen, 3));
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(m.version, 3);
  EXPECT_EQ(read_marker(dir.path(), 3)->version, 3);
  seen.clear();
  open_data_dir(dir.path(), recording_steps(seen, 3));
  EXPECT_TRUE(seen.empty()) << "an up-to-date directory runs no step";
}

TEST(DataDirMigration, AStepThatFailsIsRunAgainAtTheNextStartAndNothingBeforeIt) {
  TempDir dir;
  write_marker(dir.path(), {1, "keep-me"});
  int runs_of_step_1 = 0, runs_of_step_2 = 0;
  bool crash = true;
  std::vector<MigrationStep> steps = {
      {0, "done long ago", [](const fs::path&) { FAIL() << "already applied"; }},
      {1, "writes a file",
       [&](const fs::path& d) {
         ++runs_of_step_1;
         write_text(d / "step1", "x");
       }},
      {2, "crashes once", [&](const fs::path&) {
         ++runs_of_step_2;
         if (crash) throw std::runtime_error("power cut");
       }}};
  EXPECT_THROW(open_data_dir(dir.path(), steps), std::runtime_error);
  EXPECT_EQ(read_marker(dir.path(), 3)->version, 2) << "the completed step is recorded";
  crash = false;
  DataDirMarker m = open_data_dir(dir.path(), steps);
  EXPECT_EQ(m.version, 3);
  EXPECT_EQ(m.cluster_id, "keep-me");
  EXPECT_EQ(runs_of_step_1, 1);
  EXPECT_EQ(runs_of_step_2, 2);
}

TEST(DataDirMigration, ANewerDirectoryIsRefusedBeforeAnyStepRunsOrAnyFileChanges) {
  TempDir dir;
  write_text(dir.path() / kMarker, "version=5\ncluster.id=future\n");
  std::vector<int> seen;
  try {
    open_data_dir(dir.path(), recording_steps(seen, 2));
    FAIL() << "a newer directory must be refused";
  } catch (const DataDirRefused& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("format version 5"), std::string::npos) << what;
    EXPECT_NE(what.find("reads versions up to 2"), std::string::npos) << what;
  }
  EXPECT_TRUE(seen.empty());
  std::ifstream in(dir.path() / kMarker);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "version=5\ncluster.id=future\n");
}

TEST(DataDirMigration, StepsMustBeNumberedFromZeroWithoutGaps) {
  TempDir dir;
  std::vector<MigrationStep> steps = {{1, "misplaced", [](const fs::path&) {}}};
  EXPECT_THROW(open_data_dir(dir.path(), steps), std::logic_error);
}

}  // namespace
}  // namespace sluice::broker
