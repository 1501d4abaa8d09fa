#include "kafka_clients.h"

#include <chrono>
#include <stdexcept>

namespace sluice::testing {
namespace {

class DeliveryCollector : public RdKafka::DeliveryReportCb {
 public:
  explicit DeliveryCollector(std::vector<Delivered>& out) : out_(out) {}
  void dr_cb(RdKafka::Message& m) override {
    auto index = reinterpret_cast<intptr_t>(m.msg_opaque());
    Delivered& d = out_[size_t(index)];
    d.partition = m.partition();
    d.offset = m.offset();
    d.error = m.err();
  }

 private:
  std::vector<Delivered>& out_;
};

std::unique_ptr<RdKafka::Conf> base_conf(const std::string& bootstrap) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", bootstrap, err);
  return conf;
}

void set_or_throw(RdKafka::Conf& conf, const std::string& k, const std::string& v) {
  std::string err;
  if (conf.set(k, v, err) != RdKafka::Conf::CONF_OK) throw std::runtime_error(k + ": " + err);
}

}  // namespace

std::unique_ptr<RdKafka::Producer> make_producer(const std::string& bootstrap,
                                                 const ProduceOptions& opts,
                                                 RdKafka::DeliveryReportCb* reports) {
  auto conf = base_conf(bootstrap);
  set_or_throw(*conf, "acks", opts.acks);
  set_or_throw(*conf, "compression.codec", opts.codec);
  set_or_throw(*conf, "linger.ms", "5");
  for (const auto& [k, v] : opts.extra_config) set_or_throw(*conf, k, v);
  std::string err;
  if (reports) conf->set("dr_cb", reports, err);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  if (!p) throw std::runtime_error("producer: " + err);
  return p;
}

std::vector<Delivered> produce_messages(const std::string& bootstrap, const std::string& topic,
                                        int count, const ProduceOptions& opts,
                                        const std::string& prefix) {
  std::vector<Delivered> out(static_cast<size_t>(count));
  DeliveryCollector collector(out);
  auto p = make_producer(bootstrap, opts, &collector);
  for (int i = 0; i < count; ++i) {
    Delivered& d = out[size_t(i)];
    d.key = "k" + std::to_string(i);
    d.value = prefix + "-" + std::to_string(i);
    for (;;) {
      auto rc = p->produce(topic, i % opts.partitions, RdKafka::Producer::RK_MSG_COPY,
                           d.value.data(), d.value.size(), d.key.data(), d.key.size(),
                           opts.timestamp_ms, reinterpret_cast<void*>(intptr_t(i)));
      if (rc != RdKafka::ERR__QUEUE_FULL) {
        if (rc != RdKafka::ERR_NO_ERROR) d.error = rc;
        break;
      }
      p->poll(10);
    }
    p->poll(0);
  }
  p->flush(60'000);
  return out;
}

std::map<int32_t, std::vector<Delivered>> consume_all(const std::string& bootstrap,
                                                      const std::string& topic,
                                                      int32_t partitions) {
  auto conf = base_conf(bootstrap);
  std::string err;
  std::unique_ptr<RdKafka::Consumer> c(RdKafka::Consumer::create(conf.get(), err));
  if (!c) throw std::runtime_error("consumer: " + err);
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(c.get(), topic, nullptr, err));
  std::map<int32_t, std::vector<Delivered>> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    c->query_watermark_offsets(topic, p, &low, &high, 10'000);
    out[p];
    if (high <= low) continue;
    c->start(t.get(), p, RdKafka::Topic::OFFSET_BEGINNING);
    int64_t next = low;
    while (next < high && std::chrono::steady_clock::now() < deadline) {
      std::unique_ptr<RdKafka::Message> m(c->consume(t.get(), p, 1000));
      if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
      if (m->err()) throw std::runtime_error("consume: " + m->errstr());
      Delivered d;
      d.partition = p;
      d.offset = m->offset();
      if (m->key()) d.key = *m->key();
      d.value.assign(static_cast<const char*>(m->payload()), m->len());
      out[p].push_back(std::move(d));
      next = m->offset() + 1;
    }
    c->stop(t.get(), p);
  }
  return out;
}

}  // namespace sluice::testing
