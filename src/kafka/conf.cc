#include "kafka/conf.h"

#include <cstdlib>

#include "kafka/client_security.h"
#include "kafka/errors.h"

namespace sluice::kafka {
namespace {

void drop_log_line(const rd_kafka_t*, int, const char*, const char*) {}

}  // namespace

void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    throw KafkaError("invalid Kafka client setting " + key + "=" + value + ": " + err);
  }
}

Conf new_conf(const ClientOptions& options, const Settings& extra) {
  Conf conf(rd_kafka_conf_new());
  set(conf.get(), "bootstrap.servers", options.bootstrap);
  set(conf.get(), "client.id", options.client_id);
  if (options.log_level >= 0) set(conf.get(), "log_level", std::to_string(options.log_level));
  if (const char* debug = std::getenv("SLUICE_RDKAFKA_DEBUG")) {
    set(conf.get(), "debug", debug);
    set(conf.get(), "log_level", "7");
  }
  if (options.drop_logs) rd_kafka_conf_set_log_cb(conf.get(), &drop_log_line);
  for (const auto& [key, value] : client_security_settings()) set(conf.get(), key, value);
  for (const auto& [key, value] : extra) set(conf.get(), key, value);
  for (const auto& [key, value] : options.settings) set(conf.get(), key, value);
  return conf;
}

Handle new_client(rd_kafka_type_t type, Conf& conf, const std::string& bootstrap) {
  char err[512];
  Handle handle(rd_kafka_new(type, conf.get(), err, sizeof err));
  if (!handle) throw KafkaError("cannot create a Kafka client for " + bootstrap + ": " + err);
  conf.release();  // rd_kafka_new took it
  return handle;
}

}  // namespace sluice::kafka
