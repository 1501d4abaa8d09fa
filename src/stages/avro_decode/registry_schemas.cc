#include "stages/avro_decode/registry_schemas.h"

#include <simdjson.h>

#include <cctype>
#include <cstdio>

#include "lake/store/http_client.h"

namespace sluice::stages {

RegistrySchemas::RegistrySchemas(std::string base_url) : base_url_(std::move(base_url)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::shared_ptr<const avro::Schema> RegistrySchemas::by_id(int32_t id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  }
  auto schema = std::make_shared<const avro::Schema>(
      fetch(base_url_ + "/schemas/ids/" + std::to_string(id), "schema id " + std::to_string(id)));
  std::lock_guard lock(mu_);
  return cache_.emplace(id, std::move(schema)).first->second;
}

avro::Schema RegistrySchemas::by_subject_version(const std::string& subject,
                                                 const std::string& version) {
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
  return fetch(base_url_ + "/subjects/" + path + "/versions/" + version,
               "version " + version + " of subject " + subject);
}

avro::Schema RegistrySchemas::fetch(const std::string& url, const std::string& what) {
  const lake::HttpResponse r = lake::http_send(
      {.method = "GET", .url = url, .headers = {}, .body = {}, .timeout_ms = 10000});
  if (r.status == 404)
    throw RegistryLookupError(what + " is not in the registry at " + base_url_ +
                                  " (was it registered there, or deleted?)",
                              true);
  if (r.status != 200)
    throw RegistryLookupError("looking up " + what + " at " + url + " failed: " +
                                  (r.status == 0 ? r.error : "HTTP " + std::to_string(r.status)) +
                                  " (is the registry running?)",
                              false);
  simdjson::dom::parser parser;
  std::string_view text;
  if (parser.parse(r.body).at_key("schema").get_string().get(text))
    throw RegistryLookupError(url + " answered without a \"schema\" text: " + r.body.substr(0, 200),
                              false);
  try {
    return avro::Schema::parse(std::string(text));
  } catch (const avro::SchemaError& e) {
    throw RegistryLookupError(
        what + " from " + base_url_ + " is not an Avro schema sluice reads: " + e.what(), true);
  }
}

}  // namespace sluice::stages
