#include "cli/support/sync_producer.h"

#include <cstdlib>
#include <memory>

#include "common/clock.h"
#include "kafka/errors.h"

namespace sluice::cli {
namespace {

// What the delivery report said about one record; the record's opaque points here.
struct Report {
  bool done = false;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  Delivered at;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* report = static_cast<Report*>(m->_private);
  if (!report) return;
  report->done = true;
  report->err = m->err;
  report->at = {m->partition, m->offset};
}

void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    throw kafka::KafkaError("invalid Kafka producer setting " + key + "=" + value + ": " + err);
}

}  // namespace

SyncProducer::SyncProducer(const kafka::Endpoint& endpoint) : endpoint_(endpoint) {
  kafka::Conf conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", endpoint_.bootstrap);
  set(conf.get(), "client.id", "sluice-cli");
  set(conf.get(), "log_level", "0");  // failures reach the operator through send()
  if (const char* debug = std::getenv("SLUICE_RDKAFKA_DEBUG")) {
    set(conf.get(), "debug", debug);
    set(conf.get(), "log_level", "7");
  }
  set(conf.get(), "enable.idempotence", "true");
  set(conf.get(), "acks", "all");
  set(conf.get(), "linger.ms", "0");
  set(conf.get(), "message.timeout.ms", std::to_string(endpoint_.timeout_ms));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery);
  char err[512];
  handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err));
  if (!handle_)
    throw kafka::KafkaError("cannot create a Kafka producer for " + endpoint_.bootstrap + ": " +
                            err);
  conf.release();  // rd_kafka_new took it
}

Delivered SyncProducer::send(const OutgoingRecord& record) {
  const std::string what = "writing to topic '" + record.topic + "' at " + endpoint_.bootstrap;
  rd_kafka_headers_t* headers = rd_kafka_headers_new(record.headers.size());
  for (const auto& [k, v] : record.headers)
    rd_kafka_header_add(headers, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                        static_cast<ssize_t>(v.size()));
  auto report = std::make_unique<Report>();
  // Null stays null: a record without a key (or a tombstone) is replayed as one.
  const void* key = record.key ? record.key->data() : nullptr;
  void* value = record.value ? const_cast<char*>(record.value->data()) : nullptr;  // copied
  const size_t key_size = record.key ? record.key->size() : 0;
  const size_t value_size = record.value ? record.value->size() : 0;
  rd_kafka_resp_err_t err =
      rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(record.topic.c_str()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
                        RD_KAFKA_V_VALUE(value, value_size), RD_KAFKA_V_HEADERS(headers),
                        RD_KAFKA_V_OPAQUE(report.get()), RD_KAFKA_V_END);
  if (err) {
    rd_kafka_headers_destroy(headers);  // librdkafka owns them only on success
    kafka::throw_if(err, what);
  }
  // message.timeout.ms bounds delivery; the margin covers the report's own travel.
  const int64_t deadline = mono_ms() + endpoint_.timeout_ms + 5000;
  while (!report->done && mono_ms() < deadline) rd_kafka_poll(handle_.get(), 100);
  if (!report->done) {
    rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    const int64_t purge_deadline = mono_ms() + endpoint_.timeout_ms;
    while (!report->done && mono_ms() < purge_deadline) rd_kafka_poll(handle_.get(), 100);
    // A report that never came may still arrive later: it must find live memory.
    if (!report->done) static_cast<void>(report.release());
    throw kafka::KafkaError(what + ": no acknowledgement within " +
                            std::to_string(endpoint_.timeout_ms) +
                            " ms; is the broker healthy? raise --timeout-ms");
  }
  kafka::throw_if(report->err, what);
  char fatal[512];
  if (rd_kafka_fatal_error(handle_.get(), fatal, sizeof fatal))
    throw kafka::KafkaError(what + ": the producer failed: " + fatal);
  return report->at;
}

}  // namespace sluice::cli
