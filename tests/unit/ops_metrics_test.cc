// The metrics registry: exposition format, series identity, validation,
// thread safety, and reading pages back with parse_prometheus_text().
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "ops/metrics.h"

namespace sluice::ops {
namespace {

TEST(MetricsRender, WritesCounterLabelledGaugeAndHistogramInTextFormat004) {
  MetricsRegistry registry;
  registry.counter("sluice_requests_total", "Requests served").inc(3);
  Labels p0 = {{"topic", "orders"}, {"partition", "0"}};
  Labels p1 = {{"topic", "orders"}, {"partition", "1"}};
  registry.gauge("kafka_consumer_lag", "Messages behind", p0).set(42);
  registry.gauge("kafka_consumer_lag", "Messages behind", p1).set(7.5);
  Histogram& h = registry.histogram("kafka_processing_duration_seconds", "Time per record",
                                    {{"stage", "ingest"}}, {0.5, 1});
  h.observe(0.25);
  h.observe(0.5);  // upper bounds are inclusive
  h.observe(3);

  EXPECT_EQ(registry.render(), R"(# HELP kafka_consumer_lag Messages behind
# TYPE kafka_consumer_lag gauge
kafka_consumer_lag{topic="orders",partition="0"} 42
kafka_consumer_lag{topic="orders",partition="1"} 7.5
# HELP kafka_processing_duration_seconds Time per record
# TYPE kafka_processing_duration_seconds histogram
kafka_processing_duration_seconds_bucket{stage="ingest",le="0.5"} 2
kafka_processing_duration_seconds_bucket{stage="ingest",le="1"} 2
kafka_processing_duration_seconds_bucket{stage="ingest",le="+Inf"} 3
kafka_processing_duration_seconds_sum{stage="ingest"} 3.75
kafka_processing_duration_seconds_count{stage="ingest"} 3
# HELP sluice_requests_total Requests served
# TYPE sluice_requests_total counter
sluice_requests_total 3
)");
}

TEST(MetricsRender, EscapesBackslashQuoteAndNewlineInLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.gauge("path_info", "Paths like C:\\tmp\nsecond line", {{"path", "C:\\dir \"x\"\nnext"}})
      .set(1);

  EXPECT_EQ(registry.render(), R"(# HELP path_info Paths like C:\\tmp\nsecond line
# TYPE path_info gauge
path_info{path="C:\\dir \"x\"\nnext"} 1
)");
}

TEST(MetricsRender, WritesInfinitiesAndNaNAsPrometheusSpellsThem) {
  MetricsRegistry registry;
  registry.gauge("g", "h", {{"k", "pos"}}).set(INFINITY);
  registry.gauge("g", "h", {{"k", "neg"}}).set(-INFINITY);
  registry.gauge("g", "h", {{"k", "nan"}}).set(NAN);

  EXPECT_NE(registry.render().find("g{k=\"pos\"} +Inf\ng{k=\"neg\"} -Inf\ng{k=\"nan\"} NaN\n"),
            std::string::npos);
}

TEST(MetricsRegistry, ReturnsTheSameSeriesForTheSameNameAndLabelsInAnyOrder) {
  MetricsRegistry registry;
  Counter& a = registry.counter("c_total", "h", {{"x", "1"}, {"y", "2"}});
  Counter& b = registry.counter("c_total", "h", {{"y", "2"}, {"x", "1"}});
  Counter& other = registry.counter("c_total", "h", {{"x", "1"}, {"y", "3"}});

  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
}

TEST(MetricsRegistry, RejectsANameReusedWithAnotherTypeAndNamesIt) {
  MetricsRegistry registry;
  registry.counter("kafka_messages_consumed_total", "h");
  try {
    registry.gauge("kafka_messages_consumed_total", "h");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("kafka_messages_consumed_total"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("counter"), std::string::npos) << e.what();
  }
}

TEST(MetricsRegistry, RejectsInvalidMetricAndLabelNames) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.counter("1starts_with_digit", "h"), std::invalid_argument);
  EXPECT_THROW(registry.counter("has-dash", "h"), std::invalid_argument);
  EXPECT_THROW(registry.counter("", "h"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("g", "h", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("g", "h", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("g", "h", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h_seconds", "h", {{"le", "1"}}), std::invalid_argument);
  EXPECT_NO_THROW(registry.counter("ns:subsystem_total", "colons are allowed in metric names"));
}

TEST(MetricsRegistry, RejectsUnsortedBucketsAndAHistogramReusedWithOtherBuckets) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.histogram("a_seconds", "h", {}, {1, 0.5}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("b_seconds", "h", {}, {1, INFINITY}), std::invalid_argument);
  registry.histogram("c_seconds", "h", {}, {1, 2});
  EXPECT_THROW(registry.histogram("c_seconds", "h", {{"x", "y"}}, {1, 3}), std::invalid_argument);
}

TEST(Counter, RejectsNegativeIncrementsBecauseCountersAreMonotonic) {
  Counter c;
  c.inc(2);
  EXPECT_THROW(c.inc(-1), std::invalid_argument);
  EXPECT_THROW(c.inc(NAN), std::invalid_argument);
  EXPECT_EQ(c.value(), 2);
}

TEST(Gauge, SetsAndAddsInBothDirections) {
  Gauge g;
  g.set(5);
  g.add(-7);
  EXPECT_EQ(g.value(), -2);
}

TEST(MetricsRegistry, ConcurrentIncrementsFromFourThreadsSumExactly) {
  MetricsRegistry registry;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry] {
      Counter& c = registry.counter("work_total", "h", {{"k", "v"}});
      Histogram& h = registry.histogram("work_seconds", "h");
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        h.observe(0.001);
      }
    });
  }
  for (auto& t : threads) t.join();

