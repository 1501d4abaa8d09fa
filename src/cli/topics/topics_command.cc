// `sluice topics list|describe|create|alter|delete|produce|consume`: topic
// administration over the Kafka admin API, so it works against any
// Kafka-compatible cluster; produce and consume live in their own files.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/table.h"
#include "cli/topics/topics_subcommands.h"
#include "common/json.h"
#include "kafka/admin_client.h"

namespace sluice::cli {
namespace {

// The settings the runbooks ask about (retention, sizes, compaction), in this order.
const std::vector<std::string> kDescribedConfigs = {
    "retention.ms", "retention.bytes", "max.message.bytes", "segment.bytes", "cleanup.policy"};

struct TopicFlags {
  KafkaFlags kafka;
  std::string name;
  int partitions = -1;
  int replication_factor = -1;
  std::vector<std::string> configs;
  bool json = false;
  bool yes = false;
};

std::string join(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

void json_ids(json::JsonWriter& w, const std::vector<int32_t>& ids) {
  w.begin_array();
  for (int32_t id : ids) w.value(int64_t(id));
  w.end_array();
}

int list_json(kafka::AdminClient& admin) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& topic : admin.cluster().topics)
    w.begin_object()
        .field("topic", topic.name)
        .field("partitions", int64_t(topic.partitions.size()))
        .end_object();
  std::printf("%s\n", w.end_array().str().c_str());
  return 0;
}

int list(kafka::AdminClient& admin, bool as_json) {
  if (as_json) return list_json(admin);
  Table t({"TOPIC", "PARTITIONS"});
  for (const auto& topic : admin.cluster().topics)
    t.add({topic.name, std::to_string(topic.partitions.size())});
  t.print();
  return 0;
}

// The same facts as the table, for scripts: partitions with their state, and the configs.
void print_describe_json(const kafka::TopicInfo& topic,
                         const std::map<std::string, std::string>& configs) {
  json::JsonWriter w;
  w.begin_object().field("topic", topic.name).key("partitions").begin_array();
  for (const auto& p : topic.partitions) {
    w.begin_object().field("partition", int64_t(p.id)).field("leader", int64_t(p.leader));
    w.key("replicas");
    json_ids(w, p.replicas);
    w.key("isr");
    json_ids(w, p.isr);
    w.field("online", p.leader >= 0 && p.error.empty()).field("error", p.error).end_object();
  }
  w.end_array().key("configs").begin_object();
  for (const auto& key : kDescribedConfigs) {
    auto it = configs.find(key);
    w.key(key);
    it != configs.end() ? w.value(it->second) : w.null();
  }
  std::printf("%s\n", w.end_object().end_object().str().c_str());
}

// Exit 2 when a partition is offline, so scripts can alert on it (runbook: offline partitions).
int describe(kafka::AdminClient& admin, const std::string& name, bool as_json) {
  std::optional<kafka::TopicInfo> topic = admin.find_topic(name);
  if (!topic || !topic->error.empty()) {
    std::fprintf(stderr, "sluice: topic '%s' %s at %s; see `sluice topics list`\n", name.c_str(),
                 topic ? ("cannot be described: " + topic->error).c_str() : "does not exist",
                 admin.endpoint().bootstrap.c_str());
    return 1;
  }
  int offline = 0;
  for (const auto& p : topic->partitions) offline += p.leader < 0 || !p.error.empty();
  if (as_json) {
    print_describe_json(*topic, admin.topic_configs(name));
    return offline > 0 ? 2 : 0;
  }
  Table t({"PARTITION", "LEADER", "REPLICAS", "ISR", "STATUS"});
  for (const auto& p : topic->partitions) {
    const bool down = p.leader < 0 || !p.error.empty();
    t.add({std::to_string(p.id), std::to_string(p.leader), join(p.replicas), join(p.isr),
           down ? "OFFLINE " + p.error : "online"});
  }
  std::printf("topic %s: %zu partition(s), %d offline\n", name.c_str(), topic->partitions.size(),
              offline);
  t.print();
  std::map<std::string, std::string> configs = admin.topic_configs(name);
  std::printf("configs:\n");
  for (const auto& key : kDescribedConfigs) {
    auto it = configs.find(key);
    std::printf("  %s=%s\n", key.c_str(), it != configs.end() ? it->second.c_str() : "-");
  }
  return offline > 0 ? 2 : 0;
}

std::map<std::string, std::string> parse_configs(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::invalid_argument("--config '" + item +
                                  "' must be KEY=VALUE, e.g. retention.ms=86400000");
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

// Deleting is the one topics command that cannot be undone: on a terminal it asks
// first; elsewhere (a script, a pipe) it needs --yes, since nobody can answer.
bool confirmed_delete(const std::string& name, bool yes) {
  if (yes) return true;
  if (!::isatty(STDIN_FILENO)) {
    std::fprintf(stderr,
                 "sluice: not deleting topic '%s': stdin is not a terminal, so nobody can "
                 "confirm; pass --yes to delete it\n",
                 name.c_str());
    return false;
  }
  std::fprintf(stderr, "Delete topic '%s' and all its data? This cannot be undone. [y/N] ",
               name.c_str());
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  std::fprintf(stderr, "not deleted\n");
  return false;
}

}  // namespace

std::vector<Run> add_topics_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<TopicFlags>();
  CLI::App* topics = app.add_subcommand("topics", "List, describe, create, grow and delete topics");
  topics->require_subcommand(1);
  std::vector<Run> runs;
  AdminCommands commands(std::shared_ptr<KafkaFlags>(f, &f->kafka), registered, runs);

