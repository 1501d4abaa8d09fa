// `sluice topics produce TOPIC`: writes each line of stdin as one record, as
// kafka-console-producer and `rpk topic produce` do, waiting for each
// acknowledgement (acks=all, idempotent) so that a zero exit means every line
// is durable and a failure says how many were.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/support/sync_producer.h"
#include "cli/topics/record_text.h"
#include "cli/topics/topics_subcommands.h"

namespace sluice::cli {
namespace {

struct ProduceFlags {
  std::string topic;
  std::string format = "plain";
  std::optional<std::string> key;
  std::vector<std::string> headers;
  std::optional<int32_t> partition;
  bool parse_key = false;
  std::string key_separator = "\t";
  bool quiet = false;
};

int produce(kafka::AdminClient& admin, const ProduceFlags& f, bool separator_given) {
  const RecordFormat format = parse_record_format(f.format);
  ProduceDefaults defaults{f.key, {}, f.partition, std::nullopt};
  for (const auto& h : f.headers) defaults.headers.push_back(parse_header_flag(h));
  if (f.parse_key || separator_given) defaults.key_separator = f.key_separator;
  // A broker that creates topics on first use would turn a mistyped name into a new topic.
  if (!admin.find_topic(f.topic))
    throw std::invalid_argument("topic '" + f.topic + "' does not exist at " +
                                admin.endpoint().bootstrap +
                                "; create it first with `sluice topics "
                                "create " +
                                f.topic + "`");
  SyncProducer producer(admin.endpoint());
  size_t line_number = 0, produced = 0;
  std::string line;
  try {
    while (std::getline(std::cin, line)) {
      ++line_number;
      if (format == RecordFormat::kJson && line.find_first_not_of(" \t\r") == std::string::npos)
        continue;  // blank lines between JSON objects carry no record
      const Delivered at =
          producer.send(parse_record_line(line, line_number, format, f.topic, defaults));
      ++produced;
      if (!f.quiet)
        std::printf("produced to %s partition %d at offset %lld\n", f.topic.c_str(), at.partition,
                    static_cast<long long>(at.offset));
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + " (the " + std::to_string(produced) +
                             " record(s) before it were produced)");
  }
  std::fprintf(stderr, "produced %zu record(s) to %s\n", produced, f.topic.c_str());
  return 0;
}

}  // namespace

void add_topics_produce(CLI::App* topics, AdminCommands& commands) {
  auto f = std::make_shared<ProduceFlags>();
  CLI::App* cmd = topics->add_subcommand(
      "produce", "Write stdin to a topic, one record per line (like kafka-console-producer)");
  cmd->add_option("topic", f->topic, "Topic")->required();
  cmd->add_option("-f,--format", f->format,
                  "plain: each line is a value (KEY<SEP>VALUE with --parse-key); json: "
                  "{\"key\",\"value\",\"headers\",\"partition\"} per line, as consume prints")
      ->capture_default_str()
      ->check(CLI::IsMember({"plain", "json"}));
  cmd->add_option("-k,--key", f->key, "Key for every record whose line gives none");
  cmd->add_option("-H,--header", f->headers, "KEY=VALUE header on every record (repeatable)");
  cmd->add_option("-p,--partition", f->partition,
                  "Write to this partition (default: chosen by the key)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--parse-key", f->parse_key,
                "plain: split each line into KEY<SEP>VALUE (kafka's parse.key)");
  CLI::Option* sep = cmd->add_option("--key-separator", f->key_separator,
                                     "The separator for --parse-key (default: a tab; implies "
                                     "--parse-key)");
  cmd->add_flag("-q,--quiet", f->quiet, "Do not print where each record was written");
  commands.add(
      cmd, [f, sep](kafka::AdminClient& admin) { return produce(admin, *f, sep->count() > 0); });
}

}  // namespace sluice::cli
