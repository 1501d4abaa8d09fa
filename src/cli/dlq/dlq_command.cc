// `sluice dlq list|view|replay`: look into a stage's dead-letter queue and send
// its records back once the cause is fixed (runbook actions A21-A24). Reading
// never joins a group or commits; replaying writes each DLQ record at most once,
// as recorded in the topic's replay ledger (see cli/dlq/dlq_ledger.h).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/dlq/dlq_ledger.h"
#include "cli/dlq/dlq_print.h"
#include "cli/dlq/dlq_reader.h"
#include "cli/dlq/dlq_replay.h"
#include "cli/support/commands.h"
#include "cli/support/datetime.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/table.h"

namespace sluice::cli {
namespace {

constexpr size_t kErrorCellChars = 60;
constexpr size_t kTextPayloadBytes = 64 * 1024;
constexpr size_t kHexPayloadBytes = 256;

struct DlqFlags {
  KafkaFlags kafka;
  std::string topic;
  std::string trace_id;
  int limit = 50;
  std::string category;
  std::string since;
  bool json = false;
  bool wide = false;  // list: the whole error (one_line() shows binary as hex: twice as long)
  bool all = false;
  std::string to;
  bool dry_run = false;

  std::optional<int64_t> since_ms() const {
    return since.empty() ? std::nullopt : std::optional(parse_datetime_ms(since));
  }
};

std::string origin(const DlqRecord& r) {
  if (r.original_topic.empty()) return "-";
  return r.original_topic + "/" + cell(r.original_partition) + "/" + cell(r.original_offset);
}

int list(kafka::AdminClient& admin, const DlqFlags& f) {
  const std::string topic = dlq_topic_name(f.topic);
  check_category(f.category);
  std::vector<DlqRecord> records = read_dlq(admin, topic, {f.since_ms(), f.category, ""});
  ReplayLedger ledger = ReplayLedger::load(admin, topic);
  const size_t total = records.size();
  if (f.limit > 0 && records.size() > size_t(f.limit))
    records.erase(records.begin(), records.end() - f.limit);  // keep the newest
  if (f.json) {
    std::string out;
    for (const auto& r : records)
      out += (out.empty() ? "" : ",") + dlq_record_json(r, ledger.find(r.position()), false);
    std::printf("[%s]\n", out.c_str());
    return 0;
  }
  Table t({"POSITION", "TRACE-ID", "CATEGORY", "ATTEMPTS", "ORIGIN", "LAST-FAILED-AT", "STATUS",
           "ERROR"});
  size_t replayed = 0;
  for (const auto& r : records) {
    const bool done = ledger.find(r.position()) != nullptr;
    replayed += done;
    t.add({r.position(), cell(r.trace_id), cell(r.category), cell(r.attempts), origin(r),
           iso_time_ms(r.last_failed_at_ms), done ? "REPLAYED" : "-",
           cell(one_line(r.message, f.wide ? 2 * r.message.size() + 2 : kErrorCellChars))});
  }
  if (!records.empty()) t.print();
  std::printf("%zu of %zu matching record(s) in %s shown (newest last), %zu of them replayed\n",
              records.size(), total, topic.c_str(), replayed);
  return 0;
}

void print_record(const DlqRecord& r, const LedgerEntry* replayed) {
  std::printf("=== %s %s, dead-lettered %s\n", r.raw.topic.c_str(), r.position().c_str(),
              iso_time_ms(r.raw.timestamp_ms).c_str());
  if (replayed) {
    std::printf("REPLAYED at %s to %s\n", replayed->replayed_at.c_str(),
                replayed->to_topic.c_str());
  }
  std::printf("trace_id: %s\nstage: %s\ncategory: %s\nattempts: %s\norigin: %s\n",
              cell(r.trace_id).c_str(), cell(r.stage).c_str(), cell(r.category).c_str(),
              cell(r.attempts).c_str(), origin(r).c_str());
  std::printf("first failed: %s\nlast failed: %s\nreplay_count: %lld\nerror: %s\n",
              iso_time_ms(r.first_failed_at_ms).c_str(), iso_time_ms(r.last_failed_at_ms).c_str(),
              static_cast<long long>(r.replay_count), r.message.c_str());
  std::printf("key: %s\n", r.raw.key ? one_line(*r.raw.key, 200).c_str() : "(null)");
  if (r.raw.null_value) {
    std::printf("payload: (null)\n");
  } else if (is_utf8(r.raw.value)) {
    const std::string& v = r.raw.value;
    std::printf("payload (%zu bytes, text):\n", v.size());
    std::string shown = v.substr(0, kTextPayloadBytes);
    while (!shown.empty() && !is_utf8(shown)) shown.pop_back();  // never cut a character
    std::printf("  %s\n", shown.c_str());
    if (shown.size() < v.size()) std::printf("  ... (%zu more bytes)\n", v.size() - shown.size());
  } else {
    std::printf("payload (%zu bytes, binary, hex):\n%s", r.raw.value.size(),
                hex_dump(r.raw.value, kHexPayloadBytes, "  ").c_str());
  }
  std::printf("headers:\n");
  for (const auto& [k, v] : r.raw.headers)
    std::printf("  %s = %s\n", one_line(k, 200).c_str(), one_line(v, 4096).c_str());
}

int view(kafka::AdminClient& admin, const DlqFlags& f) {
  const std::string topic = dlq_topic_name(f.topic);
  std::vector<DlqRecord> records = read_dlq(admin, topic, {std::nullopt, "", f.trace_id});
  if (records.empty()) {
    std::fprintf(stderr, "sluice: no record with trace id '%s' in %s; see `sluice dlq list %s`\n",
                 f.trace_id.c_str(), topic.c_str(), topic.c_str());
    return 1;
  }
  ReplayLedger ledger = ReplayLedger::load(admin, topic);
  if (f.json) {
    std::string out;
    for (const auto& r : records)
      out += (out.empty() ? "" : ",") + dlq_record_json(r, ledger.find(r.position()), true);
    std::printf("[%s]\n", out.c_str());
    return 0;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) std::printf("\n");
    print_record(records[i], ledger.find(records[i].position()));
  }
  return 0;
}

int replay_command(kafka::AdminClient& admin, const DlqFlags& f) {
  return replay(admin, {dlq_topic_name(f.topic), f.trace_id, f.all, f.category, f.since_ms(), f.to,
                        f.dry_run, f.json});
}

}  // namespace

