#include "cli/dlq/dlq_ledger.h"

#include <simdjson.h>

#include "cli/support/json.h"
#include "cli/support/topic_scan.h"
#include "kafka/errors.h"

namespace sluice::cli {
namespace {

std::string string_field(simdjson::dom::object& object, const char* name) {
  std::string_view v;
  if (object[name].get_string().get(v) != simdjson::SUCCESS) return "unknown";
  return std::string(v);
}

}  // namespace

std::string ReplayLedger::topic_for(const std::string& dlq_topic) {
  return dlq_topic + ".replays";
}

ReplayLedger ReplayLedger::load(kafka::AdminClient& admin, const std::string& dlq_topic) {
  ReplayLedger ledger(topic_for(dlq_topic));
  if (!admin.find_topic(ledger.topic_)) return ledger;
  scan_topic(admin, ledger.topic_, std::nullopt, [&](ScannedRecord&& r) {
    if (!r.key) return;
    if (r.null_value) {
      ledger.entries_.erase(*r.key);  // tombstone: an operator un-marked the replay
    } else {
      ledger.entries_[*r.key] = from_json(r.value);
    }
  });
  return ledger;
}

const LedgerEntry* ReplayLedger::find(const std::string& position) const {
  auto it = entries_.find(position);
  return it == entries_.end() ? nullptr : &it->second;
}

void ReplayLedger::ensure_topic(kafka::AdminClient& admin) const {
  if (admin.find_topic(topic_)) return;
  try {
    admin.create_topic({topic_, 1, -1, {{"cleanup.policy", "compact"}}});
  } catch (const kafka::KafkaError&) {
    if (!admin.find_topic(topic_)) throw;  // not a concurrent replay that created it first
  }
}

void ReplayLedger::record(SyncProducer& producer, const std::string& position,
                          const LedgerEntry& entry) {
  producer.send({topic_, position, to_json(entry), {}});
  entries_[position] = entry;
}

std::string ReplayLedger::to_json(const LedgerEntry& entry) {
  return "{\"replayed_at\":" + json_quote(entry.replayed_at) +
         ",\"to_topic\":" + json_quote(entry.to_topic) +
         ",\"trace_id\":" + json_quote(entry.trace_id) + "}";
}

LedgerEntry ReplayLedger::from_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(text).get_object().get(object) != simdjson::SUCCESS)
    return {"unknown", "unknown", "unknown"};
  return {string_field(object, "replayed_at"), string_field(object, "to_topic"),
          string_field(object, "trace_id")};
}

}  // namespace sluice::cli
