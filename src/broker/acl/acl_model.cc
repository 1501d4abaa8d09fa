#include "broker/acl/acl_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace sluice::broker::acl {
namespace {

template <typename E, size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<ResourceType, 6> kResourceTypes{
    {{ResourceType::kUnknown, "UNKNOWN"},
     {ResourceType::kAny, "ANY"},
     {ResourceType::kTopic, "TOPIC"},
     {ResourceType::kGroup, "GROUP"},
     {ResourceType::kCluster, "CLUSTER"},
     {ResourceType::kTransactionalId, "TRANSACTIONAL_ID"}}};
constexpr Names<PatternType, 5> kPatternTypes{{{PatternType::kUnknown, "UNKNOWN"},
                                               {PatternType::kAny, "ANY"},
                                               {PatternType::kMatch, "MATCH"},
                                               {PatternType::kLiteral, "LITERAL"},
                                               {PatternType::kPrefixed, "PREFIXED"}}};
constexpr Names<Operation, 13> kOperations{{{Operation::kUnknown, "UNKNOWN"},
                                            {Operation::kAny, "ANY"},
                                            {Operation::kAll, "ALL"},
                                            {Operation::kRead, "READ"},
                                            {Operation::kWrite, "WRITE"},
                                            {Operation::kCreate, "CREATE"},
                                            {Operation::kDelete, "DELETE"},
                                            {Operation::kAlter, "ALTER"},
                                            {Operation::kDescribe, "DESCRIBE"},
                                            {Operation::kClusterAction, "CLUSTER_ACTION"},
                                            {Operation::kDescribeConfigs, "DESCRIBE_CONFIGS"},
                                            {Operation::kAlterConfigs, "ALTER_CONFIGS"},
                                            {Operation::kIdempotentWrite, "IDEMPOTENT_WRITE"}}};
constexpr Names<Permission, 4> kPermissions{{{Permission::kUnknown, "UNKNOWN"},
                                             {Permission::kAny, "ANY"},
                                             {Permission::kDeny, "DENY"},
                                             {Permission::kAllow, "ALLOW"}}};

template <typename E, size_t N>
std::string_view lookup_name(const Names<E, N>& names, E value) {
  for (const auto& [v, n] : names) {
    if (v == value) return n;
  }
  return "UNKNOWN";
}

// "TransactionalId", "transactional-id" and "TRANSACTIONAL_ID" all become
// "TRANSACTIONALID" so kafka-acls' spellings and Kafka's enum names both parse.
std::string squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_' && c != '-') out += char(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

template <typename E, size_t N>
std::optional<E> lookup_value(const Names<E, N>& names, std::string_view s) {
  const std::string wanted = squash(s);
  for (const auto& [v, n] : names) {
    if (squash(n) == wanted && v != E::kUnknown) return v;
  }
  return std::nullopt;
}

// Kafka's codes past the ones this broker knows (DELEGATION_TOKEN 6 and USER 7,
// CREATE_TOKENS 13 and DESCRIBE_TOKENS 14: delegation tokens, not served) name
// nothing a request here can touch, and could not be written to the ACL file.
bool is_concrete(ResourceType t) {
  return t >= ResourceType::kTopic && t <= ResourceType::kTransactionalId;
}
bool is_concrete(Operation o) {
  return o >= Operation::kAll && o <= Operation::kIdempotentWrite;
}

// Kafka's principals are "Type:Name" with a non-empty type and name.
bool is_principal(std::string_view p) {
  size_t colon = p.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < p.size();
}

}  // namespace

bool ResourcePattern::applies_to(const Resource& r) const {
  if (type != r.type) return false;
  switch (pattern) {
    case PatternType::kLiteral:
      return name == r.name || name == kWildcard;
    case PatternType::kPrefixed:
      return r.name.starts_with(name);
    default:
      return false;
  }
}

bool AclFilter::matches(const AclBinding& b) const {
  const ResourcePattern& p = b.pattern;
  if (type != ResourceType::kAny && type != p.type) return false;
  if (pattern != PatternType::kAny && pattern != PatternType::kMatch && pattern != p.pattern)
    return false;
  if (name) {
    if (pattern == PatternType::kMatch) {
      if (!p.applies_to({p.type, *name})) return false;
    } else if (*name != p.name) {
      return false;
    }
  }
  const AccessEntry& e = b.entry;
  if (principal && *principal != e.principal) return false;
  if (host && *host != e.host) return false;
  if (operation != Operation::kAny && operation != e.operation) return false;
  return permission == Permission::kAny || permission == e.permission;
}

std::optional<std::string> AclFilter::invalid_reason() const {
  if (type == ResourceType::kUnknown) return "the resource type is UNKNOWN";
  if (pattern == PatternType::kUnknown) return "the pattern type is UNKNOWN";
  if (operation == Operation::kUnknown) return "the operation is UNKNOWN";
  if (permission == Permission::kUnknown) return "the permission type is UNKNOWN";
  return std::nullopt;
}

std::optional<std::string> invalid_reason(const AclBinding& b) {
  const ResourcePattern& p = b.pattern;
  const AccessEntry& e = b.entry;
  if (!is_concrete(p.type))
    return "the resource type must be TOPIC, GROUP, CLUSTER or TRANSACTIONAL_ID";
  if (p.pattern != PatternType::kLiteral && p.pattern != PatternType::kPrefixed)
    return "the pattern type must be LITERAL or PREFIXED";
  if (p.name.empty()) return "the resource name is empty";
  if (p.type == ResourceType::kCluster && p.name != kClusterName)
    return fmt::format("the only valid name for the CLUSTER resource is {}", kClusterName);
  if (!is_concrete(e.operation))
    return "the operation must be a concrete one this broker knows (READ, WRITE, CREATE, DELETE, "
           "ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE "
           "or ALL)";
  if (e.permission != Permission::kAllow && e.permission != Permission::kDeny)
    return "the permission type must be ALLOW or DENY";
  if (!is_principal(e.principal))
    return fmt::format("the principal '{}' is not of the form User:NAME", e.principal);
  if (e.host.empty()) return "the host is empty (use * for every host)";
  return std::nullopt;
}

std::string_view name_of(ResourceType t) {
  return lookup_name(kResourceTypes, t);
}
std::string_view name_of(PatternType t) {
  return lookup_name(kPatternTypes, t);
}
std::string_view name_of(Operation o) {
  return lookup_name(kOperations, o);
}
std::string_view name_of(Permission p) {
  return lookup_name(kPermissions, p);
}
std::optional<ResourceType> parse_resource_type(std::string_view s) {
  return lookup_value(kResourceTypes, s);
}
std::optional<PatternType> parse_pattern_type(std::string_view s) {
  return lookup_value(kPatternTypes, s);
}
std::optional<Operation> parse_operation(std::string_view s) {
  return lookup_value(kOperations, s);
}
std::optional<Permission> parse_permission(std::string_view s) {
  return lookup_value(kPermissions, s);
}

std::string describe(const AclBinding& b) {
  return fmt::format("{} from {} {} {} on {}:{}:{}", b.entry.principal, b.entry.host,
                     name_of(b.entry.permission), name_of(b.entry.operation),
                     name_of(b.pattern.type), name_of(b.pattern.pattern), b.pattern.name);
}

}  // namespace sluice::broker::acl
