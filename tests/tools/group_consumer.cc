// A librdkafka high-level consumer as a separate process, so tests can run
// several, stop one cleanly (SIGTERM: commit and leave) and kill another
// (SIGKILL: its session must expire on the broker).
//
// Usage: group_consumer BOOTSTRAP GROUP TOPIC ASSIGNOR [INSTANCE_ID]
// Prints one line per event, flushed immediately:
//   ready
//   assigned <p>,<p>,...      (the full assignment after each rebalance)
//   msg <partition> <offset> <value>   (after the offset was committed)
#include <librdkafka/rdkafkacpp.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;

void print_assignment(RdKafka::KafkaConsumer* c) {
  std::vector<RdKafka::TopicPartition*> parts;
  c->assignment(parts);
  std::set<int32_t> ids;
  for (auto* p : parts) ids.insert(p->partition());
  RdKafka::TopicPartition::destroy(parts);
  std::string line = "assigned ";
  for (int32_t id : ids) line += std::to_string(id) + ",";
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

class Rebalance : public RdKafka::RebalanceCb {
 public:
  void rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& parts) override {
    bool cooperative = c->rebalance_protocol() == "COOPERATIVE";
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        delete c->incremental_assign(parts);
      } else {
        c->assign(parts);
      }
    } else {
      if (cooperative) {
        delete c->incremental_unassign(parts);
      } else {
        c->unassign();
      }
    }
    print_assignment(c);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP GROUP TOPIC ASSIGNOR [INSTANCE_ID]\n", argv[0]);
    return 2;
  }
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  Rebalance rebalance;
  conf->set("bootstrap.servers", argv[1], err);
  conf->set("group.id", argv[2], err);
  conf->set("partition.assignment.strategy", argv[4], err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("auto.offset.reset", "earliest", err);
  conf->set("session.timeout.ms", "6000", err);
  conf->set("heartbeat.interval.ms", "500", err);
  conf->set("rebalance_cb", &rebalance, err);
  if (argc > 5) conf->set("group.instance.id", argv[5], err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c) {
    std::fprintf(stderr, "consumer: %s\n", err.c_str());
    return 1;
  }
  c->subscribe({argv[3]});
  std::printf("ready\n");
  std::fflush(stdout);
  while (!g_stop) {
    std::unique_ptr<RdKafka::Message> m(c->consume(200));
    if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (m->err()) {
      std::fprintf(stderr, "consume error: %s\n", m->errstr().c_str());
      continue;
    }
    // Commit before reporting: a message printed here is never redelivered.
    std::vector<RdKafka::TopicPartition*> pos = {
        RdKafka::TopicPartition::create(m->topic_name(), m->partition(), m->offset() + 1)};
    RdKafka::ErrorCode rc = c->commitSync(pos);
    RdKafka::TopicPartition::destroy(pos);
    if (rc != RdKafka::ERR_NO_ERROR) {
      std::fprintf(stderr, "commit failed: %s\n", RdKafka::err2str(rc).c_str());
      continue;
    }
    std::printf("msg %d %lld %.*s\n", m->partition(), static_cast<long long>(m->offset()),
                int(m->len()), static_cast<const char*>(m->payload()));
    std::fflush(stdout);
  }
  c->close();
  std::printf("closed\n");
  return 0;
}
