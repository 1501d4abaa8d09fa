// Typed readers for configuration values; see config_values.h.
#include "pipeline/config_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace sluice::pipeline {
namespace {

const char* shape(const YAML::Node& node) {
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  if (node.IsNull()) return "nothing";
  return "a single value";
}

// The scalar's text; any other node kind is an error naming what was found.
std::string scalar(const ConfigValue& v, const char* expected, const std::string& hint) {
  if (!v.node.IsScalar())
    v.fail(std::string("expected ") + expected + ", got " + shape(v.node), hint);
  return v.node.Scalar();
}

std::string range_hint(int64_t lo, int64_t hi, std::string (*format)(int64_t)) {
  return "use a value from " + format(lo) + " to " + format(hi);
}

std::string plain(int64_t n) {
  return std::to_string(n);
}

int64_t in_range(const ConfigValue& v, int64_t n, int64_t lo, int64_t hi,
                 std::string (*format)(int64_t)) {
  if (n < lo || n > hi) v.fail(format(n) + " is out of range", range_hint(lo, hi, format));
  return n;
}

ConfigSource source_at(const ConfigValue& parent, const YAML::Node& node) {
  if (!parent.source.env_var.empty()) return parent.source;
  YAML::Mark mark = node.Mark();
  return {parent.source.file, mark.is_null() ? parent.source.line : mark.line + 1};
}

std::vector<YAML::Node> elements(const YAML::Node& sequence) {
  std::vector<YAML::Node> out;
  for (const YAML::Node& n : sequence) out.push_back(n);
  return out;
}

// The items of a scalar list: `[a, b]` parsed as YAML flow, else split on commas.
std::vector<YAML::Node> scalar_items(const ConfigValue& v) {
  const std::string& text = v.node.Scalar();
  if (text.find_first_not_of(" \t") == std::string::npos) return {};
  if (text.front() == '[') {
    YAML::Node parsed;
    try {
      parsed = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      v.fail("is not a valid list: " + e.msg, "write `[a, b]` or `a,b`");
    }
    if (!parsed.IsSequence()) v.fail("is not a valid list", "write `[a, b]` or `a,b`");
    return elements(parsed);
  }
  std::vector<YAML::Node> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string piece = text.substr(start, comma - start);
    size_t first = piece.find_first_not_of(" \t");
    piece = first == std::string::npos
                ? ""
                : piece.substr(first, piece.find_last_not_of(" \t") + 1 - first);
    items.emplace_back(piece);
    start = comma + 1;
  }
  return items;
}

}  // namespace

ConfigSource SourceMap::find(std::string path) const {
  while (true) {
    auto it = sources_.find(path);
    if (it != sources_.end()) return it->second;
    if (path.empty()) return {file_, 0};
    size_t cut = path.find_last_of(".[");
    path.resize(cut == std::string::npos ? 0 : cut);
  }
}

void ConfigValue::fail(const std::string& problem, const std::string& hint) const {
  throw ConfigError(source, path, problem, hint);
}

ConfigValue ConfigValue::child(const YAML::Node& key, const YAML::Node& value) const {
  std::string name = key.IsScalar() ? key.Scalar() : "?";
  return {value, source_at(*this, key), path.empty() ? name : path + "." + name, sources};
}

ConfigValue ConfigValue::item(size_t index, const YAML::Node& value, bool located) const {
  return {value, located ? source_at(*this, value) : source,
          path + "[" + std::to_string(index) + "]", sources};
}

std::string read_string(const ConfigValue& v) {
  std::string text = scalar(v, "text", "");
  if (text.empty()) v.fail("is empty", "give it a value or remove the key to use the default");
  return text;
}

std::string read_name(const ConfigValue& v) {
  std::string text = read_string(v);
  std::string problem = topic_name_problem(text);
  if (!problem.empty())
    v.fail(quote_value(text) + " " + problem, "names use letters, digits, '.', '_' and '-'");
  return text;
}

