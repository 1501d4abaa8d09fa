#include "bare_loop.h"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

namespace sluice::bench {
namespace {

class Acks : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err()) throw std::runtime_error("bare loop delivery failed: " + m.errstr());
    ++acked;
  }
  int64_t acked = 0;
};

std::unique_ptr<RdKafka::Conf> conf(const std::string& bootstrap) {
  std::unique_ptr<RdKafka::Conf> c(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  c->set("bootstrap.servers", bootstrap, err);
  return c;
}

}  // namespace

double run_bare_loop(const std::string& bootstrap, const std::string& input, const std::string& output,
                     int64_t count) {
  std::string err;
  Acks acks;
  auto pc = conf(bootstrap);
  pc->set("enable.idempotence", "true", err);
  pc->set("acks", "all", err);
  pc->set("linger.ms", "5", err);
  pc->set("dr_cb", &acks, err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(pc.get(), err));
  auto cc = conf(bootstrap);
  cc->set("group.id", "bench.bare", err);
  cc->set("auto.offset.reset", "earliest", err);
  cc->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(cc.get(), err));
  if (!producer || !consumer) throw std::runtime_error("bare loop clients: " + err);
  consumer->subscribe({input});

  auto start = std::chrono::steady_clock::now();
  auto last_commit = start;
  int64_t copied = 0;
  while (acks.acked < count) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(copied < count ? 100 : 0));
    if (m->err() == RdKafka::ERR_NO_ERROR && copied < count) {
      while (producer->produce(output, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, m->payload(),
                               m->len(), m->key_pointer(), m->key_len(), 0, nullptr) == RdKafka::ERR__QUEUE_FULL) {
        producer->poll(1);
      }
      ++copied;
    }
    producer->poll(0);
    if (std::chrono::steady_clock::now() - last_commit > std::chrono::seconds(1)) {
      consumer->commitAsync();  // at-least-once like the runtime (which commits acked offsets only)
      last_commit = std::chrono::steady_clock::now();
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  consumer->commitSync();
  consumer->close();
  return seconds;
}

}  // namespace sluice::bench
