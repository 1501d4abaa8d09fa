// "Did you mean": a mistyped subcommand or flag is answered with the nearest
// registered name, a word cut short with the name it starts, and nothing is
// suggested for a word that is far from every name or that is a positional
// argument or a flag's value.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "cli/support/suggest.h"

namespace sluice::cli {
namespace {

TEST(CliSuggest, EditDistanceCountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("topics", "topics"), 0u);
  EXPECT_EQ(edit_distance("topcs", "topics"), 1u);
  EXPECT_EQ(edit_distance("tpoics", "topics"), 1u);  // a swap of neighbours is one edit
  EXPECT_EQ(edit_distance("lsit", "list"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(CliSuggest, NearestNameAllowsMoreTyposInLongerWords) {
  const std::vector<std::string> names = {"topics", "groups", "table", "status"};
  EXPECT_EQ(nearest_name("topcs", names), "topics");
  EXPECT_EQ(nearest_name("gruops", names), "groups");
  EXPECT_EQ(nearest_name("top", names), "topics");  // a prefix
  EXPECT_EQ(nearest_name("xyz", names), std::nullopt);
  EXPECT_EQ(nearest_name("completely-different", names), std::nullopt);
}

// A small tree shaped like sluice's: a group with leaves, a leaf with a positional.
struct Tree {
  CLI::App app{"test"};
  std::string bootstrap, name, data_dir;
  bool json = false;
  Tree() {
    CLI::App* topics = app.add_subcommand("topics");
    topics->add_subcommand("list")->add_flag("--json", json);
    CLI::App* describe = topics->add_subcommand("describe");
    describe->add_option("name", name);
    describe->add_option("--bootstrap", bootstrap);
    app.add_subcommand("ps")->add_option("--data-dir", data_dir);
  }
};

TEST(CliSuggest, SuggestsTheNearestSubcommandAtTheLevelWhereTheTypoIs) {
  Tree t;
  EXPECT_EQ(suggest_correction(t.app, {"topcs", "list"}),
            "unknown command 'topcs'; did you mean 'topics'?");
  EXPECT_EQ(suggest_correction(t.app, {"topics", "lst"}),
            "unknown command 'lst'; did you mean 'list'?");
}

TEST(CliSuggest, SuggestsTheNearestFlagOfTheCommandBeingParsed) {
  Tree t;
  EXPECT_EQ(suggest_correction(t.app, {"ps", "--dat-dir", "x"}),
            "unknown flag '--dat-dir'; did you mean '--data-dir'?");
  EXPECT_EQ(suggest_correction(t.app, {"topics", "describe", "t", "--bootstrp=h:1"}),
            "unknown flag '--bootstrp'; did you mean '--bootstrap'?");
  EXPECT_EQ(suggest_correction(t.app, {"topics", "list", "--jsn"}),
            "unknown flag '--jsn'; did you mean '--json'?");
}

TEST(CliSuggest, PositionalsAndFlagValuesAreNotTakenForTypos) {
  Tree t;
  EXPECT_EQ(suggest_correction(t.app, {"topics", "describe", "lst"}), std::nullopt);
  EXPECT_EQ(suggest_correction(t.app, {"ps", "--data-dir", "topcs"}), std::nullopt);
  EXPECT_EQ(suggest_correction(t.app, {"qqqqqqq"}), std::nullopt);   // near nothing
  EXPECT_EQ(suggest_correction(t.app, {"ps", "-x"}), std::nullopt);  // one letter: any is near
}

}  // namespace
}  // namespace sluice::cli
