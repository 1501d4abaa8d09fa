#include "stages/sequence_check/sequence_check.h"

#include <simdjson.h>

#include <cmath>
#include <iterator>
#include <optional>

#include "common/iso8601.h"
#include "stages/record_json.h"
#include "stages/sequence_check/price_move.h"
#include "stages/sequence_check/symbol_control.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;
namespace control = symbol_control;

constexpr SequenceKind kKinds[] = {SequenceKind::kOk,       SequenceKind::kSmallGap,
                                   SequenceKind::kLargeGap, SequenceKind::kOutOfOrder,
                                   SequenceKind::kReset,    SequenceKind::kDuplicate,
                                   SequenceKind::kParked,   SequenceKind::kPriceJump};
static_assert(std::size(kKinds) == kSequenceKindCount);

Severity severity_of(SequenceKind kind) {
  switch (kind) {
    case SequenceKind::kSmallGap:
    case SequenceKind::kOutOfOrder:
    case SequenceKind::kPriceJump:
      return Severity::kWarning;
    case SequenceKind::kLargeGap:
      return Severity::kError;
    default:
      return Severity::kNone;
  }
}

// A key part: a string's text as is, anything else as its JSON.
std::string key_part(simdjson::dom::element v) {
  if (std::string_view s; v.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return std::string(simdjson::minify(v));
}

}  // namespace

SequenceCheck::SequenceCheck(const pipeline::ProcessorContext& context)
    : stage_(context.stage), options_(read_sequence_options(context)), copies_(context) {
  if (!context.metrics) return;
  for (const SequenceKind kind : kKinds) {
    const std::string_view severity = severity_name(severity_of(kind));
    series_.kinds[int(kind)] = &context.metrics->counter(
        "sluice_sequence_ticks_total",
        "Ticks by sequence classification (ok, small_gap, large_gap, out_of_order, reset, "
        "duplicate, parked, price_jump) and severity (WARNING, ERROR, or none)",
        {{"stage", context.stage},
         {"kind", std::string(kind_name(kind))},
         {"severity", severity.empty() ? "none" : std::string(severity)}});
  }
  const std::string halts_help =
      "Keys halted: by a gap over halt_gap (cause=gap) or by `sluice symbols halt` "
      "(cause=operator; counted once per input partition the command reached here)";
  series_.halts_by_gap = &context.metrics->counter("sluice_sequence_halts_total", halts_help,
                                                   {{"stage", context.stage}, {"cause", "gap"}});
  series_.halts_by_operator = &context.metrics->counter(
      "sluice_sequence_halts_total", halts_help, {{"stage", context.stage}, {"cause", "operator"}});
  series_.evictions = &context.metrics->counter(
      "sluice_sequence_dedupe_evictions_total",
      "Message ids that left the dedupe window before its time because the partition's "
      "window was full (dedupe_max_entries): a duplicate of one of them is not recognised",
      {{"stage", context.stage}});
  series_.halted = &context.metrics->gauge(
      "sluice_sequence_halted_keys",
      "Keys halted in the input partitions this process owns; their ticks are parked",
      {{"stage", context.stage}});
}

std::string SequenceCheck::read_tick(const pipeline::Record& record, Tick& tick) const {
  simdjson::dom::element parsed;
  simdjson::dom::object object;
  auto err = parse_record_json(record.value, parsed);
  if (!err) err = parsed.get_object().get(object);
  if (err) return std::string("the tick is not a JSON object: ") + simdjson::error_message(err);
  for (const std::string& field : options_.key_fields) {
    simdjson::dom::element v;
    if (object[field].get(v) != simdjson::SUCCESS || v.is_null())
      return "the key field '" + field + "' is missing";
    if (!tick.key.empty()) tick.key += '.';
    tick.key += key_part(v);
  }
  simdjson::dom::element v;
  if (object[options_.sequence_field].get(v) != simdjson::SUCCESS)
    return "the sequence field '" + options_.sequence_field + "' is missing";
  if (v.get_int64().get(tick.sequence) != simdjson::SUCCESS) {
    return "the sequence field '" + options_.sequence_field + "' is " +
           std::string(simdjson::minify(v)) + ", not a whole number";
  }
  std::optional<int64_t> time;
  if (object[options_.time_field].get(v) == simdjson::SUCCESS) {
    if (int64_t n; v.get_int64().get(n) == simdjson::SUCCESS) {
      time = n / options_.time_unit_ms_divisor;
    } else if (std::string_view s; v.get_string().get(s) == simdjson::SUCCESS) {
      time = parse_iso8601_ms(s);
    }
  }
  if (!time) {
    return "the time field '" + options_.time_field +
           "' is missing or neither a whole number nor an ISO-8601 timestamp";
  }
  tick.time_ms = *time;
  if (!options_.message_id_field.empty()) {
    std::string_view id;
    if (object[options_.message_id_field].get(v) != simdjson::SUCCESS ||
        v.get_string().get(id) != simdjson::SUCCESS)
      return "the message id field '" + options_.message_id_field + "' is missing or not a string";
    tick.message_id = id;
  }
  if (options_.max_price_move > 0) {
    if (object[options_.price_field].get(v) != simdjson::SUCCESS ||
        v.get_double().get(tick.price) != simdjson::SUCCESS || !(tick.price > 0))
      return "the price field '" + options_.price_field +
             "' is missing or not a number above 0 (max_price_move compares prices)";
  }
  return "";
}

