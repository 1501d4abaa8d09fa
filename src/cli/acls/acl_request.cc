#include "cli/acls/acl_request.h"

#include <fmt/format.h>

#include <stdexcept>

namespace sluice::cli {
namespace {

namespace acl = broker::acl;

struct NamedResource {
  acl::ResourceType type;
  std::string name;
};

std::vector<NamedResource> resources(const AclFlags& f) {
  std::vector<NamedResource> out;
  for (const auto& t : f.topics) out.push_back({acl::ResourceType::kTopic, t});
  for (const auto& g : f.groups) out.push_back({acl::ResourceType::kGroup, g});
  for (const auto& t : f.transactional_ids) out.push_back({acl::ResourceType::kTransactionalId, t});
  if (f.cluster) out.push_back({acl::ResourceType::kCluster, std::string(acl::kClusterName)});
  return out;
}

acl::PatternType pattern_type(const AclFlags& f, bool for_filter) {
  auto p = acl::parse_pattern_type(f.pattern_type);
  bool concrete = p == acl::PatternType::kLiteral || p == acl::PatternType::kPrefixed;
  if (!p || (!for_filter && !concrete)) {
    throw std::invalid_argument(
        fmt::format("--resource-pattern-type '{}' must be literal or prefixed{}", f.pattern_type,
                    for_filter ? " (or any, match)" : ""));
  }
  return *p;
}

std::vector<acl::Operation> operations(const AclFlags& f) {
  std::vector<acl::Operation> out;
  for (const auto& s : f.operations) {
    auto op = acl::parse_operation(s);
    if (!op || op == acl::Operation::kAny) {
      throw std::invalid_argument(fmt::format(
          "--operation '{}' is not one of All, Read, Write, Create, Delete, Alter, Describe, "
          "ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite",
          s));
    }
    out.push_back(*op);
  }
  return out;
}

template <typename T>
std::vector<T> or_default(const std::vector<T>& v, T fallback) {
  return v.empty() ? std::vector<T>{fallback} : v;
}

}  // namespace

std::vector<acl::AclBinding> acls_to_add(const AclFlags& f) {
  auto res = resources(f);
  if (res.empty())
    throw std::invalid_argument(
        "name a resource: --topic, --group, --transactional-id or --cluster");
  if (f.allow_principals.empty() && f.deny_principals.empty())
    throw std::invalid_argument(
        "name who: --allow-principal User:NAME or --deny-principal User:NAME");
  const acl::PatternType pattern = pattern_type(f, false);
  const auto ops = or_default(operations(f), acl::Operation::kAll);
  std::vector<acl::AclBinding> out;
  auto expand = [&](const std::vector<std::string>& principals,
                    const std::vector<std::string>& hosts, acl::Permission permission) {
    for (const auto& r : res)
      for (const auto& p : principals)
        for (const auto& h : or_default(hosts, std::string(acl::kWildcard)))
          for (acl::Operation op : ops)
            out.push_back({{r.type, r.name, pattern}, {p, h, op, permission}});
  };
  expand(f.allow_principals, f.allow_hosts, acl::Permission::kAllow);
  expand(f.deny_principals, f.deny_hosts, acl::Permission::kDeny);
  for (const auto& b : out) {
    if (auto why = acl::invalid_reason(b))
      throw std::invalid_argument(fmt::format("cannot add {}: {}", acl::describe(b), *why));
  }
  return out;
}

std::vector<acl::AclFilter> acl_filters(const AclFlags& f, bool require_resource) {
  auto res = resources(f);
  if (res.empty() && require_resource)
    throw std::invalid_argument(
        "name the resource whose ACLs to delete: --topic, --group, --transactional-id or "
        "--cluster");
  // Without a resource the filter selects every resource (any type, any name, any pattern).
  std::vector<std::pair<acl::ResourceType, std::optional<std::string>>> selectors;
  for (const auto& r : res) selectors.push_back({r.type, r.name});
  if (selectors.empty()) selectors.push_back({acl::ResourceType::kAny, std::nullopt});
  const acl::PatternType pattern = res.empty() ? acl::PatternType::kAny : pattern_type(f, true);
  std::vector<std::optional<std::string>> principals, hosts;
  for (const auto& p : f.principals) principals.push_back(p);
  for (const auto& p : f.allow_principals) principals.push_back(p);
  for (const auto& p : f.deny_principals) principals.push_back(p);
  for (const auto& h : f.hosts) hosts.push_back(h);
  auto ops = operations(f);
  std::vector<acl::AclFilter> out;
  for (const auto& [type, name] : selectors)
    for (const auto& p : or_default(principals, std::optional<std::string>()))
      for (const auto& h : or_default(hosts, std::optional<std::string>()))
        for (acl::Operation op : or_default(ops, acl::Operation::kAny))
          out.push_back({type, name, pattern, p, h, op, acl::Permission::kAny});
  return out;
}

kafka::AclEntry to_entry(const acl::AclBinding& b) {
  return {int8_t(b.pattern.type),    b.pattern.name, int8_t(b.pattern.pattern),
          b.entry.principal,         b.entry.host,   int8_t(b.entry.operation),
          int8_t(b.entry.permission)};
}

kafka::AclEntryFilter to_entry_filter(const acl::AclFilter& f) {
  return {int8_t(f.type),      f.name, int8_t(f.pattern), f.principal, f.host, int8_t(f.operation),
          int8_t(f.permission)};
}

acl::AclBinding from_entry(const kafka::AclEntry& e) {
  return {{acl::ResourceType(e.resource_type), e.resource_name, acl::PatternType(e.pattern_type)},
          {e.principal, e.host, acl::Operation(e.operation), acl::Permission(e.permission)}};
}

}  // namespace sluice::cli
