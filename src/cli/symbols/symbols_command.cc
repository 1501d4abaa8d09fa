// `sluice symbols status|halt|resume TOPIC`: an operator's hand on the
// sequence-check stage that reads TOPIC (docs/runbooks/symbol-halt.md).
//
// halt and resume write a command record into every partition of TOPIC
// (stages/sequence_check/symbol_control.h says why in-band): each partition's
// owner applies it at that exact offset, checkpointed with its state, so a
// halt holds across processes, restarts and rebalances. status reads the
// compacted status topic the stage writes (TOPIC.symbols) and counts the
// parked ticks in TOPIC.parked. resume --replay sends a key's parked ticks
// back to the partition they came from, after the resume; the stage's dedupe
// drops any it has already seen (within its dedupe window), so replaying twice
// forwards nothing twice.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "cli/support/commands.h"
#include "cli/support/datetime.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/sync_producer.h"
#include "cli/support/table.h"
#include "cli/support/topic_scan.h"
#include "common/json.h"
#include "stages/sequence_check/symbol_control.h"

namespace sluice::cli {
namespace {

namespace control = stages::symbol_control;

struct SymbolsFlags {
  KafkaFlags kafka;
  std::string topic;
  std::string key;
  std::string reason;
  std::string status_topic;  // "": TOPIC.symbols
  std::string parked_topic;  // "": TOPIC.parked
  std::string since;         // resume --replay: only ticks parked at or after
  bool replay = false;
  bool all = false;
  bool json = false;

  std::string status() const {
    return status_topic.empty() ? control::status_topic_for(topic) : status_topic;
  }
  std::string parked() const {
    return parked_topic.empty() ? control::parked_topic_for(topic) : parked_topic;
  }
};

std::string default_reason(const std::string& command) {
  const char* user = std::getenv("USER");
  return command + " by " + (user && *user ? user : "an operator") + " (sluice symbols)";
}

int partitions_of(kafka::AdminClient& admin, const std::string& topic) {
  const auto info = admin.find_topic(topic);
  if (!info || info->partitions.empty()) {
    throw std::invalid_argument("topic '" + topic +
                                "' does not exist; name the input topic of the sequence-check "
                                "stage (see `sluice topics list`)");
  }
  return int(info->partitions.size());
}

// The status topic is compacted: only each symbol's newest state matters.
void ensure_status_topic(kafka::AdminClient& admin, const std::string& topic) {
  if (admin.find_topic(topic)) return;
  admin.create_topic({topic, 1, -1, {{"cleanup.policy", "compact"}}});
}

// Writes `command` for `key` into every partition of the input; returns the
// partitions' offsets of the command.
std::map<int32_t, int64_t> broadcast(kafka::AdminClient& admin, const SymbolsFlags& f,
                                     const std::string& command) {
  const int partitions = partitions_of(admin, f.topic);
  ensure_status_topic(admin, f.status());
  SyncProducer producer(f.kafka.endpoint());
  std::map<int32_t, int64_t> at;
  const std::string reason = f.reason.empty() ? default_reason(command) : f.reason;
  for (int32_t p = 0; p < partitions; ++p)
    at[p] = producer.send(control::command_record(f.topic, p, f.key, command, reason)).offset;
  return at;
}

// Sends the key's parked ticks back to their partitions of the input, in the
// order they were parked. Returns how many.
size_t replay_parked(kafka::AdminClient& admin, const SymbolsFlags& f) {
  if (!admin.find_topic(f.parked())) return 0;
  SyncProducer producer(f.kafka.endpoint());
  size_t sent = 0;
  const std::optional<int64_t> since =
      f.since.empty() ? std::nullopt : std::optional(parse_datetime_ms(f.since));
  scan_topic(admin, f.parked(), since, [&](ScannedRecord&& r) {
    if (r.key != f.key) return;
    OutgoingRecord out{f.topic, r.key, r.value, {}};
    for (const auto& h : r.headers)
      if (!h.first.starts_with(kafka::header::kPrefix) || h.first == kafka::header::kTraceId)
        out.headers.push_back(h);
    out.headers.emplace_back(
        kafka::header::kReplayedFrom,
        f.parked() + "/" + std::to_string(r.partition) + "/" + std::to_string(r.offset));
    if (const std::string* p = r.last_header(kafka::header::kOriginalPartition))
      out.partition = int32_t(std::stol(*p));
    producer.send(out);
    ++sent;
  });
  return sent;
}

int halt_or_resume(kafka::AdminClient& admin, const SymbolsFlags& f, const std::string& command) {
  const auto at = broadcast(admin, f, command);
  const size_t replayed = command == "resume" && f.replay ? replay_parked(admin, f) : 0;
  if (f.json) {
    std::printf("{\"command\":%s,\"key\":%s,\"topic\":%s,\"partitions\":%zu,\"replayed\":%zu}\n",
                json::quote(command).c_str(), json::quote(f.key).c_str(),
                json::quote(f.topic).c_str(), at.size(), replayed);
    return 0;
  }
  std::printf(
      "%s %s: written to all %zu partition(s) of %s; each stage process applies it "
      "where it reads it (see `sluice symbols status %s`)\n",
      command.c_str(), f.key.c_str(), at.size(), f.topic.c_str(), f.topic.c_str());
  if (command == "resume" && f.replay)
    std::printf("replayed %zu parked tick(s) of %s from %s\n", replayed, f.key.c_str(),
                f.parked().c_str());
  else if (command == "resume")
    std::printf(
        "parked ticks stay in %s; send them back with `sluice symbols resume %s %s "
        "--replay`\n",
        f.parked().c_str(), f.topic.c_str(), f.key.c_str());
  return 0;
}

struct KeyView {
  control::SymbolStatus latest;
  int64_t last_sequence = 0;
  size_t parked_records = 0;
};

int status(kafka::AdminClient& admin, const SymbolsFlags& f) {
  partitions_of(admin, f.topic);  // a typo in the topic is an error, not "nothing halted"
  std::map<std::string, KeyView> keys;
  if (admin.find_topic(f.status())) {
    scan_topic(admin, f.status(), std::nullopt, [&](ScannedRecord&& r) {
      if (r.null_value) return;
      try {
        control::SymbolStatus s = control::parse_status_json(r.value);
        KeyView& k = keys[s.key];
        k.last_sequence = std::max(k.last_sequence, s.last_sequence);
        k.latest = std::move(s);  // one key, one status partition: scan order is write order
      } catch (const std::invalid_argument&) {
        // not a status record: someone else's data in the topic; nothing to show
      }
    });
  }
  if (admin.find_topic(f.parked())) {
    scan_topic(admin, f.parked(), std::nullopt, [&](ScannedRecord&& r) {
      if (r.key && keys.contains(*r.key)) ++keys[*r.key].parked_records;
    });
  }
  std::vector<const std::pair<const std::string, KeyView>*> shown;
  for (const auto& entry : keys)
    if (f.all || entry.second.latest.halted) shown.push_back(&entry);
  if (f.json) {
    std::string out;
    for (const auto* e : shown) {
      out += (out.empty() ? "" : ",") + std::string("{\"key\":") + json::quote(e->first) +
             ",\"state\":\"" + (e->second.latest.halted ? "halted" : "running") +
             "\",\"reason\":" + json::quote(e->second.latest.reason) +
             ",\"last_sequence\":" + std::to_string(e->second.last_sequence) +
             ",\"parked_records\":" + std::to_string(e->second.parked_records) + "}";
    }
    std::printf("[%s]\n", out.c_str());
    return 0;
  }
  if (shown.empty()) {
    std::printf("no symbol of %s %s (status topic %s)\n", f.topic.c_str(),
                f.all ? "was ever halted" : "is halted", f.status().c_str());
    return 0;
  }
  Table t({"KEY", "STATE", "LAST-SEQUENCE", "PARKED-RECORDS", "REASON"});
  for (const auto* e : shown)
    t.add({e->first, e->second.latest.halted ? "HALTED" : "running",
           std::to_string(e->second.last_sequence), std::to_string(e->second.parked_records),
           cell(e->second.latest.reason)});
  t.print();
  return 0;
}

}  // namespace

std::vector<Run> add_symbols_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<SymbolsFlags>();
  CLI::App* symbols = app.add_subcommand(
      "symbols", "Halted symbols of a sequence-check stage: status, halt, resume");
  symbols->require_subcommand(1);
  std::vector<Run> runs;
  AdminCommands commands(std::shared_ptr<KafkaFlags>(f, &f->kafka), registered, runs);
  const char* topic_help = "The sequence-check stage's input topic (e.g. market.ticks.asx)";
  const char* key_help = "The symbol's key: its key_fields joined by '.', e.g. ASX.BHP";
  auto topics = [&](CLI::App* c) {
    c->add_option("--status-topic", f->status_topic,
                  "The stage's status_topic when not TOPIC.symbols");
    c->add_option("--parked-topic", f->parked_topic,
                  "The stage's parked_topic when not TOPIC.parked");
  };

