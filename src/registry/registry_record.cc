#include "registry/registry_record.h"

#include <simdjson.h>

#include "common/json.h"

namespace sluice::registry {
namespace {

const char* type_name(RegistryRecord::Type t) {
  switch (t) {
    case RegistryRecord::Type::kSchema:
      return "SCHEMA";
    case RegistryRecord::Type::kConfig:
      return "CONFIG";
    case RegistryRecord::Type::kDeleteSubject:
      return "DELETE_SUBJECT";
    case RegistryRecord::Type::kNoop:
      return "NOOP";
  }
  return "NOOP";
}

[[noreturn]] void bad(std::string_view what, std::string_view text) {
  throw RecordError("_schemas record " + std::string(what) + ": " + std::string(text));
}

}  // namespace

std::string RegistryRecord::key_json() const {
  json::JsonWriter w;
  w.begin_object().field("keytype", type_name(type));
  if (type == Type::kSchema) {
    w.field("subject", subject).field("version", version).field("magic", 1);
  } else if (type == Type::kConfig) {
    w.key("subject");
    subject.empty() ? w.null() : w.value(subject);
    w.field("magic", 0);
  } else if (type == Type::kDeleteSubject) {
    w.field("subject", subject).field("magic", 0);
  } else {
    w.field("magic", 0);
  }
  return w.end_object().str();
}

std::optional<std::string> RegistryRecord::value_json() const {
  if (tombstone || type == Type::kNoop) return std::nullopt;
  json::JsonWriter w;
  w.begin_object();
  if (type == Type::kSchema) {
    w.field("subject", subject).field("version", version).field("id", id);
    w.field("schema", schema).field("deleted", deleted);
  } else if (type == Type::kConfig) {
    w.field("compatibilityLevel",
            avro::compatibility_name(compatibility.value_or(avro::Compatibility::kBackward)));
  } else {
    w.field("subject", subject).field("version", version);
  }
  return w.end_object().str();
}

RegistryRecord RegistryRecord::parse(std::string_view key, std::optional<std::string_view> value) {
  simdjson::dom::parser kp;
  simdjson::dom::object k;
  if (kp.parse(key.data(), key.size()).get(k) != simdjson::SUCCESS)
    bad("key is not a JSON object", key);
  std::string_view keytype;
  if (k["keytype"].get(keytype) != simdjson::SUCCESS) bad("key has no keytype", key);
  RegistryRecord r;
  std::string_view subject;
  if (k["subject"].get(subject) == simdjson::SUCCESS) r.subject = std::string(subject);
  r.tombstone = !value.has_value();
  if (keytype == "NOOP") return r;
  simdjson::dom::parser vp;
  simdjson::dom::object v;
  if (value && vp.parse(value->data(), value->size()).get(v) != simdjson::SUCCESS)
    bad("value is not a JSON object", *value);
  if (keytype == "SCHEMA") {
    r.type = Type::kSchema;
    int64_t version = 0;
    if (k["version"].get(version) != simdjson::SUCCESS) bad("SCHEMA key has no version", key);
    r.version = int(version);
    if (value) {
      int64_t id = 0;
      std::string_view schema;
      if (v["id"].get(id) != simdjson::SUCCESS || v["schema"].get(schema) != simdjson::SUCCESS)
        bad("SCHEMA value needs id and schema", *value);
      r.id = int(id);
      r.schema = std::string(schema);
      bool deleted = false;
      if (v["deleted"].get(deleted) == simdjson::SUCCESS) r.deleted = deleted;
    }
  } else if (keytype == "CONFIG") {
    r.type = Type::kConfig;
    if (value) {
      std::string_view level;
      if (v["compatibilityLevel"].get(level) != simdjson::SUCCESS)
        bad("CONFIG value has no compatibilityLevel", *value);
      r.compatibility = avro::parse_compatibility(level);
      if (!r.compatibility) bad("CONFIG value has an unknown level", *value);
    }
  } else if (keytype == "DELETE_SUBJECT") {
    r.type = Type::kDeleteSubject;
    int64_t version = 0;
    if (value && v["version"].get(version) != simdjson::SUCCESS)
      bad("DELETE_SUBJECT value has no version", *value);
    r.version = int(version);
  } else {
    bad("key has an unknown keytype", key);
  }
  return r;
}

}  // namespace sluice::registry
