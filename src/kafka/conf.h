// Inside src/kafka/ only: building a librdkafka configuration from ClientOptions,
// so every client gets bootstrap, client id, logging and debugging the same way.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

#include "kafka/handles.h"
#include "kafka/types.h"

namespace sluice::kafka {

// Throws KafkaError naming the property librdkafka refused.
void set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);

// bootstrap.servers, client.id, logging, the security settings of the
// environment, pipeline file and profile (client_security.h), then `extra`, then options.settings.
Conf new_conf(const ClientOptions& options, const Settings& extra = {});

// Creates the client (taking `conf` only on success); throws KafkaError on failure.
Handle new_client(rd_kafka_type_t type, Conf& conf, const std::string& bootstrap);

}  // namespace sluice::kafka
