// `sluice topics consume TOPIC`: prints a topic's records, one per line, as
// `rpk topic consume` and kafka-console-consumer do — from a chosen start, up
// to the end the topic had when it began (or for ever with --follow). It joins
// no group and commits nothing (see topic_scan.h), so looking at a topic never
// moves anyone's offsets.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

#include "cli/support/topic_scan.h"
#include "cli/topics/record_text.h"
#include "cli/topics/start_offset.h"
#include "cli/topics/topics_subcommands.h"

namespace sluice::cli {
namespace {

struct ConsumeFlags {
  std::string topic;
  std::vector<int32_t> partitions;
  std::string offset = "beginning";
  int64_t num = 0;
  std::string format = "json";
  bool print_key = false;
  std::string key_separator = "\t";
  bool follow = false;
};

// The partitions asked for, each checked against the topic's.
std::vector<int32_t> chosen_partitions(const kafka::TopicInfo& topic,
                                       const std::vector<int32_t>& asked) {
  std::vector<int32_t> all;
  for (const auto& p : topic.partitions) all.push_back(p.id);
  if (asked.empty()) return all;
  for (int32_t id : asked) {
    if (std::find(all.begin(), all.end(), id) == all.end())
      throw std::invalid_argument("topic '" + topic.name + "' has no partition " +
                                  std::to_string(id) + " (it has " + std::to_string(all.size()) +
                                  ": 0.." + std::to_string(int(all.size()) - 1) + ")");
  }
  return asked;
}

int consume(kafka::AdminClient& admin, const ConsumeFlags& f, bool separator_given) {
  const RecordFormat format = parse_record_format(f.format);
  const StartOffset start = parse_start_offset(f.offset);
  std::optional<kafka::TopicInfo> topic = admin.find_topic(f.topic);
  if (!topic || !topic->error.empty())
    throw std::invalid_argument("topic '" + f.topic + "' " +
                                (topic ? "cannot be read: " + topic->error : "does not exist") +
                                " at " + admin.endpoint().bootstrap + "; see `sluice topics list`");
  const std::vector<int32_t> ids = chosen_partitions(*topic, f.partitions);
  std::optional<std::map<int32_t, int64_t>> at_time;
  if (start.kind == StartOffset::Kind::kTime)
    at_time = admin.offsets_for_time(f.topic, ids, start.value);
  std::map<int32_t, ReadRange> ranges;
  for (int32_t id : ids) {
    const kafka::Watermarks log = admin.watermarks(f.topic, id);
    std::optional<int64_t> found;
    if (at_time && at_time->count(id)) found = at_time->at(id);
    ranges[id] = {resolve_start(start, log, found), f.follow ? kReadForever : log.high};
  }
  const std::optional<std::string> separator =
      f.print_key || separator_given ? std::optional(f.key_separator) : std::nullopt;
  int64_t printed = 0;
  read_ranges(admin.endpoint(), f.topic, std::move(ranges), [&](ScannedRecord&& r) {
    std::printf("%s\n", format_record(r, format, separator).c_str());
    if (f.follow) std::fflush(stdout);  // a reader at the other end of a pipe sees each at once
    ++printed;
    return f.num <= 0 || printed < f.num;
  });
  return 0;
}

}  // namespace

void add_topics_consume(CLI::App* topics, AdminCommands& commands) {
  auto f = std::make_shared<ConsumeFlags>();
  CLI::App* cmd = topics->add_subcommand(
      "consume", "Print a topic's records, one per line (joins no group, commits nothing)");
  cmd->add_option("topic", f->topic, "Topic")->required();
  cmd->add_option("-p,--partition", f->partitions, "Only this partition (repeatable)");
  cmd->add_option("-o,--offset", f->offset,
                  "Where to start: beginning, end, N (an offset), -N (the last N of each "
                  "partition) or @TIME (2026-11-22T10:00:00Z or epoch ms)")
      ->capture_default_str();
  cmd->add_option("-n,--num", f->num, "Stop after this many records (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-f,--format", f->format,
                  "json: one object per record (topic, partition, offset, timestamp, key, "
                  "headers, value); plain: the value (KEY<SEP>VALUE with --print-key)")
      ->capture_default_str()
      ->check(CLI::IsMember({"plain", "json"}));
  cmd->add_flag("--print-key", f->print_key, "plain: print KEY<SEP>VALUE (kafka's print.key)");
  CLI::Option* sep =
      cmd->add_option("--key-separator", f->key_separator,
                      "The separator for --print-key (default: a tab; implies --print-key)");
  cmd->add_flag("--follow", f->follow,
                "Keep waiting for new records after the end (Ctrl-C to stop)");
  commands.add(
      cmd, [f, sep](kafka::AdminClient& admin) { return consume(admin, *f, sep->count() > 0); });
}

}  // namespace sluice::cli
