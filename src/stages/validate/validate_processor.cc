#include "stages/validate/validate_processor.h"

#include <simdjson.h>

#include <chrono>

#include "common/iso8601.h"
#include "pipeline/config_text.h"
#include "stages/record_json.h"

namespace sluice::stages {
namespace {

using pipeline::ErrorCategory;
using pipeline::Outcome;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string option_text(const pipeline::ProcessorContext& c, const char* key) {
  const YAML::Node n = c.options[key];
  if (!n) return "";
  if (!n.IsScalar() || n.Scalar().empty())
    throw pipeline::OptionError(key, "stage '" + c.stage + "' (processor validate): option '" +
                                         key + "' must be a non-empty text");
  return n.Scalar();
}

int64_t max_future(const pipeline::ProcessorContext& c, bool with_event_time) {
  const std::string text = option_text(c, "max_future");
  if (text.empty()) return 24 * 3600 * 1000LL;
  if (!with_event_time)
    throw pipeline::OptionError("max_future",
                                "stage '" + c.stage +
                                    "' (processor validate): option 'max_future' "
                                    "needs 'event_time_field' (which field to check)");
  std::optional<int64_t> ms = pipeline::parse_duration_ms(text);
  if (!ms || *ms < 0)
    throw pipeline::OptionError("max_future", "stage '" + c.stage +
                                                  "' (processor validate): option 'max_future' '" +
                                                  text + "' must be a duration such as 1d or 10m");
  return *ms;
}

}  // namespace

Validate::Validate(const pipeline::ProcessorContext& context)
    : passthrough_(context.outputs),
      schema_(json_schema::load_schema_option(context, "validate", "iot-event.schema.json")),
      event_time_field_(option_text(context, "event_time_field")),
      max_future_ms_(max_future(context, !event_time_field_.empty())) {}

Outcome Validate::process(const pipeline::Record& record) {
  Outcome verdict = check(record);
  return verdict.ok ? passthrough_.process(record) : verdict;
}

Outcome Validate::check(const pipeline::Record& record) {
  simdjson::dom::element value;
  if (auto err = parse_record_json(record.value, value)) {
    return Outcome::failure(ErrorCategory::kValidation,
                            std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  if (auto errors = schema_.schema.validate(value); !errors.empty()) {
    return Outcome::failure(ErrorCategory::kValidation,
                            "does not match " + schema_.path + ": " + json_schema::joined(errors));
  }
  if (!event_time_field_.empty()) {
    std::string_view text;
    int64_t ms = 0;
    if (value[event_time_field_].get(text) == simdjson::SUCCESS) {
      std::optional<int64_t> parsed = parse_iso8601_ms(text);
      if (!parsed) {
        return Outcome::failure(ErrorCategory::kValidation,
                                "$." + event_time_field_ + ": '" + std::string(text) +
                                    "' is not an ISO 8601 timestamp (e.g. 2026-12-06T10:00:00Z, "
                                    "+00:00 or another offset; none means UTC)");
      }
      ms = *parsed;
    } else if (value[event_time_field_].get(ms) != simdjson::SUCCESS) {
      return Outcome::failure(ErrorCategory::kValidation,
                              "$." + event_time_field_ +
                                  ": the event time is missing or neither a timestamp text nor "
                                  "epoch milliseconds");
    }
    // Compared as a difference, which cannot overflow once ms > now (a sum could).
    const int64_t now = now_ms();
    if (ms > now && ms - now > max_future_ms_) {
      std::string shown = text.empty() ? std::to_string(ms) + " (epoch ms)" : std::string(text);
      return Outcome::failure(ErrorCategory::kValidation, "$." + event_time_field_ + ": " + shown +
                                                              " is more than max_future (" +
                                                              std::to_string(max_future_ms_) +
                                                              " ms) ahead of the clock");
    }
  }
  return Outcome::success();
}

}  // namespace sluice::stages
