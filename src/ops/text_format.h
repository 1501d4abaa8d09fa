// Prometheus text exposition format 0.0.4, both directions.
//
// Invariant: series_key() spells a series exactly as the renderer writes it
// (same escaping, same label order), so a rendered page parsed back with
// parse_prometheus_text() is keyed by the very text that appears on the page:
// `kafka_messages_produced_total{topic="orders"}`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::ops {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A sample value as Prometheus writes it: shortest round-trip decimal, or
// "+Inf", "-Inf", "NaN".
std::string format_value(double v);

// Label value escaping: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

// HELP text escaping: backslash and newline (quotes stay as they are).
std::string escape_help(std::string_view help);

// name{a="x",b="y"} with labels in the given order; just `name` without labels.
std::string series_key(std::string_view name, const Labels& labels);

// Reads a Prometheus text page back into (series_key -> value). Comments and
// blank lines are skipped, escaped label values are unescaped and re-escaped
// canonically, timestamps are ignored. Throws std::invalid_argument naming the
// line number and the problem on a malformed line.
std::map<std::string, double> parse_prometheus_text(const std::string& text);

// The pieces of a series key as parse_prometheus_text() returns it:
// `m{topic="a",stage="b"}` has the name "m" and label "topic" = "a".
// label_value() is "" when the series has no such label.
std::string series_name(const std::string& series);
std::string label_value(const std::string& series, const std::string& label);

}  // namespace sluice::ops
