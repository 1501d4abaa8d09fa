#include "registry/registry_api.h"

#include <cctype>
#include <climits>

#include "common/log.h"
#include "registry/registry_json.h"

namespace sluice::registry {
namespace {

using Reply = ops::HttpReply;

Reply json(std::string body, int status = 200) {
  return {status, std::move(body), kRegistryContentType};
}

Reply fail(const RegistryError& e) {
  return json(error_json(e), e.http_status);
}

Reply not_found(const ApiRequest& r) {
  return fail({404, 404,
               "HTTP 404 Not Found: no endpoint " + r.method + " " + r.path +
                   "; the endpoints are listed in docs/registry.md"});
}

// The election moved the writer while this change waited for the lock.
Reply writer_moved() {
  return fail({500, 50004,
               "this registry stopped being the writer while the change waited; nothing "
               "changed: retry"});
}

Reply not_allowed(const ApiRequest& r, const char* allowed) {
  return fail(
      {405, 405,
       "HTTP 405 Method Not Allowed: " + r.path + " takes " + allowed + ", not " + r.method});
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = char(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// A path segment as sent, percent-decoded ("a%2Fb" is the subject "a/b").
std::string decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(decode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  return out;
}

bool flag(const ApiRequest& r, const char* name) {
  auto it = r.query.find(name);
  return it != r.query.end() && (it->second == "true" || it->second.empty());
}

// A positive decimal below 2^31, or nullopt.
std::optional<int> positive(const std::string& text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  long long n = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > INT_MAX) return std::nullopt;
  return int(n);
}

// "latest" (or -1) is -1.
std::variant<int, RegistryError> version_of(const std::string& text) {
  if (text == "latest" || text == "-1") return -1;
  if (auto v = positive(text)) return *v;
  return RegistryError{422, 42202,
                       "The specified version '" + text +
                           "' is not a valid version id. Allowed values are between [1, "
                           "2^31-1] and the string \"latest\""};
}

// Runs `fn` on the store's state and returns what it returned.
template <typename F>
auto view(const RegistryStore& store, F fn) {
  decltype(fn(std::declval<const RegistryState&>())) out{};
  store.read([&](const RegistryState& s) { out = fn(s); });
  return out;
}

}  // namespace

RegistryApi::RegistryApi(RegistryStore& store, ops::MetricsRegistry& metrics, WriteGate* gate)
    : store_(store),
      metrics_(metrics),
      gate_(gate),
      compatibility_failures_(metrics.counter(
          "schema_registry_compatibility_failures_total",
          "Schemas refused because they break the subject's compatibility level (HTTP 409)")) {}

Reply RegistryApi::handle(const ApiRequest& r) {
  const Segments s = segments(r.path);
  try {
    if (s.empty()) return r.method == "GET" ? json("{}") : not_allowed(r, "GET");
    if (auto reply = forwarded(r, s)) return *reply;
    if (s[0] == "subjects") return subjects(r, s);
    if (s[0] == "schemas") return schemas(r, s);
    if (s[0] == "config") return config(r, s);
    if (s[0] == "compatibility") return compatibility(r, s);
    if (s[0] == "mode") return mode(r, s);
    if (s[0] == "metrics" && s.size() == 1 && r.method == "GET")
      return {200, metrics_.render(), "text/plain; version=0.0.4"};
    return not_found(r);
  } catch (const StoreError& e) {
    return fail({500, 50001, std::string("Error in the backend datastore: ") + e.what()});
  } catch (const std::exception& e) {
    // A Kafka client that could not be built, a stored schema another registry wrote
    // that no longer parses: still Confluent's JSON, with the reason.
    return fail({500, 50001, std::string("Error while serving the request: ") + e.what()});
  }
}

std::optional<Reply> RegistryApi::forwarded(const ApiRequest& r, const Segments& s) {
  const bool registers = r.method == "POST" && s[0] == "subjects" && s.size() == 3;
  const bool changes = (r.method == "PUT" || r.method == "DELETE") && s[0] != "mode";
  if (!gate_ || !(registers || changes)) return std::nullopt;
  std::optional<Reply> reply = gate_->forward(r);
  // The writer answered after applying the change; this process shows it too
  // before answering, so the client's next read here sees its write.
  if (reply && reply->status < 300) store_.catch_up();
  return reply;
}

Reply RegistryApi::subjects(const ApiRequest& r, const Segments& s) {
  if (s.size() >= 3 && s[2] == "versions") return versions(r, s);
  if (s.size() == 1) {
    if (r.method != "GET") return not_allowed(r, "GET");
    const bool deleted = flag(r, "deleted");
    return json(strings_json(view(store_, [&](auto& st) { return st.subjects(deleted); })));
  }
  if (s.size() != 2) return not_found(r);
  const std::string& subject = s[1];
  if (r.method == "DELETE") return delete_versions(subject, std::nullopt, flag(r, "permanent"));
  if (r.method != "POST") return not_allowed(r, "POST (look up a schema) or DELETE");
  auto schema = read_schema_request(r.body);
  if (auto* e = std::get_if<RegistryError>(&schema)) return fail(*e);
  auto found = view(store_, [&](auto& st) { return st.lookup(subject, std::get<0>(schema)); });
  if (auto* e = std::get_if<RegistryError>(&found)) return fail(*e);
  return json(version_json(std::get<SchemaVersion>(found)));
}

Reply RegistryApi::versions(const ApiRequest& r, const Segments& s) {
  const std::string& subject = s[1];
  const bool deleted = flag(r, "deleted");
  if (s.size() == 3) {
    if (r.method == "POST") return register_schema(subject, r.body);
    if (r.method != "GET") return not_allowed(r, "GET or POST");
    auto list = view(store_, [&](auto& st) { return st.versions(subject, deleted); });
    if (auto* e = std::get_if<RegistryError>(&list)) return fail(*e);
    return json(ints_json(std::get<std::vector<int>>(list)));
  }
  if (s.size() > 5) return not_found(r);
  auto number = version_of(s[3]);
  if (auto* e = std::get_if<RegistryError>(&number)) return fail(*e);
  const int version = std::get<int>(number);
  if (s.size() == 4 && r.method == "DELETE")
    return delete_versions(subject, version, flag(r, "permanent"));
  if (r.method != "GET") return not_allowed(r, s.size() == 4 ? "GET or DELETE" : "GET");
  auto found = view(store_, [&](auto& st) { return st.version(subject, version, deleted); });
  if (auto* e = std::get_if<RegistryError>(&found)) return fail(*e);
  const SchemaVersion& v = std::get<SchemaVersion>(found);
  if (s.size() == 4) return json(version_json(v));
  if (s[4] == "schema") return json(v.schema);
  if (s[4] == "referencedby") return json("[]");  // references are not supported
  return not_found(r);
}

Reply RegistryApi::schemas(const ApiRequest& r, const Segments& s) {
  if (r.method != "GET") return not_allowed(r, "GET");
  if (s.size() == 2 && s[1] == "types") return json(R"(["AVRO"])");
  if (s.size() < 3 || s.size() > 4 || s[1] != "ids") return not_found(r);
  const std::optional<int> id = positive(s[2]);
  if (!id) return fail({404, 40403, "Schema " + s[2] + " not found: ids are positive integers"});
  auto found = view(store_, [&](auto& st) { return st.schema_by_id(*id); });
  if (auto* e = std::get_if<RegistryError>(&found)) return fail(*e);
  const SchemaVersion& v = std::get<SchemaVersion>(found);
  if (s.size() == 3) return json(field_json("schema", v.schema));
  if (s[3] == "schema") return json(v.schema);
  auto usages = view(store_, [&](auto& st) { return st.usages(*id); });
  if (s[3] == "versions") return json(usages_json(usages));
  if (s[3] != "subjects") return not_found(r);
  std::vector<std::string> subjects;
  for (const auto& [subject, version] : usages)
    if (subjects.empty() || subjects.back() != subject) subjects.push_back(subject);
  return json(strings_json(subjects));
}

Reply RegistryApi::config(const ApiRequest& r, const Segments& s) {
  if (s.size() > 2) return not_found(r);
  std::optional<std::string> subject;
  if (s.size() == 2) subject = s[1];
  if (r.method == "PUT") return set_config(subject, r.body);
  if (r.method == "DELETE") return delete_config(subject);
  if (r.method != "GET") return not_allowed(r, "GET, PUT or DELETE");
  std::optional<avro::Compatibility> level = view(store_, [&](auto& st) {
    return subject ? st.own_compatibility(*subject) : st.compatibility(std::nullopt);
  });
  if (!level && flag(r, "defaultToGlobal"))
    level = view(store_, [&](auto& st) { return st.compatibility(std::nullopt); });
  if (!level) {
    return fail({404, 40408,
                 "Subject '" + *subject +
                     "' does not have subject-level compatibility configured; it follows the "
                     "global level (GET /config, or add ?defaultToGlobal=true)"});
  }
  return json(field_json("compatibilityLevel", avro::compatibility_name(*level)));
}

Reply RegistryApi::compatibility(const ApiRequest& r, const Segments& s) {
  // /compatibility/subjects/{s}/versions[/{v}]
  if (s.size() < 4 || s.size() > 5 || s[1] != "subjects" || s[3] != "versions") return not_found(r);
  if (r.method != "POST") return not_allowed(r, "POST");
  auto number = version_of(s.size() == 5 ? s[4] : "latest");
  if (auto* e = std::get_if<RegistryError>(&number)) return fail(*e);
  const int version = std::get<int>(number);
  auto schema = read_schema_request(r.body);
  if (auto* e = std::get_if<RegistryError>(&schema)) return fail(*e);
  const std::string& subject = s[2];
  auto reasons = view(store_, [&](auto& st) {
    // Nothing registered yet: any schema may be the first ("latest" only).
    if (version == -1 && std::holds_alternative<RegistryError>(st.versions(subject)))
      return std::variant<std::vector<std::string>, RegistryError>(std::vector<std::string>{});
    return st.check(subject, version, std::get<0>(schema));
  });
  if (auto* e = std::get_if<RegistryError>(&reasons)) return fail(*e);
  return json(compatibility_json(std::get<0>(reasons), flag(r, "verbose")));
}

Reply RegistryApi::mode(const ApiRequest& r, const Segments& s) {
  if (s.size() > 2) return not_found(r);
  if (r.method == "GET") return json(R"({"mode":"READWRITE"})");
  if (r.method == "PUT") {
    return fail({422, 42204,
                 "sluice registry is always READWRITE; IMPORT and READONLY modes are not "
                 "supported"});
  }
  return not_allowed(r, "GET");
}

Reply RegistryApi::register_schema(const std::string& subject, const std::string& body) {
  auto schema = read_schema_request(body);
  if (auto* e = std::get_if<RegistryError>(&schema)) return fail(*e);
  std::lock_guard writing(store_.writer());
  if (gate_ && !gate_->holds()) return writer_moved();
  store_.catch_up();  // a writer newly elected may not have read its predecessor's last change
  auto proposal =
      view(store_, [&](auto& st) { return st.register_schema(subject, std::get<0>(schema)); });
  if (auto* e = std::get_if<RegistryError>(&proposal)) {
    if (e->http_status == 409) {
      compatibility_failures_.inc();
      log::warn("registry", "refused a schema for subject '{}': {}", subject, e->message);
    }
    return fail(*e);
  }
  int id = 0;
  if (auto* known = std::get_if<int>(&proposal)) {
    id = *known;
  } else {
    const auto& record = std::get<RegistryRecord>(proposal);
    store_.append({record});
    id = record.id;
    log::info("registry", "registered version {} of subject '{}' (schema id {})", record.version,
              subject, id);
  }
  return json("{\"id\":" + std::to_string(id) + "}");
}

Reply RegistryApi::delete_versions(const std::string& subject, std::optional<int> version,
                                   bool permanent) {
  std::lock_guard writing(store_.writer());
  if (gate_ && !gate_->holds()) return writer_moved();
  store_.catch_up();
  auto proposal =
      view(store_, [&](auto& st) { return st.delete_versions(subject, version, permanent); });
  if (auto* e = std::get_if<RegistryError>(&proposal)) return fail(*e);
  auto& [records, deleted] = std::get<0>(proposal);
  store_.append(records);
  log::info("registry", "deleted {} version(s) of subject '{}' {}", deleted.size(), subject,
            permanent ? "permanently" : "soft (still listed with ?deleted=true)");
  // One version deleted by number answers with that number; a subject, with the list.
  return json(version ? std::to_string(deleted.front()) : ints_json(deleted));
}

Reply RegistryApi::set_config(const std::optional<std::string>& subject, const std::string& body) {
  auto level = read_config_request(body);
  if (auto* e = std::get_if<RegistryError>(&level)) return fail(*e);
  RegistryRecord record;
  record.type = RegistryRecord::Type::kConfig;
  record.subject = subject.value_or("");
  record.compatibility = std::get<avro::Compatibility>(level);
  std::lock_guard writing(store_.writer());
  if (gate_ && !gate_->holds()) return writer_moved();
  store_.catch_up();  // every append is decided from the log's end (schemas_log.cc: fencing)
  store_.append({record});
  log::info("registry", "compatibility of {} set to {}", subject ? "'" + *subject + "'" : "all",
            avro::compatibility_name(*record.compatibility));
  return json(field_json("compatibility", avro::compatibility_name(*record.compatibility)));
}

Reply RegistryApi::delete_config(const std::optional<std::string>& subject) {
  std::lock_guard writing(store_.writer());
  if (gate_ && !gate_->holds()) return writer_moved();
  store_.catch_up();
  std::optional<avro::Compatibility> old = view(store_, [&](auto& st) {
    return subject ? st.own_compatibility(*subject) : st.compatibility(std::nullopt);
  });
  if (!old) {
    return fail({404, 40408,
                 "Subject '" + *subject +
                     "' does not have subject-level compatibility configured; nothing to "
                     "delete"});
  }
  RegistryRecord record;
  record.type = RegistryRecord::Type::kConfig;
  record.subject = subject.value_or("");
  record.tombstone = true;
  store_.append({record});
  return json(field_json("compatibilityLevel", avro::compatibility_name(*old)));
}

}  // namespace sluice::registry
