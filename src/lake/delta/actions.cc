#include "lake/delta/actions.h"

#include <simdjson.h>

#include "common/json.h"
#include "lake/delta/delta_error.h"

namespace sluice::lake::delta {
namespace {

using json::JsonWriter;

void write_value(JsonWriter& w, const std::string& v) {
  w.value(v);
}
void write_value(JsonWriter& w, const std::optional<std::string>& v) {
  if (v) {
    w.value(*v);
  } else {
    w.null();
  }
}

template <typename V>
void write_map(JsonWriter& w, std::string_view key, const std::map<std::string, V>& m) {
  w.key(key).begin_object();
  for (const auto& [k, v] : m) {
    w.key(k);
    write_value(w, v);
  }
  w.end_object();
}

struct Writer {
  JsonWriter& w;
  void operator()(const Protocol& p) {
    w.key("protocol").begin_object();
    w.field("minReaderVersion", p.min_reader_version)
        .field("minWriterVersion", p.min_writer_version);
    w.end_object();
  }
  void operator()(const Metadata& m) {
    w.key("metaData").begin_object().field("id", m.id);
    if (!m.name.empty()) w.field("name", m.name);
    w.key("format")
        .begin_object()
        .field("provider", "parquet")
        .key("options")
        .begin_object()
        .end_object();
    w.end_object();
    w.field("schemaString", m.schema_string);
    w.key("partitionColumns").begin_array();
    for (const auto& c : m.partition_columns) w.value(c);
    w.end_array();
    write_map(w, "configuration", m.configuration);
    w.field("createdTime", m.created_time).end_object();
  }
  void operator()(const AddFile& a) {
    w.key("add").begin_object().field("path", a.path);
    write_map(w, "partitionValues", a.partition_values);
    w.field("size", a.size)
        .field("modificationTime", a.modification_time)
        .field("dataChange", a.data_change);
    if (!a.stats.empty()) w.field("stats", a.stats);
    w.end_object();
  }
  void operator()(const RemoveFile& r) {
    w.key("remove")
        .begin_object()
        .field("path", r.path)
        .field("deletionTimestamp", r.deletion_timestamp);
    w.field("dataChange", r.data_change).field("extendedFileMetadata", true);
    write_map(w, "partitionValues", r.partition_values);
    w.field("size", r.size).end_object();
  }
  void operator()(const Txn& t) {
    w.key("txn").begin_object().field("appId", t.app_id).field("version", t.version);
    w.field("lastUpdated", t.last_updated).end_object();
  }
  void operator()(const CommitInfo& c) {
    w.key("commitInfo")
        .begin_object()
        .field("timestamp", c.timestamp)
        .field("operation", c.operation);
    write_map(w, "operationParameters", c.operation_parameters);
    if (c.read_version) w.field("readVersion", *c.read_version);
    w.field("isBlindAppend", c.is_blind_append).field("engineInfo", c.engine_info).end_object();
  }
};

// ---- reading: missing or mistyped optional fields take their defaults ----

using simdjson::dom::element;
using simdjson::dom::object;

std::string str(const object& o, const char* key) {
  std::string_view v;
  return o[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

int64_t num(const object& o, const char* key) {
  int64_t v = 0;
  if (o[key].get(v) == simdjson::SUCCESS) return v;
  uint64_t u = 0;
  return o[key].get(u) == simdjson::SUCCESS ? int64_t(u) : 0;
}

bool boolean(const object& o, const char* key, bool fallback) {
  bool v = fallback;
  return o[key].get(v) == simdjson::SUCCESS ? v : fallback;
}

// An object of strings; a null (or non-string) value reads as nullopt.
PartitionValues optional_string_map(const object& o, const char* key) {
  PartitionValues out;
  object m;
  if (o[key].get(m) != simdjson::SUCCESS) return out;
  for (auto [k, v] : m) {
    std::string_view s;
    out[std::string(k)] =
        v.get(s) == simdjson::SUCCESS ? std::optional<std::string>(s) : std::nullopt;
  }
  return out;
}

std::map<std::string, std::string> string_map(const object& o, const char* key) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : optional_string_map(o, key)) out[k] = v.value_or("");
  return out;
}

std::optional<Action> read_action(const object& line) {
  object o;
  if (line["add"].get(o) == simdjson::SUCCESS) {
    return AddFile{str(o, "path"),
                   optional_string_map(o, "partitionValues"),
                   num(o, "size"),
                   num(o, "modificationTime"),
                   boolean(o, "dataChange", true),
                   str(o, "stats")};
  }
  if (line["remove"].get(o) == simdjson::SUCCESS) {
    return RemoveFile{str(o, "path"), num(o, "deletionTimestamp"), boolean(o, "dataChange", true),
                      optional_string_map(o, "partitionValues"), num(o, "size")};
  }
  if (line["txn"].get(o) == simdjson::SUCCESS)
    return Txn{str(o, "appId"), num(o, "version"), num(o, "lastUpdated")};
  if (line["metaData"].get(o) == simdjson::SUCCESS) {
    Metadata m{str(o, "id"),
               str(o, "name"),
               str(o, "schemaString"),
               {},
               string_map(o, "configuration"),
               num(o, "createdTime")};
    simdjson::dom::array cols;
    if (o["partitionColumns"].get(cols) == simdjson::SUCCESS) {
      for (element c : cols) {
        std::string_view s;
        if (c.get(s) == simdjson::SUCCESS) m.partition_columns.emplace_back(s);
      }
    }
    return m;
  }
  if (line["protocol"].get(o) == simdjson::SUCCESS) {
    return Protocol{int(num(o, "minReaderVersion")), int(num(o, "minWriterVersion"))};
  }
  if (line["commitInfo"].get(o) == simdjson::SUCCESS) {
    CommitInfo c{num(o, "timestamp"),  str(o, "operation"), string_map(o, "operationParameters"),
                 str(o, "engineInfo"), std::nullopt,        boolean(o, "isBlindAppend", false)};
    int64_t rv = 0;
    if (o["readVersion"].get(rv) == simdjson::SUCCESS) c.read_version = rv;
    return c;
  }
  return std::nullopt;  // cdc, domainMetadata, ...: not needed to rebuild sluice's state
}

}  // namespace

std::string to_json_line(const Action& action) {
  JsonWriter w;
  w.begin_object();
  std::visit(Writer{w}, action);
  w.end_object();
  return w.str();
}

std::string to_commit_text(const std::vector<Action>& actions) {
  std::string out;
  for (const auto& a : actions) out += to_json_line(a) + "\n";
  return out;
}

std::vector<Action> parse_commit(std::string_view text, const std::string& where) {
  std::vector<Action> out;
  simdjson::dom::parser parser;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    object o;
    simdjson::padded_string padded(line);
    if (auto err = parser.parse(padded).get(o)) {
      throw DeltaError(where + " line " + std::to_string(line_no) + " is not a JSON object (" +
                       simdjson::error_message(err) +
                       "); the Delta log is damaged — restore it from a backup");
    }
    if (auto a = read_action(o)) out.push_back(std::move(*a));
  }
  return out;
}

}  // namespace sluice::lake::delta