std::string read_topic(const ConfigValue& v) {
  std::string text = read_string(v);
  std::string problem = topic_name_problem(text);
  if (!problem.empty()) v.fail("topic " + quote_value(text) + " " + problem);
  return text;
}

std::string read_host_port(const ConfigValue& v) {
  std::string text = read_string(v);
  std::string problem = host_port_problem(text, 0);
  if (!problem.empty())
    v.fail(quote_value(text) + " " + problem,
           "write HOST:PORT, e.g. 127.0.0.1:9644 (port 0 picks a free one)");
  return text;
}

std::string read_bootstrap(const ConfigValue& v) {
  std::string text = read_string(v);
  for (const auto& item : scalar_items(v)) {
    std::string problem = host_port_problem(item.Scalar(), 1);
    if (!problem.empty()) {
      v.fail("broker " + quote_value(item.Scalar()) + " " + problem,
             "write HOST:PORT[,HOST:PORT...], e.g. 127.0.0.1:9092");
    }
  }
  return text;
}

int64_t read_int(const ConfigValue& v, int64_t lo, int64_t hi) {
  std::string hint = "write a whole number from " + plain(lo) + " to " + plain(hi);
  std::string text = scalar(v, "a whole number", hint);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc::result_out_of_range) v.fail(quote_value(text) + " is out of range", hint);
  if (ec != std::errc() || end != text.data() + text.size()) {
    v.fail("expected a whole number, got " + quote_value(text), hint);
  }
  return in_range(v, n, lo, hi, plain);
}

double read_number(const ConfigValue& v, double lo, double hi) {
  std::string hint =
      "write a number from " + fmt::format("{}", lo) + " to " + fmt::format("{}", hi);
  std::string text = scalar(v, "a number", hint);
  double n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(n)) {
    v.fail("expected a number, got " + quote_value(text), hint);
  }
  if (n < lo || n > hi) v.fail(text + " is out of range", hint);
  return n;
}

bool read_bool(const ConfigValue& v) {
  const std::string hint = "write true or false";
  std::string text = scalar(v, "true or false", hint);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  v.fail("expected true or false, got " + quote_value(v.node.Scalar()), hint);
}

int64_t read_duration_ms(const ConfigValue& v, int64_t lo, int64_t hi) {
  std::string hint =
      "write milliseconds (250) or a whole number with a unit (250ms, 5s, 5m, 1h, 1d) from " +
      format_duration_ms(lo) + " to " + format_duration_ms(hi);
  std::string text = scalar(v, "a duration", hint);
  auto ms = parse_duration_ms(text);
  if (!ms) v.fail("expected a duration, got " + quote_value(text), hint);
  return in_range(v, *ms, lo, hi, format_duration_ms);
}

int64_t read_size_bytes(const ConfigValue& v, int64_t lo, int64_t hi) {
  std::string hint =
      "write bytes (65536) or a whole number with a unit (64KiB, 64MiB, 1GiB) from " +
      format_size_bytes(lo) + " to " + format_size_bytes(hi);
  std::string text = scalar(v, "a size", hint);
  auto bytes = parse_size_bytes(text);
  if (!bytes) v.fail("expected a size, got " + quote_value(text), hint);
  return in_range(v, *bytes, lo, hi, format_size_bytes);
}

std::vector<ConfigValue> read_list(const ConfigValue& v) {
  if (v.node.IsMap()) v.fail("expected a list, got a mapping", "write `[a, b]`");
  bool located = v.node.IsSequence();
  std::vector<YAML::Node> nodes;
  if (located) nodes = elements(v.node);
  if (v.node.IsScalar()) nodes = scalar_items(v);
  std::vector<ConfigValue> items;
  for (size_t i = 0; i < nodes.size(); ++i) items.push_back(v.item(i, nodes[i], located));
  return items;
}

}  // namespace sluice::pipeline
