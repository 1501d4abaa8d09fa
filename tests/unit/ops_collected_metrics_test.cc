// Families computed at scrape time (MetricsRegistry::add_source) and the lag
// vocabulary every lag source shares (ops/lag_metrics.h).
#include <gtest/gtest.h>

#include "ops/lag_metrics.h"
#include "ops/metrics.h"

namespace sluice::ops {
namespace {

CollectedFamily one(const std::string& name, std::vector<std::pair<Labels, double>> samples) {
  return {.name = name, .help = "h", .type = CollectedFamily::Type::kGauge, .samples = samples};
}

TEST(CollectedFamilies, RenderInNameOrderWithRegisteredOnesAndVanishWhenNotReturned) {
  MetricsRegistry registry;
  registry.gauge("b_registered", "h").set(1);
  bool present = true;
  registry.add_source([&] {
    std::vector<CollectedFamily> out{one("c_collected", {{{{"k", "v"}}, 2}})};
    if (present) out.push_back(one("a_collected", {{{}, 3}}));
    return out;
  });
  EXPECT_EQ(registry.render(),
            "# HELP a_collected h\n# TYPE a_collected gauge\na_collected 3\n"
            "# HELP b_registered h\n# TYPE b_registered gauge\nb_registered 1\n"
            "# HELP c_collected h\n# TYPE c_collected gauge\nc_collected{k=\"v\"} 2\n");
  present = false;
  EXPECT_EQ(registry.render().find("a_collected"), std::string::npos);
}

TEST(CollectedFamilies, ASourceThatFailsOrClashesIsLeftOutAndTheRestRenders) {
  MetricsRegistry registry;
  registry.counter("taken_total", "h").inc();
  registry.add_source([] { return std::vector<CollectedFamily>{one("taken_total", {{{}, 9}})}; });
  registry.add_source([] {
    return std::vector<CollectedFamily>{one("fine", {{{}, 1}}),
                                        one("twice", {{{{"k", "v"}}, 1}, {{{"k", "v"}}, 2}})};
  });
  registry.add_source([]() -> std::vector<CollectedFamily> { throw std::runtime_error("x"); });
  registry.add_source([] { return std::vector<CollectedFamily>{one("kept", {{{}, 5}})}; });
  const std::string page = registry.render();
  EXPECT_NE(page.find("taken_total 1\n"), std::string::npos);
  EXPECT_EQ(page.find("taken_total 9"), std::string::npos);
  EXPECT_EQ(page.find("fine"), std::string::npos);  // its source also returned a bad family
  EXPECT_NE(page.find("kept 5\n"), std::string::npos);
}

TEST(LagFamilies, OneStateSeriesPerKafkaStateAndNoLagSecondsWhenUnreadable) {
  LagSnapshot s;
  s.groups.push_back({"g", "Stable", 2});
  s.partitions.push_back({"g", "t", 0, 5, 9, 4, std::nullopt});
  s.partitions.push_back({"g", "t", 1, std::nullopt, 3, 3, 12.5});
  MetricsRegistry registry;
  registry.add_source([&] { return lag_families(s); });
  auto page = parse_prometheus_text(registry.render());
  EXPECT_EQ(page.at("sluice_group_state{consumer_group=\"g\",state=\"Stable\"}"), 1);
  EXPECT_EQ(page.at("sluice_group_state{consumer_group=\"g\",state=\"Empty\"}"), 0);
  EXPECT_EQ(page.at("sluice_group_members{consumer_group=\"g\"}"), 2);
  EXPECT_EQ(page.at("sluice_group_lag{consumer_group=\"g\",topic=\"t\",partition=\"0\"}"), 4);
  EXPECT_EQ(
      page.count("sluice_group_lag_seconds{consumer_group=\"g\",topic=\"t\",partition=\"0\"}"), 0u);
  EXPECT_EQ(page.at("sluice_group_lag_seconds{consumer_group=\"g\",topic=\"t\",partition=\"1\"}"),
            12.5);
  EXPECT_EQ(
      page.count("sluice_group_committed_offset{consumer_group=\"g\",topic=\"t\",partition=\"1\"}"),
      0u);
  EXPECT_EQ(
      page.at("sluice_group_log_end_offset{consumer_group=\"g\",topic=\"t\",partition=\"1\"}"), 3);
}

}  // namespace
}  // namespace sluice::ops
