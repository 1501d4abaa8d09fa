#include "kafka/producer.h"

#include "kafka/conf.h"
#include "kafka/queue_watch.h"

namespace sluice::kafka {
namespace {

// What every sluice producer is: nothing acknowledged is lost, nothing retried is doubled.
const Settings kProducerSettings = {{"enable.idempotence", "true"}, {"acks", "all"}};

// "" for success, else the reason (and the error is freed).
std::string reason_of(rd_kafka_error_t* error) {
  if (!error) return "";
  std::string out = rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  return out;
}

}  // namespace

Producer::Producer(const ClientOptions& options, DeliveryListener* deliveries,
                   ErrorListener on_error)
    : deliveries_(deliveries), on_error_(std::move(on_error)) {
  Conf conf = new_conf(options, kProducerSettings);
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t* rk, const rd_kafka_message_t* m,
                                             void* opaque) { on_delivery(rk, m, opaque); });
  if (on_error_) {
    rd_kafka_conf_set_error_cb(
        conf.get(), [](rd_kafka_t*, int err, const char* reason, void* opaque) {
          static_cast<Producer*>(opaque)->on_error_(err, reason ? reason : "");
        });
  }
  rk_ = new_client(RD_KAFKA_PRODUCER, conf, options.bootstrap).release();
}

Producer::~Producer() {
  notify(-1);
  for (auto& [name, topic] : topics_) rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk_);
}

void Producer::on_delivery(rd_kafka_t*, const void* message, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(message);
  if (!self->deliveries_) return;
  // The C name, not a std::string: this runs once per record.
  self->deliveries_->delivered(
      {m->_private, rd_kafka_topic_name(m->rkt), m->partition, m->offset, m->err});
}

// Through a cached topic handle: looking the topic up by name costs a lock and
// a string compare per record inside librdkafka.
rd_kafka_topic_t* Producer::topic_handle(const std::string& name) {
  std::lock_guard lock(topics_mu_);
  rd_kafka_topic_t*& topic = topics_[name];
  if (!topic) topic = rd_kafka_topic_new(rk_, name.c_str(), nullptr);
  return topic;
}

ErrorCode Producer::produce(const OutputRecord& out, void* opaque) {
  rd_kafka_topic_t* topic = topic_handle(out.topic);
  if (!topic) return rd_kafka_last_error();
  rd_kafka_headers_t* headers = rd_kafka_headers_new(out.headers.size());
  for (const auto& [k, v] : out.headers)
    rd_kafka_header_add(headers, k.data(), ssize_t(k.size()), v.data(), ssize_t(v.size()));
  // rd_kafka_produceva() rather than producev(): the RD_KAFKA_V_* macros are GNU
  // statement expressions, which clang's -Wpedantic (the fuzz build) rejects.
  rd_kafka_vu_t vu[7];
  vu[0].vtype = RD_KAFKA_VTYPE_RKT;
  vu[0].u.rkt = topic;
  vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  vu[1].u.i32 = out.partition.value_or(RD_KAFKA_PARTITION_UA);
  vu[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[2].u.i = RD_KAFKA_MSG_F_COPY;
  vu[3].vtype = RD_KAFKA_VTYPE_VALUE;
  // Null stays null: a tombstone is produced as one.
  vu[3].u.mem = {out.null_value ? nullptr : const_cast<char*>(out.value.data()),
                 out.null_value ? 0 : out.value.size()};
  vu[4].vtype = RD_KAFKA_VTYPE_KEY;
  vu[4].u.mem = {out.key ? const_cast<char*>(out.key->data()) : nullptr,
                 out.key ? out.key->size() : 0};
  vu[5].vtype = RD_KAFKA_VTYPE_HEADERS;
  vu[5].u.headers = headers;
  vu[6].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[6].u.ptr = opaque;
  rd_kafka_resp_err_t rc = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (rd_kafka_error_t* error = rd_kafka_produceva(rk_, vu, 7)) {
    rc = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
  }
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_headers_destroy(headers);  // else librdkafka's
  return rc;
}

int Producer::poll(int timeout_ms) {
  return rd_kafka_poll(rk_, timeout_ms);
}

void Producer::flush(int timeout_ms) {
  rd_kafka_flush(rk_, timeout_ms);
}

int Producer::outstanding() const {
  return rd_kafka_outq_len(rk_);
}

void Producer::purge() {
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

void Producer::purge_unsent() {
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE);
}

std::string Producer::fatal_error() const {
  char fatal[512];
  if (!rd_kafka_fatal_error(rk_, fatal, sizeof fatal)) return "";
  return fatal;
}

std::string Producer::init_transactions(int timeout_ms) {
  return reason_of(rd_kafka_init_transactions(rk_, timeout_ms));
}

std::string Producer::begin_transaction() {
  return reason_of(rd_kafka_begin_transaction(rk_));
}

std::string Producer::commit_transaction(int timeout_ms) {
  return reason_of(rd_kafka_commit_transaction(rk_, timeout_ms));
}

std::string Producer::abort_transaction(int timeout_ms) {
  return reason_of(rd_kafka_abort_transaction(rk_, timeout_ms));
}

void Producer::notify(int fd) {
  watch_queue(notifying_, fd, fd < 0 ? nullptr : rd_kafka_queue_get_main(rk_), "main");
}

}  // namespace sluice::kafka