  CLI::App* s =
      symbols->add_subcommand("status", "Halted symbols (--all: every symbol ever halted)");
  s->add_option("topic", f->topic, topic_help)->required();
  s->add_flag("--all", f->all, "Also symbols halted once and resumed since");
  s->add_flag("--json", f->json, "Machine-readable output: a JSON array, one object per symbol");
  topics(s);
  commands.add(s, [f](auto& admin) { return status(admin, *f); });

  CLI::App* h = symbols->add_subcommand(
      "halt", "Park a symbol's ticks from now on, in every partition, until resumed");
  h->add_option("topic", f->topic, topic_help)->required();
  h->add_option("key", f->key, key_help)->required();
  h->add_option("--reason", f->reason, "Why, for `sluice symbols status`");
  h->add_flag("--json", f->json, "Print the result as one JSON object");
  topics(h);
  commands.add(h, [f](auto& admin) { return halt_or_resume(admin, *f, "halt"); });

  CLI::App* r = symbols->add_subcommand(
      "resume", "Process a halted symbol's ticks again; --replay also sends its parked ticks back");
  r->add_option("topic", f->topic, topic_help)->required();
  r->add_option("key", f->key, key_help)->required();
  r->add_option("--reason", f->reason, "Why, for `sluice symbols status`");
  r->add_flag("--replay", f->replay,
              "After the resume, send the symbol's parked ticks back to their input partitions "
              "(ticks the stage already saw are dropped as duplicates)");
  r->add_option("--since", f->since,
                "With --replay: only ticks parked at or after TS (ISO-8601 or epoch ms)");
  r->add_flag("--json", f->json, "Print the result as one JSON object");
  topics(r);
  commands.add(r, [f](auto& admin) { return halt_or_resume(admin, *f, "resume"); });
  return runs;
}

}  // namespace sluice::cli