PartitionSequence& SequenceCheck::partition_state(const std::string& topic, int32_t partition) {
  return partitions_.try_emplace(PartitionKey(topic, partition), options_).first->second;
}

void SequenceCheck::count(SequenceKind kind) {
  if (ops::Counter* c = series_.kinds[int(kind)]) c->inc();
}

Outcome SequenceCheck::process(const pipeline::Record& record) {
  if (const std::string* command = record.last_header(control::kCommand))
    return apply_command(record, *command);
  Tick tick;
  if (std::string problem = read_tick(record, tick); !problem.empty())
    return Outcome::failure(ErrorCategory::kValidation, problem);

  std::lock_guard lock(mutex_);
  PartitionSequence& p = partition_state(record.topic, record.partition);
  KeyState& key = p.keys[tick.key];
  if (key.halted) {
    ++key.parked;
    count(SequenceKind::kParked);
    return Outcome::success({parked_record(record, key)});
  }
  if (!tick.message_id.empty()) {
    const uint64_t evicted = p.dedupe.evicted();
    const bool duplicate = p.dedupe.seen_before(message_id_hash(tick.message_id), tick.time_ms);
    if (series_.evictions && p.dedupe.evicted() > evicted)
      series_.evictions->inc(double(p.dedupe.evicted() - evicted));
    if (duplicate) {
      count(SequenceKind::kDuplicate);
      return Outcome::success();
    }
  }
  Classification c = classify(key, tick.sequence, tick.time_ms, options_.thresholds);
  std::optional<PriceMove> move;
  if (options_.max_price_move > 0) {
    move = check_price(key, tick.price, options_.max_price_move);
    apply_price_move(c, *move);
  }
  count(c.kind);
  Outcome outcome = copies_.process(record);
  for (pipeline::OutputRecord& out : outcome.outputs) {
    out.headers.emplace_back(control::kClassification, std::string(kind_name(c.kind)));
    if (c.severity != Severity::kNone)
      out.headers.emplace_back(control::kSeverity, std::string(severity_name(c.severity)));
    if (!c.first) out.headers.emplace_back(control::kPrevious, std::to_string(c.previous));
    if (c.gap > 0) out.headers.emplace_back(control::kGap, std::to_string(c.gap));
    if (c.halts) out.headers.emplace_back(control::kHalted, key.halt_reason);
    if (c.kind == SequenceKind::kPriceJump)
      out.headers.emplace_back(control::kPriceMove,
                               describe_price_move(*move, options_.max_price_move));
  }
  if (c.halts) {
    if (series_.halts_by_gap) series_.halts_by_gap->inc();
    outcome.outputs.push_back(status_record(record, tick.key, key));
    publish_halted();
  }
  return outcome;
}

