#include "kafka/stage_clients.h"

#include <algorithm>

namespace sluice::kafka {

ClientOptions stage_consumer_options(const StageClientSpec& spec) {
  ClientOptions options{spec.bootstrap, "sluice-" + spec.stage};
  options.drop_logs = true;  // problems reach the stage's log through its error listener
  options.settings = {
      {"group.id", spec.group},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      {"session.timeout.ms", std::to_string(spec.session_timeout_ms)},
      {"heartbeat.interval.ms",
       std::to_string(std::min<int64_t>(3000, spec.session_timeout_ms / 3))},
      {"topic.metadata.refresh.interval.ms", "10000"},  // notice new partitions and topics soon
      // librdkafka's prefetch is bounded in bytes, like the stage's own buffer, so
      // memory stays bounded whatever the backlog. Its message-count threshold
      // (queued.min.messages) is set out of the way on purpose: in librdkafka 2.0
      // (Debian 12) a consumer queue over either threshold takes its partitions out
      // of fetching until the broker thread next wakes up — up to a second later —
      // so a stage that drains 100k queued records in a fraction of a second would
      // then idle for the rest of it (measured: 0.3 s busy, 0.7 s idle, every second).
      // The byte threshold is crossed only when the stage really is the slower side,
      // and then the consumer's FetchWaker (fetch_waker.h) wakes the fetcher as soon
      // as the stage has drained the queue, so the threshold need not last a second.
      {"queued.min.messages", "10000000"},
      // The stage also consumes its (mostly empty) delay topics. librdkafka keeps one
      // Fetch in flight per broker, so while a long poll on those waits, input
      // partitions that just became fetchable (after assignment, or after their
      // queue drained) wait with it: 100 ms instead of the default 500 ms bounds that
      // stall, at the price of up to 10 empty fetches a second on an idle stage.
      {"fetch.wait.max.ms", "100"},
      {"fetch.min.bytes", std::to_string(spec.fetch_min_bytes)},
      {"queued.max.messages.kbytes",
       std::to_string(std::clamp<int64_t>(spec.max_buffered_bytes / 1024, 1024, 2097151))},
  };
  return options;
}

ClientOptions stage_producer_options(const StageClientSpec& spec) {
  ClientOptions options{spec.bootstrap, "sluice-" + spec.stage};
  options.drop_logs = true;
  options.settings = {{"linger.ms", std::to_string(spec.linger_ms)}};
  return options;
}

}  // namespace sluice::kafka
