#include "stages/confluent/registry_schemas.h"

#include <simdjson.h>

#include <cctype>
#include <cstdio>

#include "common/json.h"
#include "lake/store/http_client.h"

namespace sluice::stages {

RegistrySchemas::RegistrySchemas(std::string base_url) : base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

avro::Schema RegistrySchemas::by_id(int32_t id) {
  const std::string url = base_url_ + "/schemas/ids/" + std::to_string(id);
  const std::string what = "schema id " + std::to_string(id);
  return parse(send("GET", url, "", what), url, what);
}

std::string RegistrySchemas::subject_url(const std::string& subject) const {
  std::string path;  // the subject percent-encoded: it may hold '/'
  for (unsigned char c : subject) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      path += char(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      path += buf;
    }
  }
  return base_url_ + "/subjects/" + path;
}

RegisteredSchema RegistrySchemas::by_subject_version(const std::string& subject,
                                                     const std::string& version) {
  const std::string url = subject_url(subject) + "/versions/" + version;
  const std::string what = "version " + version + " of subject " + subject;
  const std::string body = send("GET", url, "", what);
  int64_t id = 0;
  simdjson::dom::parser parser;
  if (parser.parse(body).at_key("id").get_int64().get(id))
    throw RegistryLookupError(url + " answered without an \"id\": " + body.substr(0, 200), false);
  return {int32_t(id), parse(body, url, what)};
}

void RegistrySchemas::set_compatibility(const std::string& subject, const std::string& level) {
  // /config/{subject} takes the subject percent-encoded as /subjects/{subject} does.
  const std::string subjects = subject_url(subject);
  const std::string url =
      base_url_ + "/config/" + subjects.substr(base_url_.size() + std::string("/subjects/").size());
  send("PUT", url, "{\"compatibility\":" + json::quote(level) + "}",
       "compatibility " + level + " of subject " + subject);
}

RegisteredSchema RegistrySchemas::register_schema(const std::string& subject,
                                                  const std::string& schema_json) {
  avro::Schema schema = [&] {
    try {
      return avro::Schema::parse(schema_json);
    } catch (const avro::SchemaError& e) {
      throw RegistryLookupError(std::string("the schema to register is not Avro: ") + e.what(),
                                true);
    }
  }();
  const std::string url = subject_url(subject) + "/versions";
  const std::string body = send("POST", url, "{\"schema\":" + json::quote(schema_json) + "}",
                                "the schema for subject " + subject);
  int64_t id = 0;
  simdjson::dom::parser parser;
  if (parser.parse(body).at_key("id").get_int64().get(id))
    throw RegistryLookupError(url + " answered without an \"id\": " + body.substr(0, 200), false);
  return {int32_t(id), std::move(schema)};
}

std::string RegistrySchemas::send(const std::string& method, const std::string& url,
                                  const std::string& body, const std::string& what) {
  std::vector<std::string> headers;
  if (!body.empty()) headers.push_back("Content-Type: application/vnd.schemaregistry.v1+json");
  const lake::HttpResponse r = lake::http_send(
      {.method = method, .url = url, .headers = headers, .body = body, .timeout_ms = 10000});
  if (r.status == 404)
    throw RegistryLookupError(what + " is not in the registry at " + base_url_ +
                                  " (was it registered there, or deleted?)",
                              true);
  if (r.status == 409 || r.status == 422)  // refused: incompatible, or not a valid schema
    throw RegistryLookupError("the registry at " + base_url_ + " refused " + what + " (HTTP " +
                                  std::to_string(r.status) + "): " + r.body.substr(0, 1000),
                              true);
  if (r.status != 200)
    throw RegistryLookupError(method + " " + url + " for " + what + " failed: " +
                                  (r.status == 0 ? r.error : "HTTP " + std::to_string(r.status)) +
                                  " (is the registry running?)",
                              false);
  return r.body;
}

avro::Schema RegistrySchemas::parse(const std::string& body, const std::string& url,
                                    const std::string& what) {
  simdjson::dom::parser parser;
  std::string_view text;
  if (parser.parse(body).at_key("schema").get_string().get(text))
    throw RegistryLookupError(url + " answered without a \"schema\" text: " + body.substr(0, 200),
                              false);
  try {
    return avro::Schema::parse(std::string(text));
  } catch (const avro::SchemaError& e) {
    throw RegistryLookupError(
        what + " from " + base_url_ + " is not an Avro schema sluice reads: " + e.what(), true);
  }
}

}  // namespace sluice::stages