  CLI::App* l = topics->add_subcommand("list", "One line per topic with its partition count");
  l->add_flag("--json", f->json, "One JSON array of {topic, partitions}");
  commands.add(l, [f](auto& admin) { return list(admin, f->json); });

  CLI::App* d =
      topics->add_subcommand("describe", "Partitions (leader, replicas, ISR, offline) and configs");
  d->add_option("name", f->name, "Topic")->required();
  d->add_flag("--json", f->json, "One JSON object: partitions (leader, replicas, isr) and configs");
  commands.add(d, [f](auto& admin) { return describe(admin, f->name, f->json); });

  CLI::App* c = topics->add_subcommand("create", "Create a topic");
  c->add_option("name", f->name, "Topic")->required();
  c->add_option("--partitions", f->partitions, "Partition count (-1: broker default)");
  c->add_option("--replication-factor", f->replication_factor, "Replicas (-1: broker default)");
  c->add_option("--config", f->configs,
                "KEY=VALUE topic config, repeatable (e.g. retention.ms=86400000)");
  commands.add(c, [f](auto& admin) {
    admin.create_topic({f->name, f->partitions, f->replication_factor, parse_configs(f->configs)});
    std::printf("created topic %s\n", f->name.c_str());
    return 0;
  });

  CLI::App* a =
      topics->add_subcommand("alter", "Grow a topic to more partitions (Kafka never shrinks one)");
  a->add_option("name", f->name, "Topic")->required();
  a->add_option("--partitions", f->partitions, "New total partition count")->required();
  commands.add(a, [f](auto& admin) {
    admin.add_partitions(f->name, f->partitions);
    std::printf("topic %s now has %d partitions\n", f->name.c_str(), f->partitions);
    return 0;
  });

  CLI::App* del = topics->add_subcommand("delete", "Delete a topic and its data");
  del->add_option("name", f->name, "Topic")->required();
  del->add_flag("-y,--yes", f->yes, "Do not ask for confirmation (needed when not on a terminal)");
  commands.add(del, [f](auto& admin) {
    if (!confirmed_delete(f->name, f->yes)) return 1;
    admin.delete_topic(f->name);
    std::printf("deleted topic %s\n", f->name.c_str());
    return 0;
  });

  add_topics_produce(topics, commands);
  add_topics_consume(topics, commands);
  return runs;
}

}  // namespace sluice::cli
