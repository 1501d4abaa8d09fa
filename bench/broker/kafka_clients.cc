// Only the C++ API is used: the bench links librdkafka++ alone, so the C admin
// API (rd_kafka_CreateTopics) is out of reach and topics are auto-created.
#include "kafka_clients.h"

#include <chrono>
#include <map>
#include <stdexcept>
#include <thread>

namespace sluice::bench {
namespace {

using Settings = std::map<std::string, std::string>;

std::unique_ptr<RdKafka::Conf> make_conf(Settings settings, const ClientSecurity& security) {
  settings.insert(security.begin(), security.end());
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [key, value] : settings) {
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
      throw std::runtime_error("librdkafka config " + key + "=" + value + ": " + err);
    }
  }
  return conf;
}

}  // namespace

std::unique_ptr<RdKafka::Producer> make_producer(const ProducerSettings& settings,
                                                 RdKafka::DeliveryReportCb* reports) {
  auto conf = make_conf(
      {
          {"bootstrap.servers", settings.bootstrap},
          {"acks", "all"},
          {"enable.idempotence", "false"},
          {"compression.type", "none"},
          {"linger.ms", std::to_string(settings.linger_ms)},
          {"batch.size", std::to_string(settings.batch_bytes)},
          // Enough local queue that the producer is limited by the broker, not by
          // its own buffer: 512 MiB or 500k messages in flight.
          {"queue.buffering.max.kbytes", std::to_string(512 * 1024)},
          {"queue.buffering.max.messages", "500000"},
      },
      settings.security);
  std::string err;
  if (reports != nullptr && conf->set("dr_cb", reports, err) != RdKafka::Conf::CONF_OK) {
    throw std::runtime_error("librdkafka dr_cb: " + err);
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) throw std::runtime_error("cannot create producer: " + err);
  return producer;
}

std::unique_ptr<RdKafka::Consumer> make_consumer(const std::string& bootstrap,
                                                 const ClientSecurity& security) {
  auto conf = make_conf(
      {
          {"bootstrap.servers", bootstrap},
          {"enable.partition.eof", "false"},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
      },
      security);
  std::string err;
  std::unique_ptr<RdKafka::Consumer> consumer(RdKafka::Consumer::create(conf.get(), err));
  if (!consumer) throw std::runtime_error("cannot create consumer: " + err);
  return consumer;
}

std::unique_ptr<RdKafka::Topic> open_topic(RdKafka::Handle* client, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(client, topic, nullptr, err));
  if (!handle) throw std::runtime_error("cannot open topic " + topic + ": " + err);
  return handle;
}

void ensure_topic(RdKafka::Handle* client, const std::string& topic, int32_t partitions) {
  auto handle = open_topic(client, topic);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string last_problem = "no metadata yet";
  while (std::chrono::steady_clock::now() < deadline) {
    RdKafka::Metadata* raw = nullptr;
    RdKafka::ErrorCode err = client->metadata(false, handle.get(), &raw, 5000);
    std::unique_ptr<RdKafka::Metadata> md(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
      last_problem = RdKafka::err2str(err);
    } else {
      for (const RdKafka::TopicMetadata* t : *md->topics()) {
        if (t->topic() != topic) continue;
        int32_t led = 0;
        for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
          if (p->err() == RdKafka::ERR_NO_ERROR && p->leader() >= 0) ++led;
        }
        if (t->err() == RdKafka::ERR_NO_ERROR && led == partitions &&
            static_cast<int32_t>(t->partitions()->size()) == partitions) {
          return;
        }
        last_problem = "topic error '" + RdKafka::err2str(t->err()) + "', " +
                       std::to_string(t->partitions()->size()) + " partitions, " +
                       std::to_string(led) + " with a leader";
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  throw std::runtime_error("topic " + topic + " did not get " + std::to_string(partitions) +
                           " partitions within 30 s: " + last_problem);
}

}  // namespace sluice::bench