  auto page = parse_prometheus_text(registry.render());
  EXPECT_EQ(page.at("work_total{k=\"v\"}"), kThreads * kPerThread);
  EXPECT_EQ(page.at("work_seconds_count"), kThreads * kPerThread);
  EXPECT_EQ(page.at("work_seconds_bucket{le=\"0.005\"}"), kThreads * kPerThread);
}

TEST(MetricsRegistry, RunsCollectCallbacksBeforeEachRender) {
  MetricsRegistry registry;
  int lag = 0;
  registry.on_collect([&] { registry.gauge("kafka_consumer_lag", "h").set(++lag); });

  EXPECT_NE(registry.render().find("kafka_consumer_lag 1\n"), std::string::npos);
  EXPECT_NE(registry.render().find("kafka_consumer_lag 2\n"), std::string::npos);
}

TEST(ParsePrometheusText, RoundTripsARenderedPage) {
  MetricsRegistry registry;
  Labels tricky = {{"topic", "a\"b\\c\nd"}, {"consumer_group", "g"}};
  registry.counter("kafka_messages_consumed_total", "h", tricky).inc(12);
  registry.gauge("kafka_consumer_lag_seconds", "h").set(0.125);
  registry.gauge("kafka_circuit_breaker_state", "h", {{"breaker", "http"}}).set(NAN);
  registry.histogram("kafka_processing_duration_seconds", "h", {}, {1}).observe(2);

  auto page = parse_prometheus_text(registry.render());

  EXPECT_EQ(page.size(), 7u);
  EXPECT_EQ(page.at(series_key("kafka_messages_consumed_total", tricky)), 12);
  EXPECT_EQ(page.at("kafka_consumer_lag_seconds"), 0.125);
  EXPECT_TRUE(std::isnan(page.at("kafka_circuit_breaker_state{breaker=\"http\"}")));
  EXPECT_EQ(page.at("kafka_processing_duration_seconds_bucket{le=\"1\"}"), 0);
  EXPECT_EQ(page.at("kafka_processing_duration_seconds_bucket{le=\"+Inf\"}"), 1);
  EXPECT_EQ(page.at("kafka_processing_duration_seconds_sum"), 2);
}

