#include "cli/demo/demo_producer.h"

namespace sluice::cli::demo {

class EventProducer::Callbacks : public kafka::DeliveryListener {
 public:
  explicit Callbacks(Delivered on_delivery) : on_delivery_(std::move(on_delivery)) {}

  void delivered(const kafka::Delivery& d) override {
    std::unique_ptr<std::string> note(static_cast<std::string*>(d.opaque));
    report(note ? *note : std::string(), d.error ? kafka::error_text(d.error) : std::string());
  }
  void report(const std::string& note, const std::string& error) { on_delivery_(note, error); }

  std::string problem;

 private:
  Delivered on_delivery_;
};

EventProducer::EventProducer(const std::string& bootstrap, int linger_ms, Delivered on_delivery)
    : callbacks_(std::make_unique<Callbacks>(std::move(on_delivery))) {
  kafka::ClientOptions options{bootstrap, "sluice-demo-source"};
  // librdkafka's own lines would interleave with the progress line; problems
  // reach last_problem() instead.
  options.log_level = 3;
  options.drop_logs = true;
  options.settings = {{"linger.ms", std::to_string(linger_ms)}};
  producer_ = std::make_unique<kafka::Producer>(
      options, callbacks_.get(), [this](kafka::ErrorCode err, const std::string& reason) {
        callbacks_->problem = kafka::error_text(err) + ": " + reason;
      });
}

EventProducer::~EventProducer() = default;

void EventProducer::produce(const std::string& topic, const std::string& key,
                            const std::string& value, const std::string& trace_id,
                            std::string note) {
  auto opaque = std::make_unique<std::string>(std::move(note));
  const kafka::OutputRecord record{topic, key, value, {{kafka::header::kTraceId, trace_id}}};
  for (;;) {
    kafka::ErrorCode rc = producer_->produce(record, opaque.get());
    if (rc == 0) {
      static_cast<void>(opaque.release());  // the delivery report frees it
      return;
    }
    if (!kafka::is_queue_full(rc))
      return callbacks_->report(*opaque,
                                "cannot produce to topic " + topic + ": " + kafka::error_text(rc));
    producer_->poll(10);
  }
}

void EventProducer::poll(int timeout_ms) {
  producer_->poll(timeout_ms);
}

int EventProducer::flush(int timeout_ms) {
  producer_->flush(timeout_ms);
  producer_->poll(0);
  return producer_->outstanding();
}

int EventProducer::outstanding() const {
  return producer_->outstanding();
}

const std::string& EventProducer::last_problem() const {
  return callbacks_->problem;
}

}  // namespace sluice::cli::demo
