// One thread, like a hand-written service: consume, produce with RK_MSG_COPY,
// serve delivery reports with poll(0), commitAsync once a second. Offsets are
// committed as consumed (not as acknowledged), the usual shortcut of such loops;
// the runtime is stricter, which is part of what the ratio measures.
#include "bare_loop.h"

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>

namespace sluice::bench {
namespace {

class Acks : public RdKafka::DeliveryReportCb {
 public:
  // No throwing here: this runs inside librdkafka's poll.
  void dr_cb(RdKafka::Message& m) override {
    if (acked == 0 && !m.err()) first_ack = std::chrono::steady_clock::now();
    ++(m.err() ? failed : acked);
  }
  std::chrono::steady_clock::time_point first_ack;
  int64_t acked = 0;
  int64_t failed = 0;
};

std::unique_ptr<RdKafka::Conf> make_conf(const std::map<std::string, std::string>& settings) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
      throw std::runtime_error("bare loop config " + key + ": " + err);
    }
  }
  return conf;
}

// Fetches the output topic's metadata before the first record, as the stage
// does when it checks its topics at start. Without it the first produce()
// waits for librdkafka's metadata refresh while the loop keeps consuming, which
// shifts the bare loop's start, not its throughput.
void warm_up(RdKafka::Producer& producer, const std::string& output) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> topic(RdKafka::Topic::create(&producer, output, nullptr, err));
  if (!topic) throw std::runtime_error("bare loop topic " + output + ": " + err);
  RdKafka::Metadata* metadata = nullptr;
  if (producer.metadata(false, topic.get(), &metadata, 10000) != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("bare loop: no metadata for " + output);
  }
  delete metadata;
}

}  // namespace

BareLoopResult run_bare_loop(const std::string& bootstrap, const std::string& input,
                             const std::string& output, int64_t count, bool tuned) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  Acks acks;
  std::string err;
  auto pc = make_conf({{"bootstrap.servers", bootstrap},
                       {"enable.idempotence", "true"},
                       {"acks", "all"},
                       {"linger.ms", "5"}});
  if (pc->set("dr_cb", &acks, err) != RdKafka::Conf::CONF_OK) throw std::runtime_error(err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(pc.get(), err));
  if (!producer) throw std::runtime_error("bare loop producer: " + err);
  std::map<std::string, std::string> consumer_settings = {
      {"bootstrap.servers", bootstrap},
      {"group.id", tuned ? "bench.bare.tuned" : "bench.bare"},
      {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "false"}};
  if (tuned) {
    // With librdkafka 2.0's defaults the loop stalls up to a second whenever it
    // drains 100k prefetched records (see stage_runtime.cc).
    consumer_settings["queued.min.messages"] = "10000000";
    consumer_settings["fetch.wait.max.ms"] = "100";
    warm_up(*producer, output);
  }
  auto cc = make_conf(consumer_settings);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(cc.get(), err));
  if (!consumer) throw std::runtime_error("bare loop consumer: " + err);
  if (consumer->subscribe({input}) != RdKafka::ERR_NO_ERROR) {
    throw std::runtime_error("bare loop: cannot subscribe to " + input);
  }

  auto last_commit = start;
  int64_t copied = 0;
  while (acks.acked + acks.failed < count) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(copied < count ? 100 : 0));
    if (m->err() == RdKafka::ERR_NO_ERROR && copied < count) {
      while (producer->produce(output, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                               m->payload(), m->len(), m->key_pointer(), m->key_len(), 0,
                               nullptr) == RdKafka::ERR__QUEUE_FULL) {
        producer->poll(1);
      }
      ++copied;
    }
    producer->poll(copied < count ? 0 : 10);
    if (Clock::now() - last_commit > std::chrono::seconds(1)) {
      consumer->commitAsync();
      last_commit = Clock::now();
    }
  }
  const BareLoopResult result{std::chrono::duration<double>(Clock::now() - start).count(),
                              std::chrono::duration<double>(acks.first_ack - start).count()};
  consumer->commitSync();
  consumer->close();
  if (acks.failed > 0) {
    throw std::runtime_error("bare loop: " + std::to_string(acks.failed) + " deliveries failed");
  }
  return result;
}

}  // namespace sluice::bench
