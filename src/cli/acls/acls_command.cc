// `sluice acls add|list|delete`: the broker's ACLs, with kafka-acls.sh's flags.
// Online through the admin API (CreateAcls/DescribeAcls/DeleteAcls, so any
// Kafka cluster works), or offline with --data-dir against a stopped built-in
// broker's data dir — how the first rules are written before an authorizer
// that denies everything by default is turned on.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "broker/acl/acl_store.h"
#include "broker/storage/data_dir_lock.h"
#include "cli/acls/acl_request.h"
#include "cli/support/commands.h"
#include "cli/support/kafka_flags.h"
#include "cli/support/table.h"
#include "kafka/admin_client.h"

namespace sluice::cli {
namespace {

namespace acl = broker::acl;

struct AclsFlags {
  KafkaFlags kafka;
  std::string data_dir;  // offline: the stopped broker's data dir
  AclFlags acl;
};

enum class Action { kAdd, kList, kDelete };

void print(const std::vector<acl::AclBinding>& acls) {
  Table t({"RESOURCE-TYPE", "PATTERN", "NAME", "PRINCIPAL", "HOST", "OPERATION", "PERMISSION"});
  for (const auto& b : acls) {
    t.add({std::string(acl::name_of(b.pattern.type)), std::string(acl::name_of(b.pattern.pattern)),
           b.pattern.name, b.entry.principal, b.entry.host,
           std::string(acl::name_of(b.entry.operation)),
           std::string(acl::name_of(b.entry.permission))});
  }
  t.print();
}

// Offline: the store the broker reads at start. Filters apply one by one, so a
// rule matched by two of them is listed once.
int run_offline(Action action, const AclsFlags& f) {
  // A change needs the broker stopped: it holds this lock while it runs, and
  // would neither see an offline change nor keep it. Listing needs no lock.
  std::optional<broker::DataDirLock> lock;
  if (action != Action::kList) lock.emplace(f.data_dir, "sluice acls");
  std::filesystem::create_directories(f.data_dir);
  acl::AclStore store(f.data_dir);
  const auto where = acl::AclStore::file_in(f.data_dir).string();
  if (action == Action::kAdd) {
    auto acls = acls_to_add(f.acl);
    store.add(acls);
    std::printf("added %zu ACL(s) to %s (read when the broker starts)\n", acls.size(),
                where.c_str());
    return 0;
  }
  auto filters = acl_filters(f.acl, action == Action::kDelete);
  if (action == Action::kDelete) {
    std::vector<acl::AclBinding> removed;
    for (auto& one : store.remove(filters)) removed.insert(removed.end(), one.begin(), one.end());
    std::printf("deleted %zu ACL(s) from %s\n", removed.size(), where.c_str());
    if (!removed.empty()) print(removed);
    return 0;
  }
  std::vector<acl::AclBinding> shown;
  for (const auto& b : *store.snapshot()) {
    for (const auto& filter : filters) {
      if (filter.matches(b)) {
        shown.push_back(b);
        break;
      }
    }
  }
  print(shown);
  return 0;
}

int run_online(Action action, const AclsFlags& f) {
  kafka::AdminClient admin(f.kafka.endpoint());
  if (action == Action::kAdd) {
    auto acls = acls_to_add(f.acl);
    std::vector<kafka::AclEntry> entries;
    for (const auto& b : acls) entries.push_back(to_entry(b));
    admin.create_acls(entries);
    std::printf("added %zu ACL(s) at %s\n", acls.size(), f.kafka.bootstrap.c_str());
    return 0;
  }
  std::vector<acl::AclBinding> result;
  for (const auto& filter : acl_filters(f.acl, action == Action::kDelete)) {
    auto entries = action == Action::kDelete ? admin.delete_acls(to_entry_filter(filter))
                                             : admin.describe_acls(to_entry_filter(filter));
    for (const auto& e : entries) {
      acl::AclBinding b = from_entry(e);
      if (std::find(result.begin(), result.end(), b) == result.end()) result.push_back(b);
    }
  }
  std::sort(result.begin(), result.end());
  if (action == Action::kDelete)
    std::printf("deleted %zu ACL(s) at %s\n", result.size(), f.kafka.bootstrap.c_str());
  if (action == Action::kList || !result.empty()) print(result);
  if (action == Action::kList && result.empty()) {
    // librdkafka (through 2.x) drops DescribeAcls' error code, so a refusal
    // reads as an empty list; say so rather than let it pass for "no rules".
    std::fprintf(stderr,
                 "sluice: no ACLs listed; an empty answer also comes from a cluster that refused "
                 "(no DESCRIBE on the cluster) or runs without an authorizer: librdkafka does not "
                 "report which\n");
  }
  return 0;
}

void add_resource_flags(CLI::App* cmd, AclFlags& a) {
  cmd->add_option("--topic", a.topics, "Topic name (or * for every topic)");
  cmd->add_option("--group", a.groups, "Consumer group id (or *)");
  cmd->add_option("--transactional-id", a.transactional_ids, "Transactional id (or *)");
  cmd->add_flag("--cluster", a.cluster, "The cluster resource (kafka-cluster)");
  cmd->add_option("--resource-pattern-type", a.pattern_type,
                  "literal (the name, * for all) or prefixed (names starting with it); list and "
                  "delete also take any and match")
      ->capture_default_str();
  cmd->add_option("--operation", a.operations,
                  "All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, "
                  "DescribeConfigs, AlterConfigs, IdempotentWrite (repeatable)");
}

}  // namespace

std::vector<Run> add_acls_commands(CLI::App& app, std::vector<CLI::App*>& registered) {
  auto f = std::make_shared<AclsFlags>();
  CLI::App* acls = app.add_subcommand(
      "acls", "Access control lists of the broker (kafka-acls.sh's flags), online or offline");
  acls->require_subcommand(1);
  std::vector<Run> runs;
  auto add = [&](const char* name, const char* help, Action action) {
    CLI::App* cmd = acls->add_subcommand(name, help);
    f->kafka.add_to(cmd);
    cmd->add_option("--data-dir", f->data_dir,
                    "Work offline on a STOPPED built-in broker's data dir instead of --bootstrap");
    add_resource_flags(cmd, f->acl);
    registered.push_back(cmd);
    runs.push_back([f, action] {
      return f->data_dir.empty() ? run_online(action, *f) : run_offline(action, *f);
    });
    return cmd;
  };
  CLI::App* a = add("add", "Add ALLOW and DENY rules", Action::kAdd);
  a->add_option("--allow-principal", f->acl.allow_principals, "User:NAME (or User:*) to allow");
  a->add_option("--deny-principal", f->acl.deny_principals, "User:NAME (or User:*) to deny");
  a->add_option("--allow-host", f->acl.allow_hosts, "IP the allowed principals connect from (*)");
  a->add_option("--deny-host", f->acl.deny_hosts, "IP the denied principals connect from (*)");
  for (auto [name, help, action] :
       {std::tuple{"list", "List the rules (every one, or a resource's)", Action::kList},
        std::tuple{"delete", "Delete the rules of a resource (narrowed by the other flags)",
                   Action::kDelete}}) {
    CLI::App* cmd = add(name, help, action);
    cmd->add_option("--principal", f->acl.principals, "Only rules for this principal");
    cmd->add_option("--host", f->acl.hosts, "Only rules for this host");
  }
  return runs;
}

}  // namespace sluice::cli
