// One librdkafka client handle plus what librdkafka has said about connecting.
//
// Why: asked for metadata while the cluster is down, librdkafka waits out the
// whole timeout and then reports only "Local: Broker transport failure", while
// its error callback learns the cause ("Connection refused", an unknown host)
// within milliseconds. Connection keeps that cause so callers can fail fast with
// an actionable sentence instead of a generic one.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kafka/handles.h"
#include "kafka/types.h"

namespace sluice::kafka {

class Connection {
 public:
  // `settings` are librdkafka properties on top of bootstrap.servers and quiet
  // logging (SLUICE_RDKAFKA_DEBUG=admin,protocol turns librdkafka's logs on).
  Connection(Endpoint endpoint, rd_kafka_type_t type, const Settings& settings = {});

  rd_kafka_t* get() const { return handle_.get(); }
  const Endpoint& endpoint() const { return endpoint_; }

  // Cluster metadata: every topic, or (all_topics=false) only the brokers.
  // Throws KafkaError naming the cause when no broker answers: early when every
  // broker refused or could not be resolved, otherwise after the timeout.
  Metadata fetch_metadata(bool all_topics);

 private:
  // Written by the error callback, which librdkafka runs inside rd_kafka_poll()
  // on the calling thread, so no locking is needed.
  struct Problems {
    std::string last;  // latest connection problem, in plain words
    bool all_brokers_down = false;
  };
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  Endpoint endpoint_;
  std::unique_ptr<Problems> problems_;  // heap: its address is the callback's opaque
  Handle handle_;
};

}  // namespace sluice::kafka