Outcome SequenceCheck::apply_command(const pipeline::Record& record, const std::string& command) {
  if (command != "halt" && command != "resume") {
    return Outcome::failure(ErrorCategory::kValidation,
                            "unknown " + std::string(control::kCommand) + " '" + command +
                                "' (halt or resume; written by `sluice symbols`)");
  }
  if (!record.key || record.key->empty()) {
    return Outcome::failure(ErrorCategory::kValidation,
                            "a " + command +
                                " command without a key: the key names the symbol "
                                "(e.g. ASX.BHP)");
  }
  std::string reason = "by operator";
  simdjson::dom::element parsed;
  std::string_view text;
  if (!parse_record_json(record.value, parsed) &&
      parsed["reason"].get_string().get(text) == simdjson::SUCCESS && !text.empty())
    reason = text;

  std::lock_guard lock(mutex_);
  KeyState& key = partition_state(record.topic, record.partition).keys[*record.key];
  if (command == "halt") {
    if (!key.halted) {
      key.halted = true;
      key.parked = 0;
      if (series_.halts_by_operator) series_.halts_by_operator->inc();
    }
    key.halt_reason = reason;
  } else {
    key.halted = false;
    key.halt_reason.clear();
  }
  publish_halted();
  return Outcome::success({status_record(record, *record.key, key)});
}

pipeline::OutputRecord SequenceCheck::status_record(const pipeline::Record& record,
                                                    const std::string& key,
                                                    const KeyState& state) const {
  const control::SymbolStatus s{key,          state.halted, state.halt_reason, state.last,
                                state.parked, stage_,       record.partition};
  return {options_.status_topic.empty() ? control::status_topic_for(record.topic)
                                        : options_.status_topic,
          key,
          control::status_json(s),
          {}};
}

bool SequenceCheck::is_control(const pipeline::Record& record) const {
  return record.last_header(control::kCommand) != nullptr;
}

pipeline::OutputRecord SequenceCheck::parked_record(const pipeline::Record& record,
                                                    const KeyState& state) const {
  // The bytes the stage read: in a chain whose first step decodes, a parked
  // tick replayed into the input must be decodable again.
  const pipeline::Record& original = record.consumed ? *record.consumed : record;
  pipeline::OutputRecord out{options_.parked_topic.empty() ? control::parked_topic_for(record.topic)
                                                           : options_.parked_topic,
                             original.key,
                             original.value,
                             {}};
  for (const auto& h : original.headers)
    if (!h.first.starts_with(pipeline::header::kPrefix) || h.first == pipeline::header::kTraceId)
      out.headers.push_back(h);
  out.headers.emplace_back(control::kClassification, "parked");
  out.headers.emplace_back(control::kHalted, state.halt_reason);
  out.headers.emplace_back(pipeline::header::kOriginalTopic, record.topic);
  out.headers.emplace_back(pipeline::header::kOriginalPartition, std::to_string(record.partition));
  out.headers.emplace_back(pipeline::header::kOriginalOffset, std::to_string(record.offset));
  return out;
}

// A manual halt reaches every partition, so a key counts once however many
// partitions hold it halted.
std::set<std::string> SequenceCheck::halted_keys_locked() const {
  std::set<std::string> keys;
  for (const auto& [_, p] : partitions_)
    for (const auto& [key, state] : p.keys)
      if (state.halted) keys.insert(key);
  return keys;
}

void SequenceCheck::publish_halted() {
  if (series_.halted) series_.halted->set(double(halted_keys_locked().size()));
}

std::set<std::string> SequenceCheck::halted_keys() const {
  std::lock_guard lock(mutex_);
  return halted_keys_locked();
}

void SequenceCheck::restore(const std::string& topic, int32_t partition,
                            const std::optional<pipeline::ProcessorState>& state) {
  // Decoded before locking: reading a block may take the lock of the processor
  // whose snapshot it came from.
  std::optional<PartitionSequence> restored;
  if (state) restored.emplace(decode_sequence_state(*state, options_));
  std::lock_guard lock(mutex_);
  partitions_.erase(PartitionKey(topic, partition));
  if (restored) partitions_.emplace(PartitionKey(topic, partition), std::move(*restored));
  publish_halted();
}

pipeline::ProcessorState SequenceCheck::snapshot(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mutex_);
  pipeline::ProcessorState state =
      encode_sequence_state(partition_state(topic, partition), options_);
  // A block is encoded from the window later, on the poll thread, while other
  // partitions' ticks may be changing partitions_: under the same lock.
  for (pipeline::StateBlock& b : state.blocks) {
    b.bytes = [this, encode = std::move(b.bytes)] {
      std::lock_guard block_lock(mutex_);
      return encode();
    };
  }
  return state;
}

void SequenceCheck::release(const std::string& topic, int32_t partition) {
  std::lock_guard lock(mutex_);
  partitions_.erase(PartitionKey(topic, partition));
  publish_halted();
}

}  // namespace sluice::stages
