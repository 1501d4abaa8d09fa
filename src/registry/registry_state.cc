#include "registry/registry_state.h"

namespace sluice::registry {
namespace {

RegistryError error(int status, int code, std::string message) {
  return {status, code, std::move(message)};
}

RegistryError subject_not_found(const std::string& s) {
  return error(404, 40401, "Subject '" + s + "' not found.");
}

RegistryError version_not_found(const std::string& s, int v) {
  return error(404, 40402, "Version " + std::to_string(v) + " not found for subject '" + s + "'.");
}

// The schema parsed, or Confluent's 42201 with the parser's reason.
std::variant<avro::Schema, RegistryError> parse_schema(const std::string& text) {
  try {
    return avro::Schema::parse(text);
  } catch (const avro::SchemaError& e) {
    return error(422, 42201, std::string("Invalid schema: ") + e.what());
  }
}

std::string canonical(const std::string& text) {
  try {
    return avro::Schema::parse(text).canonical_form();
  } catch (const avro::SchemaError&) {
    return text;  // a record another registry wrote; kept as it is
  }
}

}  // namespace

void RegistryState::apply(const RegistryRecord& r) {
  using T = RegistryRecord::Type;
  if (r.type == T::kSchema) {
    if (r.tombstone) {
      auto it = subjects_.find(r.subject);
      if (it == subjects_.end()) return;
      it->second.versions.erase(r.version);
      if (it->second.versions.empty()) subjects_.erase(it);
      return;
    }
    subjects_[r.subject].versions[r.version] = {r.subject, r.version, r.id, r.schema, r.deleted};
    schemas_by_id_.try_emplace(r.id, r.schema);
    ids_by_canonical_.try_emplace(canonical(r.schema), r.id);
    max_id_ = std::max(max_id_, r.id);
  } else if (r.type == T::kConfig) {
    if (r.subject.empty()) {
      global_ = r.tombstone ? avro::Compatibility::kBackward : *r.compatibility;
    } else if (r.tombstone) {
      configs_.erase(r.subject);
    } else {
      configs_[r.subject] = *r.compatibility;
    }
  } else if (r.type == T::kDeleteSubject && !r.tombstone) {
    auto it = subjects_.find(r.subject);
    if (it == subjects_.end()) return;
    for (auto& [v, sv] : it->second.versions)
      if (v <= r.version) sv.deleted = true;
  }
}

const RegistryState::Subject* RegistryState::live_subject(const std::string& subject) const {
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) return nullptr;
  for (const auto& [v, sv] : it->second.versions)
    if (!sv.deleted) return &it->second;
  return nullptr;
}

std::variant<std::vector<const SchemaVersion*>, RegistryError> RegistryState::live_versions(
    const std::string& subject) const {
  const Subject* s = live_subject(subject);
  if (!s) return subject_not_found(subject);
  std::vector<const SchemaVersion*> out;
  for (const auto& [v, sv] : s->versions)
    if (!sv.deleted) out.push_back(&sv);
  return out;
}

std::variant<int, RegistryRecord, RegistryError> RegistryState::register_schema(
    const std::string& subject, const std::string& schema) const {
  auto parsed = parse_schema(schema);
  if (auto* e = std::get_if<RegistryError>(&parsed)) return *e;
  const avro::Schema& candidate = std::get<avro::Schema>(parsed);
  const std::string form = candidate.canonical_form();
  std::vector<avro::Schema> live;
  int next_version = 1;
  if (auto it = subjects_.find(subject); it != subjects_.end()) {
    for (const auto& [v, sv] : it->second.versions) {
      next_version = v + 1;
      if (sv.deleted) continue;
      if (canonical(sv.schema) == form) return sv.id;  // already registered
      live.push_back(avro::Schema::parse(sv.schema));
    }
  }
  std::vector<const avro::Schema*> existing;
  for (const auto& s : live) existing.push_back(&s);
  const avro::Compatibility level = compatibility(subject);
  auto reasons = avro::check_compatibility(level, candidate, existing);
  if (!reasons.empty()) {
    std::string message =
        "Schema being registered is incompatible with an earlier schema for "
        "subject \"" +
        subject + "\" (" + avro::compatibility_name(level) + "): ";
    for (size_t i = 0; i < reasons.size(); ++i) message += (i ? "; " : "") + reasons[i];
    return error(409, 409, message);
  }
  RegistryRecord r;
  r.type = RegistryRecord::Type::kSchema;
  r.subject = subject;
  r.version = next_version;
  auto known = ids_by_canonical_.find(form);
  r.id = known != ids_by_canonical_.end() ? known->second : max_id_ + 1;
  r.schema = schema;
  return r;
}

std::variant<SchemaVersion, RegistryError> RegistryState::lookup(const std::string& subject,
                                                                 const std::string& schema) const {
  auto parsed = parse_schema(schema);
  if (auto* e = std::get_if<RegistryError>(&parsed)) return *e;
  const std::string form = std::get<avro::Schema>(parsed).canonical_form();
  auto live = live_versions(subject);
  if (auto* e = std::get_if<RegistryError>(&live)) return *e;
  for (const SchemaVersion* sv : std::get<0>(live))
    if (canonical(sv->schema) == form) return *sv;
  return error(404, 40403, "Schema not found");
}

std::vector<std::string> RegistryState::subjects(bool include_deleted) const {
  std::vector<std::string> out;
  for (const auto& [name, s] : subjects_)
    if (include_deleted || live_subject(name)) out.push_back(name);
  return out;
}

