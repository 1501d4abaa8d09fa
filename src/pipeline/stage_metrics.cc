#include "pipeline/stage_metrics.h"

namespace sluice::pipeline {

StageMetrics::StageMetrics(ops::MetricsRegistry& registry, std::string stage, std::string group)
    : registry_(registry),
      stage_(std::move(stage)),
      group_(std::move(group)),
      duration_(registry.histogram("kafka_processing_duration_seconds",
                                   "Time to process one record", {{"stage", stage_}})),
      assigned_(registry.gauge("kafka_consumer_assigned_partitions",
                               "Partitions assigned to this stage's consumer",
                               {{"consumer_group", group_}})),
      degraded_(registry.gauge("sluice_stage_degraded",
                               "1 while the stage degrades at SOFT or above", {{"stage", stage_}})),
      consumer_connected_(registry.gauge("kafka_consumer_connected",
                                         "1 when the consumer reaches the broker",
                                         {{"consumer_group", group_}})),
      producer_connected_(registry.gauge("kafka_producer_connected",
                                         "1 when the producer reaches the broker",
                                         {{"stage", stage_}})),
      up_(registry.gauge("sluice_stage_up", "1 while the stage process runs", {{"stage", stage_}})),
      producer_renewals_(registry.counter(
          "sluice_stage_producer_renewals_total",
          "Times the stage replaced its producer after an error only a new producer id clears",
          {{"stage", stage_}})) {}

template <typename Make>
ops::Counter& StageMetrics::cached(std::map<std::string, ops::Counter*, std::less<>>& cache,
                                   std::string_view topic, Make make) {
  std::lock_guard lock(mu_);
  auto it = cache.find(topic);
  if (it == cache.end()) it = cache.emplace(std::string(topic), &make()).first;
  return *it->second;
}

void StageMetrics::consumed(std::string_view topic, int64_t records) {
  cached(consumed_, topic, [&]() -> ops::Counter& {
    return registry_.counter("kafka_messages_consumed_total", "Messages consumed",
                             {{"topic", std::string(topic)}, {"consumer_group", group_}});
  }).inc(double(records));
}

void StageMetrics::produced(std::string_view topic) {
  cached(produced_, topic, [&]() -> ops::Counter& {
    return registry_.counter("kafka_messages_produced_total", "Messages produced and acknowledged",
                             {{"topic", std::string(topic)}});
  }).inc();
}

void StageMetrics::error(const std::string& topic, ErrorCategory category) {
  registry_
      .counter("kafka_processing_errors_total", "Processing failures by category",
               {{"topic", topic}, {"stage", stage_}, {"category", category_name(category)}})
      .inc();
}

void StageMetrics::lag(const std::string& topic, int32_t partition, int64_t messages,
                       double seconds) {
  ops::Labels labels = {
      {"topic", topic}, {"partition", std::to_string(partition)}, {"consumer_group", group_}};
  registry_
      .gauge("kafka_consumer_lag", "Messages between the committed offset and the log end", labels)
      .set(double(messages));
  registry_
      .gauge("kafka_consumer_lag_seconds", "Age of the oldest record not yet processed", labels)
      .set(seconds);
}

void StageMetrics::breaker_state(const std::string& breaker, int state, int64_t times_opened) {
  registry_
      .gauge("kafka_circuit_breaker_state", "0 closed, 1 open, 2 half-open", {{"breaker", breaker}})
      .set(state);
  // A counter, so a breaker that opened and closed again between two scrapes
  // still shows in increase(); the state gauge alone would miss it.
  ops::Counter& opened =
      registry_.counter("kafka_circuit_breaker_opened_total", "Times the breaker tripped open",
                        {{"breaker", breaker}});
  opened.inc(double(times_opened) - opened.value());
}

}  // namespace sluice::pipeline
