// `sluice groups list|describe|reset-offsets`: the runbooks' consumer-group
// diagnostics and recovery, over librdkafka's admin API (any Kafka cluster).
#include <fmt/format.h>

#include <cstdio>
#include <set>

#include "cli/commands.h"
#include "cli/kafka_flags.h"
#include "cli/table.h"
#include "common/clock.h"
#include "kafka/admin.h"

namespace sluice::cli {
namespace {

struct GroupFlags {
  KafkaFlags kafka;
  std::string group;
  bool all = false;
  bool json = false;
  std::string topic;
  bool to_earliest = false, to_latest = false, execute = false;
  std::string to_datetime;
  int64_t shift_by = 0;
  bool shift = false;
};

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t current = -1;  // committed offset, -1 if none
  int64_t end = 0;
  int64_t lag = 0;
  std::optional<double> lag_seconds;
  std::string member, host, client;
};

std::vector<PartitionLag> group_lag(kafka::AdminClient& admin, const std::string& group) {
  auto info = admin.describe_group(group);
  auto committed = admin.committed_offsets(group);
  std::map<kafka::TopicPartition, const kafka::GroupMember*> owner;
  for (const auto& m : info.members) {
    for (const auto& tp : m.assignment) owner[tp] = &m;
  }
  std::set<kafka::TopicPartition> parts;
  for (const auto& [tp, off] : committed) parts.insert(tp);
  for (const auto& [tp, m] : owner) parts.insert(tp);
  std::vector<PartitionLag> out;
  int64_t now = now_ms();
  for (const auto& tp : parts) {
    PartitionLag row{tp.first, tp.second};
    auto [low, high] = admin.watermarks(tp.first, tp.second);
    row.end = high;
    auto c = committed.find(tp);
    row.current = c != committed.end() ? c->second : -1;
    row.lag = std::max<int64_t>(high - (row.current >= 0 ? row.current : low), 0);
    if (row.lag == 0) {
      row.lag_seconds = 0;
    } else if (auto ts = admin.timestamp_at(tp.first, tp.second, row.current >= 0 ? row.current : low)) {
      row.lag_seconds = std::max(0.0, double(now - *ts) / 1000.0);
    }
    if (auto o = owner.find(tp); o != owner.end()) {
      row.member = o->second->member_id;
      row.host = o->second->host;
      row.client = o->second->client_id;
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

void print_group(const std::string& group, const std::string& state, const std::vector<PartitionLag>& rows) {
  std::printf("GROUP %s (%s)\n", group.c_str(), state.c_str());
  Table t({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "LAG-SECONDS", "CONSUMER-ID", "HOST",
           "CLIENT-ID"});
  int64_t total = 0, worst = 0;
  for (const auto& r : rows) {
    total += r.lag;
    worst = std::max(worst, r.lag);
    t.add({r.topic, std::to_string(r.partition), r.current >= 0 ? std::to_string(r.current) : "-",
           std::to_string(r.end), std::to_string(r.lag), r.lag_seconds ? fmt::format("{:.1f}", *r.lag_seconds) : "-",
           or_dash(r.member), or_dash(r.host), or_dash(r.client)});
  }
  t.print();
  std::printf("total lag: %lld message(s)\n", static_cast<long long>(total));
  // Runbook: one partition holding most of the lag means a hot key or a stuck consumer.
  if (total > 1000 && worst * 2 > total) {
    std::printf("WARNING: lag is skewed: one partition holds %lld of %lld messages (hot key or stuck consumer?)\n",
                static_cast<long long>(worst), static_cast<long long>(total));
  }
}

std::string to_json(const std::string& group, const std::string& state, const std::vector<PartitionLag>& rows) {
  std::string parts;
  for (const auto& r : rows) {
    parts += fmt::format(
        "{}{{\"topic\":\"{}\",\"partition\":{},\"current_offset\":{},\"log_end_offset\":{},\"lag\":{},"
        "\"lag_seconds\":{},\"consumer_id\":\"{}\",\"host\":\"{}\",\"client_id\":\"{}\"}}",
        parts.empty() ? "" : ",", r.topic, r.partition, r.current, r.end, r.lag,
        r.lag_seconds ? fmt::format("{:.3f}", *r.lag_seconds) : "null", r.member, r.host, r.client);
  }
  return fmt::format("{{\"group\":\"{}\",\"state\":\"{}\",\"partitions\":[{}]}}", group, state, parts);
}

int describe(kafka::AdminClient& admin, const GroupFlags& f) {
  std::vector<std::string> groups;
  if (f.all) {
    for (const auto& [id, state] : admin.list_groups()) groups.push_back(id);
  } else if (!f.group.empty()) {
    groups.push_back(f.group);
  } else {
    throw std::invalid_argument("name a GROUP or pass --all");
  }
  std::string json;
  for (const auto& g : groups) {
    auto rows = group_lag(admin, g);
    std::string state = admin.describe_group(g).state;
    if (f.json) {
      json += (json.empty() ? "" : ",") + to_json(g, state, rows);
    } else {
      print_group(g, state, rows);
    }
  }
  if (f.json) std::printf("[%s]\n", json.c_str());
  return 0;
}

int reset_offsets(kafka::AdminClient& admin, const GroupFlags& f) {
  int modes = int(f.to_earliest) + int(f.to_latest) + int(!f.to_datetime.empty()) + int(f.shift);
  if (modes != 1) throw std::invalid_argument("choose exactly one of --to-earliest, --to-latest, --to-datetime, --shift-by");
  auto info = admin.describe_group(f.group);
  if (!info.members.empty()) {
    std::fprintf(stderr, "sluice: group %s has %zu active member(s); stop its consumers first, as Kafka requires\n",
                 f.group.c_str(), info.members.size());
    return 1;
  }
  auto md = admin.metadata(f.topic);
  if (md.topics.empty() || !md.topics[0].error.empty()) throw std::invalid_argument("topic '" + f.topic + "' not found");
  std::vector<int32_t> partitions;
  for (const auto& p : md.topics[0].partitions) partitions.push_back(p.id);
  auto committed = admin.committed_offsets(f.group);
  std::map<int32_t, int64_t> by_time;
  if (!f.to_datetime.empty()) by_time = admin.offsets_for_time(f.topic, partitions, parse_datetime_ms(f.to_datetime));
  std::map<kafka::TopicPartition, int64_t> target;
  Table t({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"});
  for (int32_t p : partitions) {
    auto [low, high] = admin.watermarks(f.topic, p);
    auto c = committed.find({f.topic, p});
    int64_t current = c != committed.end() ? c->second : -1;
    int64_t next = f.to_earliest ? low
                   : f.to_latest ? high
                   : f.shift     ? std::clamp((current >= 0 ? current : low) + f.shift_by, low, high)
                                 : (by_time[p] >= 0 ? by_time[p] : high);  // nothing that late: the end
    target[{f.topic, p}] = next;
    t.add({f.topic, std::to_string(p), current >= 0 ? std::to_string(current) : "-", std::to_string(next)});
  }
  t.print();
  if (!f.execute) {
    std::printf("dry run: nothing changed; add --execute to commit these offsets for group %s\n", f.group.c_str());
    return 0;
  }
  admin.alter_committed_offsets(f.group, target);
  std::printf("committed new offsets for group %s\n", f.group.c_str());
  return 0;
}

}  // namespace

std::vector<Run> add_groups_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<GroupFlags>();
  CLI::App* groups = app.add_subcommand("groups", "Consumer groups: list, lag per partition, offset resets");
  groups->require_subcommand(1);
  std::vector<Run> runs;
  AdminCommands commands(std::shared_ptr<KafkaFlags>(f, &f->kafka), registered, runs);
  commands.add(groups->add_subcommand("list", "Every consumer group with its state"), [](auto& a) {
    Table t({"GROUP", "STATE"});
    // ListGroups before v4 carries no state, so ask each group for its own.
    for (const auto& [id, state] : a.list_groups()) t.add({id, state == "Unknown" ? a.describe_group(id).state : state});
    t.print();
    return 0;
  });
  CLI::App* d = groups->add_subcommand("describe", "Per partition: committed and end offsets, lag (messages, seconds), owner");
  d->add_option("group", f->group, "Group id");
  d->add_flag("--all", f->all, "Every group");
  d->add_flag("--json", f->json, "Machine-readable output");
  commands.add(d, [f](auto& a) { return describe(a, *f); });
  CLI::App* r = groups->add_subcommand("reset-offsets", "Move a stopped group's committed offsets (dry run by default)");
  r->add_option("group", f->group, "Group id")->required();
  r->add_option("--topic", f->topic, "Topic whose offsets to reset")->required();
  r->add_flag("--to-earliest", f->to_earliest, "The log start");
  r->add_flag("--to-latest", f->to_latest, "The log end");
  r->add_option("--to-datetime", f->to_datetime, "First record at or after this time (ISO-8601 or epoch ms)");
  r->add_option("--shift-by", f->shift_by, "Move by N (negative replays)")->each([f](const std::string&) { f->shift = true; });
  r->add_flag("--execute", f->execute, "Commit the new offsets (otherwise only print them)");
  commands.add(r, [f](auto& a) { return reset_offsets(a, *f); });
  return runs;
}

}  // namespace sluice::cli
