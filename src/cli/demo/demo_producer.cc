#include "cli/demo/demo_producer.h"

#include <stdexcept>

namespace sluice::cli::demo {

class EventProducer::Callbacks : public RdKafka::DeliveryReportCb, public RdKafka::EventCb {
 public:
  explicit Callbacks(Delivered on_delivery) : on_delivery_(std::move(on_delivery)) {}

  void dr_cb(RdKafka::Message& m) override {
    std::unique_ptr<std::string> note(static_cast<std::string*>(m.msg_opaque()));
    report(note ? *note : std::string(), m.err() ? m.errstr() : std::string());
  }
  void report(const std::string& note, const std::string& error) { on_delivery_(note, error); }
  void event_cb(RdKafka::Event& e) override {
    if (e.type() == RdKafka::Event::EVENT_ERROR)
      problem = RdKafka::err2str(e.err()) + ": " + e.str();
  }

  std::string problem;

 private:
  Delivered on_delivery_;
};

namespace {

void set(RdKafka::Conf& conf, const std::string& key, const std::string& value) {
  std::string err;
  if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("librdkafka setting " + key + "=" + value + ": " + err);
  }
}

}  // namespace

EventProducer::EventProducer(const std::string& bootstrap, Delivered on_delivery)
    : callbacks_(std::make_unique<Callbacks>(std::move(on_delivery))) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  set(*conf, "bootstrap.servers", bootstrap);
  set(*conf, "client.id", "sluice-demo-source");
  set(*conf, "enable.idempotence", "true");
  set(*conf, "acks", "all");
  set(*conf, "linger.ms", "5");
  set(*conf, "log_level",
      "3");  // librdkafka's own warnings would interleave with the progress line
  std::string err;
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(callbacks_.get()), err) !=
          RdKafka::Conf::CONF_OK ||
      conf->set("event_cb", static_cast<RdKafka::EventCb*>(callbacks_.get()), err) !=
          RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("librdkafka callbacks: " + err);
  }
  producer_.reset(RdKafka::Producer::create(conf.get(), err));
  if (!producer_)
    throw std::runtime_error("cannot create a Kafka producer for " + bootstrap + ": " + err);
}

EventProducer::~EventProducer() = default;

void EventProducer::produce(const std::string& topic, const std::string& key,
                            const std::string& value, const std::string& trace_id,
                            std::string note) {
  auto* opaque = new std::string(std::move(note));
  RdKafka::Headers* headers = RdKafka::Headers::create();
  headers->add("sluice.trace_id", trace_id);
  for (;;) {
    RdKafka::ErrorCode rc = producer_->produce(
        topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, headers, opaque);
    if (rc == RdKafka::ERR_NO_ERROR) return;  // librdkafka owns the headers now
    if (rc != RdKafka::ERR__QUEUE_FULL) {
      delete headers;
      std::unique_ptr<std::string> owned(opaque);
      return callbacks_->report(*owned,
                                "cannot produce to topic " + topic + ": " + RdKafka::err2str(rc));
    }
    producer_->poll(10);
  }
}

void EventProducer::poll(int timeout_ms) {
  producer_->poll(timeout_ms);
}

int EventProducer::flush(int timeout_ms) {
  producer_->flush(timeout_ms);
  producer_->poll(0);
  return producer_->outq_len();
}

int EventProducer::outstanding() const {
  return producer_->outq_len();
}

const std::string& EventProducer::last_problem() const {
  return callbacks_->problem;
}

}  // namespace sluice::cli::demo