std::vector<Run> add_dlq_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<DlqFlags>();
  CLI::App* dlq = app.add_subcommand(
      "dlq", "Dead-letter queues: list and view failed records, replay them once fixed");
  dlq->require_subcommand(1);
  std::vector<Run> runs;
  AdminCommands commands(std::shared_ptr<KafkaFlags>(f, &f->kafka), registered, runs);
  const char* topic_help = "DLQ topic (\".dlq\" is appended when missing)";

  CLI::App* l = dlq->add_subcommand("list", "One line per DLQ record, newest last");
  l->add_option("topic", f->topic, topic_help)->required();
  l->add_option("--limit", f->limit, "Show the newest N matching records (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  l->add_option(
      "--category", f->category,
      "Only this error category (validation, transient, timeout, permanent, circuit_open)");
  l->add_option("--since", f->since,
                "Only records dead-lettered at or after TS (ISO-8601 or epoch ms)");
  l->add_flag("--json", f->json, "Machine-readable output: a JSON array, one object per record");
  l->add_flag("--wide", f->wide,
              "Show each whole error message instead of its first 60 characters");
  commands.add(l, [f](auto& admin) { return list(admin, *f); });

  CLI::App* v =
      dlq->add_subcommand("view", "Every DLQ record with a trace id: payload, key, all headers");
  v->add_option("topic", f->topic, topic_help)->required();
  v->add_option("trace_id", f->trace_id, "Trace id (see `sluice dlq list`)")->required();
  v->add_flag("--json", f->json, "Machine-readable output: a JSON array, one object per record");
  commands.add(v, [f](auto& admin) { return view(admin, *f); });

  CLI::App* r = dlq->add_subcommand(
      "replay", "Send DLQ records back to their original topic (or --to), each at most once");
  r->add_option("topic", f->topic, topic_help)->required();
  r->add_option("trace_id", f->trace_id, "Replay the records with this trace id");
  r->add_flag("--all", f->all,
              "Replay every record not replayed yet (narrow with --category/--since)");
  r->add_option("--category", f->category, "With --all: only this error category");
  r->add_option("--since", f->since,
                "With --all: only records dead-lettered at or after TS (ISO-8601 or epoch ms)");
  r->add_option("--to", f->to, "Produce to this topic instead of each record's original topic");
  r->add_flag("--dry-run", f->dry_run, "Print what would be replayed; write nothing");
  r->add_flag("--json", f->json,
              "Print the result as one JSON object: counts and each record's status, target and "
              "position");
  commands.add(r, [f](auto& admin) { return replay_command(admin, *f); });
  return runs;
}

}  // namespace sluice::cli
