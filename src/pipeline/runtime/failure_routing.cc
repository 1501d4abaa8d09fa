#include "pipeline/runtime/failure_routing.h"

#include "common/log.h"
#include "pipeline/reroute.h"

namespace sluice::pipeline {

FailureRouter::FailureRouter(const StageConfig& stage, uint64_t seed)
    : stage_(stage), retry_(stage.retry, seed) {}

std::string FailureRouter::delay_topic(int level) const {
  return stage_.input + ".retry." + std::to_string(level);
}

FailureRoute FailureRouter::route(const Record& r, const Outcome& outcome, int attempts,
                                  int64_t now_ms) {
  RetryDecision d = retry_.decide(outcome.category, attempts, retry_level(r));
  Failure f{stage_.name, outcome.category, outcome.message, attempts, now_ms};
  const char* next = d.kind == RetryDecision::kRetryInProcess ? "retry"
                     : d.kind == RetryDecision::kDelayTopic   ? "delay topic"
                                                              : "dead-letter queue";
  log::event(log::Level::kWarn, "stage", "record failed; next: " + std::string(next),
             {{"trace_id", r.trace_id},
              {"stage", stage_.name},
              {"topic", r.topic},
              {"partition", std::to_string(r.partition)},
              {"offset", std::to_string(r.offset)},
              {"category", category_name(outcome.category)},
              {"attempt", std::to_string(attempts)},
              {"error", outcome.message}});
  FailureRoute route;
  if (d.kind == RetryDecision::kRetryInProcess ||
      (d.kind == RetryDecision::kDeadLetter && !stage_.dlq.enabled)) {
    route.kind = FailureRoute::kRetryInProcess;
    route.backoff_ms =
        d.kind == RetryDecision::kRetryInProcess ? d.backoff_ms : stage_.retry.max_backoff_ms;
    return route;
  }
  route.kind = FailureRoute::kReroute;
  if (d.kind == RetryDecision::kDelayTopic) {
    int64_t delay = stage_.retry.delay_topic_delays_ms.at(size_t(d.delay_topic - 1));
    route.output = to_delay_topic(r, delay_topic(d.delay_topic), d.delay_topic, now_ms + delay, f);
  } else {
    route.output = to_dead_letter(r, dead_letter_topic(r, stage_.dlq.topic, stage_.dlq.max_replays),
                                  f, stage_.dlq.headers);
    route.dead_letter = true;
  }
  return route;
}

}  // namespace sluice::pipeline
