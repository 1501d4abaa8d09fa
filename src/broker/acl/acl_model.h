// What an ACL is, in Kafka's own terms and codes: a resource pattern (type,
// name, literal or prefixed), and an access entry (principal, host, operation,
// allow or deny). The numeric values are the ones Kafka puts on the wire
// (CreateAcls, DescribeAcls, DeleteAcls) so the handlers copy them through.
//
// Also the filter those APIs select ACLs with (AclBindingFilter), whose
// matching rules follow Kafka's: ANY matches every value, a null name or
// principal or host matches every one, and the MATCH pattern type selects
// every pattern that would apply to the named resource.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::broker::acl {

enum class ResourceType : int8_t {
  kUnknown = 0,
  kAny = 1,
  kTopic = 2,
  kGroup = 3,
  kCluster = 4,
  kTransactionalId = 5,
};

enum class PatternType : int8_t {
  kUnknown = 0,
  kAny = 1,
  kMatch = 2,
  kLiteral = 3,
  kPrefixed = 4,
};

enum class Operation : int8_t {
  kUnknown = 0,
  kAny = 1,
  kAll = 2,
  kRead = 3,
  kWrite = 4,
  kCreate = 5,
  kDelete = 6,
  kAlter = 7,
  kDescribe = 8,
  kClusterAction = 9,
  kDescribeConfigs = 10,
  kAlterConfigs = 11,
  kIdempotentWrite = 12,
};

enum class Permission : int8_t {
  kUnknown = 0,
  kAny = 1,
  kDeny = 2,
  kAllow = 3,
};

// The one name a CLUSTER resource has (Kafka's "kafka-cluster").
inline constexpr std::string_view kClusterName = "kafka-cluster";
// A literal resource name, principal name or host that matches every one.
inline constexpr std::string_view kWildcard = "*";
inline constexpr std::string_view kWildcardPrincipal = "User:*";

// A concrete thing a request touches.
struct Resource {
  ResourceType type = ResourceType::kUnknown;
  std::string name;

  static Resource topic(std::string name) { return {ResourceType::kTopic, std::move(name)}; }
  static Resource group(std::string name) { return {ResourceType::kGroup, std::move(name)}; }
  static Resource transactional_id(std::string name) {
    return {ResourceType::kTransactionalId, std::move(name)};
  }
  static Resource cluster() { return {ResourceType::kCluster, std::string(kClusterName)}; }
};

// Which resources an ACL applies to.
struct ResourcePattern {
  ResourceType type = ResourceType::kUnknown;
  std::string name;
  PatternType pattern = PatternType::kLiteral;
  auto operator<=>(const ResourcePattern&) const = default;

  // LITERAL: the same name, or any name when the name is "*"; PREFIXED: every
  // name starting with this one.
  bool applies_to(const Resource& r) const;
};

// Who may (or may not) do what from where.
struct AccessEntry {
  std::string principal;  // "User:NAME" or "User:*"
  std::string host = std::string(kWildcard);
  Operation operation = Operation::kUnknown;
  Permission permission = Permission::kUnknown;
  auto operator<=>(const AccessEntry&) const = default;
};

struct AclBinding {
  ResourcePattern pattern;
  AccessEntry entry;
  auto operator<=>(const AclBinding&) const = default;
};

// Selects ACLs for DescribeAcls and DeleteAcls (Kafka's AclBindingFilter).
struct AclFilter {
  ResourceType type = ResourceType::kAny;
  std::optional<std::string> name;  // null: any name
  PatternType pattern = PatternType::kAny;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  Operation operation = Operation::kAny;
  Permission permission = Permission::kAny;

  bool matches(const AclBinding& b) const;
  // Why the filter cannot select anything (an UNKNOWN value), or nullopt.
  std::optional<std::string> invalid_reason() const;
};

// Why `b` cannot be stored (ANY/UNKNOWN values, a malformed principal, a
// cluster resource not named kafka-cluster ...), or nullopt when it can.
std::optional<std::string> invalid_reason(const AclBinding& b);

// Kafka's spellings (TOPIC, PREFIXED, READ, ALLOW); parse_* also accepts
// kafka-acls' mixed case ("Topic", "Read", "TransactionalId") and '-' or '_'.
std::string_view name_of(ResourceType t);
std::string_view name_of(PatternType t);
std::string_view name_of(Operation o);
std::string_view name_of(Permission p);
std::optional<ResourceType> parse_resource_type(std::string_view s);
std::optional<PatternType> parse_pattern_type(std::string_view s);
std::optional<Operation> parse_operation(std::string_view s);
std::optional<Permission> parse_permission(std::string_view s);

// One line for logs and the CLI: `User:alice from * ALLOW READ on TOPIC:LITERAL:orders`.
std::string describe(const AclBinding& b);

}  // namespace sluice::broker::acl
