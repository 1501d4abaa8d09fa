// Confluent Schema Registry's REST API over a RegistryStore, independent of the
// HTTP library: a request (method, raw path, query, body) in, a reply out.
//
// Invariants: every request gets Confluent's answer — the JSON a serializer
// expects, or {"error_code", "message"} with Confluent's status and code (40401
// subject, 40402 version, 40403 schema not found, 409 incompatible, 42201
// invalid schema, 42202 invalid version, ...) — and a message that says what to
// do. A change is proposed and appended under the store's writer lock and
// answered only once applied, so the reply (and any later GET) shows it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ops/metrics.h"
#include "ops/router.h"
#include "registry/registry_store.h"
#include "registry/write_gate.h"

namespace sluice::registry {

struct ApiRequest {
  std::string method;                        // GET, POST, PUT, DELETE
  std::string path;                          // as sent: percent-encoded, no query
  std::map<std::string, std::string> query;  // decoded
  std::string body;
  std::string raw_query;   // as sent, for forwarding
  bool forwarded = false;  // came from another registry (never forwarded again)
};

// The header a registry sets on a change it forwards to the elected writer.
inline constexpr const char* kForwardedHeader = "X-Sluice-Registry-Forwarded";

// The content type of every JSON reply.
inline constexpr const char* kRegistryContentType = "application/vnd.schemaregistry.v1+json";

class RegistryApi {
 public:
  // `store`, `metrics` and `gate` must outlive the API. Without a gate every
  // change is made here (one registry process).
  RegistryApi(RegistryStore& store, ops::MetricsRegistry& metrics, WriteGate* gate = nullptr);

  ops::HttpReply handle(const ApiRequest& request);

 private:
  using Segments = std::vector<std::string>;
  ops::HttpReply subjects(const ApiRequest& r, const Segments& s);
  ops::HttpReply versions(const ApiRequest& r, const Segments& s);
  ops::HttpReply schemas(const ApiRequest& r, const Segments& s);
  ops::HttpReply config(const ApiRequest& r, const Segments& s);
  ops::HttpReply compatibility(const ApiRequest& r, const Segments& s);
  ops::HttpReply mode(const ApiRequest& r, const Segments& s);

  ops::HttpReply register_schema(const std::string& subject, const std::string& body);
  ops::HttpReply delete_versions(const std::string& subject, std::optional<int> version,
                                 bool permanent);
  ops::HttpReply set_config(const std::optional<std::string>& subject, const std::string& body);
  ops::HttpReply delete_config(const std::optional<std::string>& subject);

  // The elected writer's reply when a change is not this process's to make.
  std::optional<ops::HttpReply> forwarded(const ApiRequest& r, const Segments& s);

  RegistryStore& store_;
  ops::MetricsRegistry& metrics_;
  WriteGate* gate_;
  ops::Counter& compatibility_failures_;
};

}  // namespace sluice::registry
