#include "stages/sequence_check/sequence_options.h"

#include "pipeline/config_text.h"

namespace sluice::stages {
namespace {

[[noreturn]] void fail(const pipeline::ProcessorContext& c, const std::string& key,
                       const std::string& why) {
  throw pipeline::OptionError(key, "stage '" + c.stage + "': option '" + key + "' " + why);
}

std::string text(const pipeline::ProcessorContext& c, const std::string& key,
                 const std::string& fallback) {
  const YAML::Node n = c.options[key];
  if (!n || n.IsNull()) return fallback;
  if (!n.IsScalar()) fail(c, key, "must be a single value");
  return n.Scalar();
}

int64_t whole(const pipeline::ProcessorContext& c, const std::string& key, int64_t fallback,
              int64_t lo) {
  const std::string t = text(c, key, "");
  if (t.empty()) return fallback;
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != t.size() || v < lo)
    fail(c, key,
         "must be a whole number of at least " + std::to_string(lo) + ", not " +
             pipeline::quote_value(t));
  return v;
}

int64_t duration(const pipeline::ProcessorContext& c, const std::string& key, int64_t fallback) {
  const std::string t = text(c, key, "");
  if (t.empty()) return fallback;
  const auto v = pipeline::parse_duration_ms(t);
  if (!v || *v <= 0)
    fail(c, key, "must be a duration like 30m, 1h or 24h, not " + pipeline::quote_value(t));
  return *v;
}

// A number above 0 and below `hi`, e.g. 0.5; `fallback` when absent.
double fraction(const pipeline::ProcessorContext& c, const std::string& key, double fallback,
                double hi, const std::string& what) {
  const std::string t = text(c, key, "");
  if (t.empty()) return fallback;
  size_t used = 0;
  double v = -1;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != t.size() || !(v > 0 && v < hi))
    fail(c, key, "must be a number " + what + ", not " + pipeline::quote_value(t));
  return v;
}

std::vector<std::string> key_fields(const pipeline::ProcessorContext& c) {
  const YAML::Node n = c.options["key_fields"];
  std::vector<std::string> fields;
  if (!n || n.IsNull()) return {"exchange", "symbol"};
  if (n.IsScalar()) {
    fields.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n) fields.push_back(item.IsScalar() ? item.Scalar() : "");
  }
  if (fields.empty())
    fail(c, "key_fields", "must be a list of field names, e.g. [exchange, symbol]");
  for (const auto& f : fields)
    if (f.empty()) fail(c, "key_fields", "must not contain empty or nested entries");
  return fields;
}

}  // namespace

std::string SequenceOptions::fingerprint() const {
  std::string f;
  for (const auto& k : key_fields) f += (f.empty() ? "" : ".") + k;
  return f;
}

SequenceOptions read_sequence_options(const pipeline::ProcessorContext& c) {
  pipeline::reject_unknown_options(c, kSequenceCheckOptionNames);
  SequenceOptions o;
  o.key_fields = key_fields(c);
  o.sequence_field = text(c, "sequence_field", o.sequence_field);
  o.time_field = text(c, "time_field", o.time_field);
  const std::string unit = text(c, "time_unit", "us");
  if (unit == "us") {
    o.time_unit_ms_divisor = 1000;
  } else if (unit == "ms") {
    o.time_unit_ms_divisor = 1;
  } else {
    fail(c, "time_unit", "must be us (timestamp-micros) or ms, not " + pipeline::quote_value(unit));
  }
  o.message_id_field = text(c, "message_id_field", o.message_id_field);
  o.thresholds.gap_threshold = whole(c, "gap_threshold", o.thresholds.gap_threshold, 0);
  o.thresholds.halt_gap = whole(c, "halt_gap", o.thresholds.halt_gap, 0);
  if (o.thresholds.halt_gap < o.thresholds.gap_threshold)
    fail(c, "halt_gap",
         "must be at least gap_threshold (" + std::to_string(o.thresholds.gap_threshold) + ")");
  o.thresholds.reset_ratio = fraction(c, "reset_ratio", o.thresholds.reset_ratio, 1,
                                      "between 0 and 1 (exclusive), e.g. 0.5");
  o.thresholds.reset_after_ms = duration(c, "reset_after", o.thresholds.reset_after_ms);
  o.dedupe_window_ms = duration(c, "dedupe_window", o.dedupe_window_ms);
  o.dedupe_max_entries = size_t(whole(c, "dedupe_max_entries", int64_t(o.dedupe_max_entries), 1));
  o.parked_topic = text(c, "parked_topic", "");
  o.status_topic = text(c, "status_topic", "");
  // Up to 10 (a 1000 % move): a bound that catches a typo like 10 for 10 %.
  o.max_price_move =
      fraction(c, "max_price_move", 0, 10, "above 0 and below 10 (a fraction: 0.10 is 10 %)");
  o.price_field = text(c, "price_field", o.price_field);
  return o;
}

}  // namespace sluice::stages
