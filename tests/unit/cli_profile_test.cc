// Where --bootstrap and --data-dir come from when not given: the environment
// over the profile file over the built-in default, the profile found by
// SLUICE_CONFIG, XDG_CONFIG_HOME or HOME, and a broken profile refused with
// its path rather than silently ignored.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "cli/support/profile.h"
#include "unit/temp_dir.h"

namespace sluice::cli {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  };
}

TEST(CliProfile, EnvironmentWinsOverProfileWhichWinsOverBuiltIn) {
  Profile p;
  p.bootstrap = "profile:9092";
  p.data_dir = "/profile/data";
  const Defaults both = resolve_defaults(
      env_of({{"SLUICE_BOOTSTRAP", "env:9092"}, {"SLUICE_DATA_DIR", "/env/data"}}), p);
  EXPECT_EQ(both.bootstrap(), "env:9092");
  EXPECT_EQ(both.data_dir(), "/env/data");

  const Defaults profile_only = resolve_defaults(env_of({}), p);
  EXPECT_EQ(profile_only.bootstrap(), "profile:9092");
  EXPECT_EQ(profile_only.data_dir(), "/profile/data");

  const Defaults none = resolve_defaults(env_of({}), Profile{});
  EXPECT_EQ(none.bootstrap(), "127.0.0.1:9092");
  EXPECT_EQ(none.data_dir(), "sluice-data");
  EXPECT_FALSE(none.configured_bootstrap);  // validate tells "not configured" from the default
}

TEST(CliProfile, AnEmptyVariableCountsAsUnset) {
  Profile p;
  p.data_dir = "/profile/data";
  EXPECT_EQ(resolve_defaults(env_of({{"SLUICE_DATA_DIR", ""}}), p).data_dir(), "/profile/data");
}

TEST(CliProfile, PathComesFromSluiceConfigThenXdgThenHome) {
  EXPECT_EQ(profile_path(env_of({{"SLUICE_CONFIG", "/x/p.yaml"}, {"HOME", "/h"}})), "/x/p.yaml");
  EXPECT_EQ(profile_path(env_of({{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/h"}})),
            "/xdg/sluice/config.yaml");
  EXPECT_EQ(profile_path(env_of({{"HOME", "/h"}})), "/h/.config/sluice/config.yaml");
  EXPECT_EQ(profile_path(env_of({})), "");
}

TEST(CliProfile, ParsesBothKeysAndAcceptsAnEmptyFile) {
  const Profile p = parse_profile("bootstrap: 10.0.0.1:9092\ndata_dir: /srv/sluice\n", "f.yaml");
  EXPECT_EQ(p.bootstrap, "10.0.0.1:9092");
  EXPECT_EQ(p.data_dir, "/srv/sluice");
  EXPECT_FALSE(parse_profile("", "f.yaml").bootstrap);
}

TEST(CliProfile, RefusesUnknownKeysAndNonMappingsNamingTheFile) {
  try {
    parse_profile("bootsrap: x\n", "/etc/p.yaml");
    FAIL() << "a misspelt key was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/etc/p.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bootsrap"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_profile("- a\n- b\n", "p.yaml"), std::invalid_argument);
  EXPECT_THROW(parse_profile("bootstrap: [a, b]\n", "p.yaml"), std::invalid_argument);
  EXPECT_THROW(parse_profile("bootstrap: [a,\n", "p.yaml"), std::invalid_argument);
}

TEST(CliProfile, MissingDefaultFileIsNoProfileButMissingNamedFileIsAnError) {
  sluice::testing::TempDir dir;
  const std::string home = dir.path().string();
  EXPECT_FALSE(load_profile(env_of({{"HOME", home}})).bootstrap);
  EXPECT_THROW(load_profile(env_of({{"SLUICE_CONFIG", home + "/nope.yaml"}})),
               std::invalid_argument);

  std::filesystem::create_directories(dir.path() / ".config/sluice");
  std::ofstream(dir.path() / ".config/sluice/config.yaml") << "bootstrap: from-home:9092\n";
  const Profile p = load_profile(env_of({{"HOME", home}}));
  EXPECT_EQ(p.bootstrap, "from-home:9092");
  EXPECT_EQ(p.path, home + "/.config/sluice/config.yaml");
}

}  // namespace
}  // namespace sluice::cli