std::variant<std::vector<int>, RegistryError> RegistryState::versions(const std::string& subject,
                                                                      bool include_deleted) const {
  auto it = subjects_.find(subject);
  if (it == subjects_.end() || (!include_deleted && !live_subject(subject)))
    return subject_not_found(subject);
  std::vector<int> out;
  for (const auto& [v, sv] : it->second.versions)
    if (include_deleted || !sv.deleted) out.push_back(v);
  return out;
}

std::variant<SchemaVersion, RegistryError> RegistryState::version(const std::string& subject,
                                                                  int version,
                                                                  bool include_deleted) const {
  auto it = subjects_.find(subject);
  if (it == subjects_.end() || (!include_deleted && !live_subject(subject)))
    return subject_not_found(subject);
  const auto& vs = it->second.versions;
  if (version == -1) {
    for (auto v = vs.rbegin(); v != vs.rend(); ++v)
      if (include_deleted || !v->second.deleted) return v->second;
    return subject_not_found(subject);
  }
  if (version <= 0)
    return error(422, 42202,
                 "The specified version '" + std::to_string(version) +
                     "' is not a valid version id. Allowed values are "
                     "between [1, 2^31-1] and the string \"latest\"");
  auto v = vs.find(version);
  if (v == vs.end() || (v->second.deleted && !include_deleted))
    return version_not_found(subject, version);
  return v->second;
}

std::variant<SchemaVersion, RegistryError> RegistryState::schema_by_id(int id) const {
  auto it = schemas_by_id_.find(id);
  if (it == schemas_by_id_.end())
    return error(404, 40403, "Schema " + std::to_string(id) + " not found");
  SchemaVersion sv;
  sv.id = id;
  sv.schema = it->second;
  return sv;
}

std::vector<std::pair<std::string, int>> RegistryState::usages(int id) const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& [name, s] : subjects_)
    for (const auto& [v, sv] : s.versions)
      if (sv.id == id && !sv.deleted) out.emplace_back(name, v);
  return out;
}

std::variant<std::pair<std::vector<RegistryRecord>, std::vector<int>>, RegistryError>
RegistryState::delete_versions(const std::string& subject, std::optional<int> version,
                               bool permanent) const {
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) return subject_not_found(subject);
  std::vector<const SchemaVersion*> targets;
  if (version) {
    auto found = this->version(subject, *version, /*include_deleted=*/true);
    if (auto* e = std::get_if<RegistryError>(&found)) return *e;
    targets.push_back(&it->second.versions.at(std::get<SchemaVersion>(found).version));
  } else {
    for (const auto& [v, sv] : it->second.versions) targets.push_back(&sv);
  }
  std::vector<RegistryRecord> records;
  std::vector<int> deleted;
  for (const SchemaVersion* sv : targets) {
    if (!permanent && sv->deleted) {
      if (version)
        return error(404, 40406,
                     "Version " + std::to_string(sv->version) + " of subject '" + subject +
                         "' was soft deleted. Set permanent=true to delete "
                         "permanently");
      continue;
    }
    if (permanent && !sv->deleted)
      return version ? error(404, 40407,
                             "Version " + std::to_string(sv->version) + " of subject '" + subject +
                                 "' was not deleted first before being permanently "
                                 "deleted")
                     : error(404, 40405,
                             "Subject '" + subject +
                                 "' was not deleted first before being permanently "
                                 "deleted");
    RegistryRecord r;
    r.type = RegistryRecord::Type::kSchema;
    r.subject = subject;
    r.version = sv->version;
    r.id = sv->id;
    r.schema = sv->schema;
    r.deleted = true;
    r.tombstone = permanent;
    records.push_back(std::move(r));
    deleted.push_back(sv->version);
  }
  if (deleted.empty())
    return error(
        404, 40404,
        "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently");
  return std::pair{std::move(records), std::move(deleted)};
}

avro::Compatibility RegistryState::compatibility(const std::optional<std::string>& subject) const {
  if (subject) {
    if (auto own = own_compatibility(*subject)) return *own;
  }
  return global_;
}

std::optional<avro::Compatibility> RegistryState::own_compatibility(
    const std::string& subject) const {
  auto it = configs_.find(subject);
  if (it == configs_.end()) return std::nullopt;
  return it->second;
}

std::variant<std::vector<std::string>, RegistryError> RegistryState::check(
    const std::string& subject, int version, const std::string& schema) const {
  auto parsed = parse_schema(schema);
  if (auto* e = std::get_if<RegistryError>(&parsed)) return *e;
  auto target = this->version(subject, version);
  if (auto* e = std::get_if<RegistryError>(&target)) return *e;
  const int upto = std::get<SchemaVersion>(target).version;
  const avro::Compatibility level = compatibility(subject);
  const bool transitive = level == avro::Compatibility::kBackwardTransitive ||
                          level == avro::Compatibility::kForwardTransitive ||
                          level == avro::Compatibility::kFullTransitive;
  std::vector<avro::Schema> against;
  const auto live = live_versions(subject);  // kept: the loop below walks into it
  for (const SchemaVersion* sv : std::get<0>(live))
    if (sv->version == upto || (transitive && sv->version < upto))
      against.push_back(avro::Schema::parse(sv->schema));
  std::vector<const avro::Schema*> existing;
  for (const auto& s : against) existing.push_back(&s);
  return avro::check_compatibility(level, std::get<avro::Schema>(parsed), existing);
}

}  // namespace sluice::registry