TEST(ParsePrometheusText, AcceptsSpacingTrailingCommasTimestampsAndComments) {
  auto page = parse_prometheus_text(
      "# HELP x something\n"
      "\n"
      "x { a = \"1\" , b=\"2\", } 3.5 1700000000000\r\n"
      "  y\t+Inf\n"
      "z -1e3\n");

  EXPECT_EQ(page.at("x{a=\"1\",b=\"2\"}"), 3.5);
  EXPECT_TRUE(std::isinf(page.at("y")));
  EXPECT_EQ(page.at("z"), -1000);
}

TEST(ParsePrometheusText, SeriesKeysSplitIntoNameAndLabels) {
  const std::string series = R"(kafka_consumer_lag{topic="orders",consumer_group="g"})";
  EXPECT_EQ(series_name(series), "kafka_consumer_lag");
  EXPECT_EQ(label_value(series, "topic"), "orders");
  EXPECT_EQ(label_value(series, "consumer_group"), "g");
  EXPECT_EQ(label_value(series, "stage"), "");
  EXPECT_EQ(series_name("sluice_stage_up"), "sluice_stage_up");
}

TEST(ParsePrometheusText, RejectsAMalformedLineNamingItsNumber) {
  try {
    parse_prometheus_text("ok 1\nbroken{a=\"1\" 2\n");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_prometheus_text("no_value\n"), std::invalid_argument);
  EXPECT_THROW(parse_prometheus_text("x{a=\"unterminated} 1\n"), std::invalid_argument);
}

// The runbooks' metric families, as stage processes export them.
void register_runbook_metrics(MetricsRegistry& registry) {
  Labels consumed = {{"topic", "orders.ingest.in"}, {"consumer_group", "ingest"}};
  Labels partition = {
      {"topic", "orders.ingest.in"}, {"partition", "0"}, {"consumer_group", "ingest"}};
  registry.counter("kafka_messages_consumed_total", "Messages consumed", consumed).inc(10);
  registry
      .counter("kafka_messages_produced_total", "Messages produced",
               {{"topic", "orders.download.in"}})
      .inc(9);
  registry
      .counter("kafka_processing_errors_total", "Processing failures",
               {{"topic", "orders.ingest.in"}, {"stage", "ingest"}, {"category", "validation"}})
      .inc();
  registry.gauge("kafka_consumer_lag", "Messages behind the log end", partition).set(4);
  registry.gauge("kafka_consumer_lag_seconds", "Age of the oldest unprocessed record", partition)
      .set(1.5);
  registry.gauge("kafka_consumer_assigned_partitions", "Assigned partitions").set(1);
  registry
      .gauge("kafka_circuit_breaker_state", "0 closed, 1 open, 2 half-open", {{"breaker", "http"}})
      .set(0);
  registry.histogram("kafka_processing_duration_seconds", "Time to process one record")
      .observe(0.02);
  registry.gauge("kafka_consumer_connected", "1 when connected").set(1);
  registry.gauge("kafka_producer_connected", "1 when connected").set(1);
  registry.gauge("sluice_stage_up", "1 while the stage runs", {{"stage", "ingest"}}).set(1);
}

TEST(MetricsRender, RunbookMetricsPassPromtoolCheckMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool is not installed";
  MetricsRegistry registry;
  register_runbook_metrics(registry);
  registry.gauge("escaped_info", "Escapes", {{"v", "a\"b\\c\nd"}}).set(1);
  std::string page = registry.render();

  FILE* promtool = ::popen("promtool check metrics", "w");
  ASSERT_NE(promtool, nullptr);
  ASSERT_EQ(std::fwrite(page.data(), 1, page.size(), promtool), page.size());
  int status = ::pclose(promtool);

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "promtool rejected this page:\n" << page;
}

}  // namespace
}  // namespace sluice::ops
