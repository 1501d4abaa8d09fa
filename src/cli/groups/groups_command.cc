// `sluice groups list|describe|reset-offsets`: the runbooks' consumer-group
// diagnostics (lag, lag in seconds, skew) and recovery (replay from a time), over
// librdkafka's admin API so they work against any Kafka cluster.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/groups/offset_reset.h"
#include "cli/support/commands.h"
#include "cli/support/group_lag.h"
#include "cli/support/json.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/table.h"
#include "kafka/admin_client.h"
#include "kafka/record_reader.h"

namespace sluice::cli {
namespace {

struct DescribeFlags {
  std::string group;
  bool all = false;
  bool json = false;
};

struct GroupFlags {
  KafkaFlags kafka;
  bool list_json = false;
  DescribeFlags describe;
  ResetFlags reset;
};

int list(kafka::AdminClient& admin, bool as_json) {
  Table t({"GROUP", "STATE", "TYPE"});
  std::string json;
  for (const auto& g : admin.list_groups()) {
    // Brokers that answer ListGroups below v4 give no state: ask the group itself.
    std::string state = g.state == "Unknown" ? admin.describe_group(g.group_id).state : g.state;
    const char* type = g.simple ? "simple" : "consumer";
    t.add({g.group_id, state, type});
    json += fmt::format("{}{{\"group\":{},\"state\":{},\"type\":\"{}\"}}", json.empty() ? "" : ",",
                        json_quote(g.group_id), json_quote(state), type);
  }
  if (as_json) {
    std::printf("[%s]\n", json.c_str());
  } else {
    t.print();
  }
  return 0;
}

std::string lag_seconds_text(const PartitionLag& p) {
  return p.lag_seconds ? fmt::format("{:.1f}", *p.lag_seconds) : "-";
}

void print_text(const GroupLag& g) {
  std::printf("GROUP %s (%s, %zu member(s))\n", g.group.c_str(), g.state.c_str(), g.members);
  Table t({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "LAG-SECONDS",
           "CONSUMER-ID", "HOST", "CLIENT-ID"});
  for (const auto& p : g.partitions) {
    t.add({p.topic, std::to_string(p.partition), cell(p.committed), std::to_string(p.log_end),
           std::to_string(p.lag), lag_seconds_text(p), cell(p.consumer_id), cell(p.host),
           cell(p.client_id)});
  }
  t.print();
  std::printf("total lag: %lld message(s)\n", static_cast<long long>(g.total_lag()));
  if (const PartitionLag* hot = g.skewed()) {
    std::printf(
        "WARNING: lag is skewed: %s partition %d holds %lld of %lld messages (hot key or stuck "
        "consumer?)\n",
        hot->topic.c_str(), hot->partition, static_cast<long long>(hot->lag),
        static_cast<long long>(g.total_lag()));
  }
}

std::string to_json(const GroupLag& g) {
  std::string parts;
  for (const auto& p : g.partitions) {
    parts += fmt::format(
        "{}{{\"topic\":{},\"partition\":{},\"current_offset\":{},\"log_end_offset\":{},\"lag\":{},"
        "\"lag_seconds\":{},\"consumer_id\":{},\"host\":{},\"client_id\":{}}}",
        parts.empty() ? "" : ",", json_quote(p.topic), p.partition, json_number(p.committed),
        p.log_end, p.lag, json_number(p.lag_seconds), json_quote(p.consumer_id), json_quote(p.host),
        json_quote(p.client_id));
  }
  const PartitionLag* hot = g.skewed();
  return fmt::format(
      "{{\"group\":{},\"state\":{},\"members\":{},\"total_lag\":{},\"skewed\":{},\"partitions\":[{}"
      "]}}",
      json_quote(g.group), json_quote(g.state), g.members, g.total_lag(),
      hot ? fmt::format("{{\"topic\":{},\"partition\":{}}}", json_quote(hot->topic), hot->partition)
          : "null",
      parts);
}

int describe(kafka::AdminClient& admin, const DescribeFlags& f) {
  if (f.all == !f.group.empty()) throw std::invalid_argument("name one GROUP or pass --all");
  std::vector<std::string> groups;
  if (f.all) {
    for (const auto& g : admin.list_groups()) groups.push_back(g.group_id);
  } else {
    groups.push_back(f.group);
  }
  kafka::RecordReader reader(admin.endpoint());
  std::string json;
  for (const auto& id : groups) {
    GroupLag lag = measure_group_lag(admin, reader, id);
    if (!f.all && !lag.exists()) {
      std::fprintf(
          stderr,
          "sluice: group '%s' does not exist at %s (no members, no committed offsets); see "
          "`sluice groups list`\n",
          id.c_str(), admin.endpoint().bootstrap.c_str());
      return 1;
    }
    if (f.json) {
      json += (json.empty() ? "" : ",") + to_json(lag);
    } else {
      print_text(lag);
    }
  }
  if (f.json) std::printf("[%s]\n", json.c_str());
  return 0;
}

}  // namespace

std::vector<Run> add_groups_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<GroupFlags>();
  CLI::App* groups =
      app.add_subcommand("groups", "Consumer groups: list, lag per partition, offset resets");
  groups->require_subcommand(1);
  std::vector<Run> runs;
  AdminCommands commands(std::shared_ptr<KafkaFlags>(f, &f->kafka), registered, runs);

  CLI::App* l = groups->add_subcommand("list", "Every consumer group with its state and type");
  l->add_flag("--json", f->list_json, "A JSON array of {group, state, type}");
  commands.add(l, [f](auto& admin) { return list(admin, f->list_json); });

  CLI::App* d = groups->add_subcommand(
      "describe",
      "Per partition: committed and end offsets, lag (messages and seconds), owning member");
  d->add_option("group", f->describe.group, "Group id");
  d->add_flag("--all", f->describe.all, "Every group (runbook: record offsets for all groups)");
  d->add_flag("--json", f->describe.json,
              "Machine-readable output: a JSON array with one object per group");
  commands.add(d, [f](auto& admin) { return describe(admin, f->describe); });

  CLI::App* r = groups->add_subcommand(
      "reset-offsets",
      "Move a stopped group's committed offsets (dry run by default; a dry run may run while "
      "members are active)");
  ResetFlags& reset = f->reset;
  r->add_option("group", reset.group, "Group id")->required();
  r->add_option("--topic", reset.topic, "Topic whose offsets to move")->required();
  r->add_flag("--to-earliest", reset.to_earliest, "The log start");
  r->add_flag("--to-latest", reset.to_latest, "The log end");
  r->add_option("--to-datetime", reset.to_datetime,
                "First record at or after TS (ISO-8601 or epoch ms)");
  r->add_option("--shift-by", reset.shift_by,
                "Move by N records (negative replays; clamped to the log)");
  r->add_flag("--execute", reset.execute, "Commit the new offsets (otherwise only print them)");
  commands.add(r, [f](auto& admin) { return reset_offsets(admin, f->reset); });
  return runs;
}

}  // namespace sluice::cli
