#include "registry/schemas_log.h"

#include <chrono>

#include "common/log.h"
#include "kafka/admin_client.h"
#include "kafka/consumer.h"
#include "kafka/errors.h"
#include "kafka/producer.h"

namespace sluice::registry {
namespace {

// Nothing here joins a group or commits: assign() alone wants a group id.
const kafka::Settings kTailSettings = {{"group.id", "sluice-registry-tail"},
                                       {"enable.partition.eof", "true"},
                                       {"auto.offset.reset", "earliest"}};
// A registration waits for its record: send it at once rather than batch it.
const kafka::Settings kWriterSettings = {{"linger.ms", "0"}};

// The one append in flight (appends hold the writer lock): where its records landed.
class Deliveries : public kafka::DeliveryListener {
 public:
  void delivered(const kafka::Delivery& d) override {
    if (d.error) {
      error = d.error;
    } else {
      last_offset = std::max(last_offset, d.offset);
    }
  }
  int64_t last_offset = -1;
  kafka::ErrorCode error = 0;
};

}  // namespace

SchemasLog::SchemasLog(SchemasLogOptions options) : options_(std::move(options)) {
  ensure_topic();
  const int64_t end = kafka::AdminClient(options_.endpoint).watermarks(options_.topic, 0).high;
  const std::string& bootstrap = options_.endpoint.bootstrap;
  consumer_ = std::make_unique<kafka::Consumer>(
      kafka::ClientOptions{bootstrap, "sluice-registry", /*log_level=*/0, true, kTailSettings});
  kafka::throw_if(consumer_->assign({{options_.topic, 0, kafka::kOffsetBeginning}}),
                  "reading topic '" + options_.topic + "'");
  tail_thread_ = std::thread([this] { tail(); });
  if (!wait_applied(end)) {
    const int64_t reached = applied();
    stopping_ = true;
    tail_thread_.join();
    throw StoreError("replaying topic '" + options_.topic + "' on " + bootstrap +
                     " stopped at offset " + std::to_string(reached) + " of " +
                     std::to_string(end) + " within " + std::to_string(options_.wait_ms) +
                     " ms; is the broker healthy? (" + tail_error_ + ")");
  }
}

SchemasLog::~SchemasLog() {
  stopping_ = true;
  if (tail_thread_.joinable()) tail_thread_.join();
}

void SchemasLog::ensure_topic() {
  kafka::AdminClient admin(options_.endpoint);
  if (auto found = admin.find_topic(options_.topic)) {
    auto configs = admin.topic_configs(options_.topic);
    if (configs["cleanup.policy"].find("compact") == std::string::npos) {
      log::warn("registry",
                "topic '{}' has cleanup.policy={}, not compact: old versions of each key are "
                "kept until retention deletes them, and then schemas are lost; set "
                "cleanup.policy=compact and retention.ms=-1",
                options_.topic, configs["cleanup.policy"]);
    }
    return;
  }
  // One partition: the log's order is the order of every change.
  try {
    admin.create_topic({options_.topic, 1, -1, {{"cleanup.policy", "compact"}}});
  } catch (const kafka::KafkaError&) {
    if (!admin.find_topic(options_.topic)) throw;
    return;  // another registry starting at the same time created it
  }
  log::info("registry", "created topic '{}' (1 partition, cleanup.policy=compact) on {}",
            options_.topic, options_.endpoint.bootstrap);
}

void SchemasLog::tail() {
  while (!stopping_) {
    kafka::ConsumedMessage m = consumer_->poll(200);
    if (!m) continue;
    if (m.is_partition_eof()) {
      std::lock_guard lock(mu_);
      next_offset_ = std::max(next_offset_, m.offset());
      applied_cv_.notify_all();
      continue;
    }
    if (m.error()) {
      std::lock_guard lock(mu_);
      tail_error_ = "last read error: " + m.error_message();
      continue;
    }
    kafka::Record r = m.to_record();
    std::optional<std::string> value;
    if (!r.null_value) value = std::move(r.value);
    apply(r.key.value_or(""), value, m.offset());
  }
}

void SchemasLog::apply(const std::string& key, const std::optional<std::string>& value,
                       int64_t offset) {
  std::optional<RegistryRecord> record;
  try {
    if (!key.empty()) record = RegistryRecord::parse(key, value);
  } catch (const RecordError& e) {
    log::warn("registry", "skipped offset {} of '{}': {}", offset, options_.topic, e.what());
  }
  std::lock_guard lock(mu_);
  if (record) state_.apply(*record);
  next_offset_ = std::max(next_offset_, offset + 1);
  applied_cv_.notify_all();
}

bool SchemasLog::wait_applied(int64_t end) const {
  std::unique_lock lock(mu_);
  return applied_cv_.wait_for(lock, std::chrono::milliseconds(options_.wait_ms),
                              [&] { return next_offset_ >= end; });
}

int64_t SchemasLog::applied() const {
  std::lock_guard lock(mu_);
  return next_offset_;
}

void SchemasLog::read(const std::function<void(const RegistryState&)>& fn) const {
  std::lock_guard lock(mu_);
  fn(state_);
}

void SchemasLog::catch_up() {
  const int64_t end =
      consumer_->log_offsets({{options_.topic, 0, 0}}, kafka::kOffsetEnd, options_.wait_ms)[0];
  if (end < 0) {
    throw StoreError("cannot ask " + options_.endpoint.bootstrap + " where topic '" +
                     options_.topic + "' ends; is the broker up?");
  }
  if (!wait_applied(end)) {
    throw StoreError("topic '" + options_.topic + "' was not read up to offset " +
                     std::to_string(end) + " within " + std::to_string(options_.wait_ms) +
                     " ms; is the broker healthy?");
  }
  std::lock_guard lock(mu_);
  decided_at_ = end;
}

// Fencing (docs/registry.md, "Several registries, one writer"): every append is
// one transaction of the topic's one transactional id. Initializing it fences
// every earlier producer of the id, so a writer frozen past its session timeout
// cannot append once a successor has; and, fenced, the log must still end where
// this change was decided (catch_up()), else a writer appended in between and
// the proposal may be stale.
void SchemasLog::append(const std::vector<RegistryRecord>& records) {
  if (records.empty()) return;
  Deliveries deliveries;
  // One producer per append: appends are rare (schema changes), a fresh producer
  // never carries a fatal error from an earlier failure, and its initialization
  // is the fence.
  kafka::Settings settings = kWriterSettings;
  settings.emplace_back("transactional.id", "sluice-registry." + options_.topic);
  kafka::Producer producer(kafka::ClientOptions{options_.endpoint.bootstrap, "sluice-registry",
                                                /*log_level=*/0, true, settings},
                           &deliveries);
  const std::string where = "topic '" + options_.topic + "' on " + options_.endpoint.bootstrap;
  if (std::string e = producer.init_transactions(options_.wait_ms); !e.empty())
    throw StoreError("cannot take the writer's transactional id of " + where + ": " + e +
                     "; nothing was stored, retry");
  const int64_t end =
      consumer_->log_offsets({{options_.topic, 0, 0}}, kafka::kOffsetEnd, options_.wait_ms)[0];
  const int64_t decided = [&] {
    std::lock_guard lock(mu_);
    return decided_at_;
  }();
  if (decided >= 0 && end != decided)
    throw StoreError("another registry wrote to " + where + " after this one read it (to offset " +
                     std::to_string(decided) + "; it now ends at " + std::to_string(end) +
                     "): nothing was stored; retry, and the change is decided again");
  if (std::string e = producer.begin_transaction(); !e.empty())
    throw StoreError("cannot begin a transaction on " + where + ": " + e);
  for (const RegistryRecord& record : records) {
    kafka::OutputRecord out{.topic = options_.topic, .key = record.key_json()};
    if (auto value = record.value_json()) {
      out.value = *value;
    } else {
      out.null_value = true;
    }
    out.partition = 0;
    if (kafka::ErrorCode err = producer.produce(out, nullptr)) {
      throw StoreError("cannot append to topic '" + options_.topic +
                       "': " + kafka::error_text(err));
    }
  }
  producer.flush(options_.wait_ms);
  // Aborted, a transaction's records are never read (the tail reads committed
  // records only), so each failure below stored nothing.
  std::string failure;
  if (deliveries.error) {
    failure = "refused the change (" + kafka::error_text(deliveries.error) + ")";
  } else if (producer.outstanding() > 0) {
    failure = "did not acknowledge the change within " + std::to_string(options_.wait_ms) + " ms";
  } else if (std::string e = producer.commit_transaction(options_.wait_ms); !e.empty()) {
    failure = "did not commit the change (" + e + "; a newer writer may have fenced this one)";
  }
  if (!failure.empty()) {
    producer.purge();
    producer.abort_transaction(options_.wait_ms);
    throw StoreError(where + " " + failure + "; nothing was stored, check the broker and retry");
  }
  if (!wait_applied(deliveries.last_offset + 1)) {
    throw StoreError("the change is stored at offset " + std::to_string(deliveries.last_offset) +
                     " of topic '" + options_.topic + "' but was not read back within " +
                     std::to_string(options_.wait_ms) + " ms; it will show once the log is read");
  }
}

}  // namespace sluice::registry
