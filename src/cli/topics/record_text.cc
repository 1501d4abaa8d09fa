#include "cli/topics/record_text.h"

#include <simdjson.h>

#include <stdexcept>

#include "common/base64.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

std::invalid_argument bad_line(size_t line_number, const std::string& why) {
  return std::invalid_argument("input line " + std::to_string(line_number) + ": " + why);
}

// A JSON field that is a string or null: nullopt for null, throws for other types.
std::optional<std::string> string_or_null(simdjson::dom::element e, const char* field,
                                          size_t line_number) {
  if (e.is_null()) return std::nullopt;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS)
    throw bad_line(line_number, std::string("\"") + field + "\" must be a string or null");
  return std::string(s);
}

// A "NAME_base64" field's bytes; throws naming the field when it is not base64.
std::string decoded(simdjson::dom::element e, const std::string& field, size_t line_number) {
  std::string_view text;
  std::optional<std::string> bytes;
  if (e.get_string().get(text) == simdjson::SUCCESS) bytes = base64::decode(text);
  if (!bytes) throw bad_line(line_number, "\"" + field + "\" must be a base64 string");
  return *bytes;
}

kafka::Headers parse_headers(simdjson::dom::element e, size_t line_number) {
  kafka::Headers out;
  simdjson::dom::array list;
  simdjson::dom::object map;
  if (e.get_array().get(list) == simdjson::SUCCESS) {  // [{"key":..,"value":..}], as consume prints
    for (simdjson::dom::element h : list) {
      std::string_view k, v;
      simdjson::dom::element b64;
      if (h["key"].get_string().get(k) != simdjson::SUCCESS)
        throw bad_line(line_number, "each header must be {\"key\": STRING, \"value\": STRING}");
      if (h["value_base64"].get(b64) == simdjson::SUCCESS) {
        out.emplace_back(std::string(k), decoded(b64, "value_base64", line_number));
        continue;
      }
      if (h["value"].get_string().get(v) != simdjson::SUCCESS)
        throw bad_line(line_number, "each header must be {\"key\": STRING, \"value\": STRING}");
      out.emplace_back(std::string(k), std::string(v));
    }
  } else if (e.get_object().get(map) == simdjson::SUCCESS) {  // {"k": "v"}: easier to type
    for (auto field : map) {
      std::string_view v;
      if (field.value.get_string().get(v) != simdjson::SUCCESS)
        throw bad_line(line_number, "header \"" + std::string(field.key) + "\" must be a string");
      out.emplace_back(std::string(field.key), std::string(v));
    }
  } else {
    throw bad_line(line_number, "\"headers\" must be a list of {key, value} or an object");
  }
  return out;
}

kafka::OutputRecord parse_json_line(const std::string& line, size_t line_number) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(line).get_object().get(obj) != simdjson::SUCCESS)
    throw bad_line(line_number, "not a JSON object (--format json reads one object per line)");
  kafka::OutputRecord r;
  for (auto field : obj) {
    const std::string_view name = field.key;
    if (name == "key") {
      r.key = string_or_null(field.value, "key", line_number);
    } else if (name == "key_base64") {
      r.key = decoded(field.value, "key_base64", line_number);
    } else if (name == "value") {
      std::optional<std::string> v = string_or_null(field.value, "value", line_number);
      r.null_value = !v;
      r.value = v.value_or("");
    } else if (name == "value_base64") {
      r.null_value = false;
      r.value = decoded(field.value, "value_base64", line_number);
    } else if (name == "headers") {
      r.headers = parse_headers(field.value, line_number);
    } else if (name == "partition") {
      int64_t p = 0;
      if (field.value.get_int64().get(p) != simdjson::SUCCESS || p < 0 || p > INT32_MAX)
        throw bad_line(line_number, "\"partition\" must be a partition number");
      r.partition = int32_t(p);
    }
    // topic, offset and timestamp (what consume prints) are the broker's to assign.
  }
  return r;
}

}  // namespace

RecordFormat parse_record_format(const std::string& name) {
  if (name == "json") return RecordFormat::kJson;
  if (name == "plain") return RecordFormat::kPlain;
  throw std::invalid_argument("--format '" + name + "' must be json or plain");
}

std::string format_record(const kafka::Record& r, RecordFormat format,
                          const std::optional<std::string>& key_separator) {
  if (format == RecordFormat::kPlain) {
    std::string out;
    if (key_separator) out = r.key.value_or("null") + *key_separator;
    return out + (r.null_value ? "null" : r.value);
  }
  json::JsonWriter w;
  // Bytes that are not UTF-8 cannot be a JSON string: they go as NAME_base64.
  auto bytes_field = [&w](const std::string& name, const std::string& bytes) {
    if (simdjson::validate_utf8(bytes.data(), bytes.size())) {
      w.field(name, bytes);
    } else {
      w.field(name + "_base64", base64::encode(bytes));
    }
  };
  w.begin_object().field("topic", r.topic).field("partition", int64_t(r.partition));
  w.field("offset", r.offset).field("timestamp", r.timestamp_ms);
  r.key ? bytes_field("key", *r.key) : (void)w.key("key").null();
  w.key("headers").begin_array();
  for (const auto& [k, v] : r.headers) {
    w.begin_object().field("key", k);
    bytes_field("value", v);
    w.end_object();
  }
  w.end_array();
  r.null_value ? (void)w.key("value").null() : bytes_field("value", r.value);
  w.end_object();
  return w.str();
}

kafka::OutputRecord parse_record_line(const std::string& line, size_t line_number,
                                      RecordFormat format, const std::string& topic,
                                      const ProduceDefaults& defaults) {
  kafka::OutputRecord r;
  if (format == RecordFormat::kJson) {
    r = parse_json_line(line, line_number);
  } else if (defaults.key_separator) {
    const size_t at = line.find(*defaults.key_separator);
    if (at == std::string::npos)
      throw bad_line(line_number, "no key separator '" + *defaults.key_separator +
                                      "' (each line must be KEY" + *defaults.key_separator +
                                      "VALUE; change it with --key-separator)");
    r.key = line.substr(0, at);
    r.value = line.substr(at + defaults.key_separator->size());
  } else {
    r.value = line;
  }
  r.topic = topic;
  if (!r.key) r.key = defaults.key;
  if (!r.partition) r.partition = defaults.partition;
  r.headers.insert(r.headers.end(), defaults.headers.begin(), defaults.headers.end());
  return r;
}

std::pair<std::string, std::string> parse_header_flag(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument("--header '" + text + "' must be KEY=VALUE, e.g. source=backfill");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace sluice::cli
