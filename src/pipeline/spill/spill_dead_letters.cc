#include "pipeline/spill/spill_dead_letters.h"

#include <stdexcept>
#include <utility>

#include "common/clock.h"
#include "kafka/errors.h"
#include "pipeline/reroute.h"

namespace sluice::pipeline::spill {

SpillDeadLetters::SpillDeadLetters(kafka::ClientOptions producer, const StageConfig& stage)
    : options_(std::move(producer)), stage_(stage) {}

SpillDeadLetters::~SpillDeadLetters() {
  if (producer_) producer_->flush(1000);
}

void SpillDeadLetters::send(const Record& record, const Outcome& outcome) {
  std::lock_guard send_lock(mu_);
  if (!stage_.dlq.enabled) {
    throw std::runtime_error("the sink refused it (" + outcome.message +
                             ") and the stage's DLQ is disabled; it stays in the spill (enable "
                             "dlq: or fix the sink)");
  }
  if (!producer_) producer_ = std::make_unique<kafka::Producer>(options_, this);
  const Failure failure{stage_.name, outcome.category, outcome.message, 1, now_ms()};
  const OutputRecord letter = to_dead_letter(
      record, dead_letter_topic(record, stage_.dlq.topic, stage_.dlq.max_replays), failure);
  answered_ = false;
  error_ = 0;
  if (kafka::ErrorCode rc = producer_->produce(letter, this))
    throw std::runtime_error("cannot produce to " + letter.topic + ": " + kafka::error_text(rc));
  // Reports are served by poll(), on this thread: delivered() runs inside it.
  const int64_t deadline = mono_ms() + kAckTimeoutMs;
  while (!answered_ && mono_ms() < deadline) producer_->poll(100);
  if (!answered_)
    throw std::runtime_error("no acknowledgement from " + letter.topic + " within 30 s");
  if (error_)
    throw std::runtime_error(letter.topic + " refused the record: " + kafka::error_text(error_));
}

void SpillDeadLetters::delivered(const kafka::Delivery& delivery) {
  answered_ = true;
  error_ = delivery.error;
}

}  // namespace sluice::pipeline::spill
