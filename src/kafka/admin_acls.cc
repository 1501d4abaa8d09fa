// AdminClient: creating, listing and deleting ACLs through librdkafka's admin
// API, which speaks CreateAcls/DescribeAcls/DeleteAcls to any Kafka cluster.
#include <memory>

#include "kafka/admin_client.h"
#include "kafka/connection.h"
#include "kafka/handles.h"
#include "kafka/rd_errors.h"

namespace sluice::kafka {
namespace {

using Binding = std::unique_ptr<rd_kafka_AclBinding_t, void (*)(rd_kafka_AclBinding_t*)>;

const char* or_null(const std::optional<std::string>& s) {
  return s ? s->c_str() : nullptr;
}

Binding check(rd_kafka_AclBinding_t* made, const char* err) {
  if (!made) throw KafkaError(std::string("invalid ACL: ") + err);
  return Binding(made, &rd_kafka_AclBinding_destroy);
}

Binding to_binding(const AclEntry& a) {
  char err[512] = "";
  return check(
      rd_kafka_AclBinding_new(rd_kafka_ResourceType_t(a.resource_type), a.resource_name.c_str(),
                              rd_kafka_ResourcePatternType_t(a.pattern_type), a.principal.c_str(),
                              a.host.c_str(), rd_kafka_AclOperation_t(a.operation),
                              rd_kafka_AclPermissionType_t(a.permission), err, sizeof err),
      err);
}

Binding to_filter(const AclEntryFilter& f) {
  char err[512] = "";
  return check(rd_kafka_AclBindingFilter_new(
                   rd_kafka_ResourceType_t(f.resource_type), or_null(f.resource_name),
                   rd_kafka_ResourcePatternType_t(f.pattern_type), or_null(f.principal),
                   or_null(f.host), rd_kafka_AclOperation_t(f.operation),
                   rd_kafka_AclPermissionType_t(f.permission), err, sizeof err),
               err);
}

AclEntry from_binding(const rd_kafka_AclBinding_t* b) {
  return {int8_t(rd_kafka_AclBinding_restype(b)),
          rd_kafka_AclBinding_name(b),
          int8_t(rd_kafka_AclBinding_resource_pattern_type(b)),
          rd_kafka_AclBinding_principal(b),
          rd_kafka_AclBinding_host(b),
          int8_t(rd_kafka_AclBinding_operation(b)),
          int8_t(rd_kafka_AclBinding_permission_type(b))};
}

}  // namespace

void AdminClient::create_acls(const std::vector<AclEntry>& acls) {
  std::vector<Binding> owned;
  std::vector<rd_kafka_AclBinding_t*> raw;
  for (const auto& a : acls) {
    owned.push_back(to_binding(a));
    raw.push_back(owned.back().get());
  }
  auto ev = run("creating ACLs", [&](auto* options, auto* queue) {
    rd_kafka_CreateAcls(conn_->get(), raw.data(), raw.size(), options, queue);
  });
  size_t n = 0;
  const rd_kafka_acl_result_t** results =
      rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    throw_if(rd_kafka_acl_result_error(results[i]),
             "creating ACL for " + acls[i].principal + " on " + acls[i].resource_name);
  }
}

std::vector<AclEntry> AdminClient::describe_acls(const AclEntryFilter& filter) {
  Binding f = to_filter(filter);
  auto ev = run("listing ACLs", [&](auto* options, auto* queue) {
    rd_kafka_DescribeAcls(conn_->get(), f.get(), options, queue);
  });
  size_t n = 0;
  const rd_kafka_AclBinding_t** acls =
      rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev.get()), &n);
  std::vector<AclEntry> out;
  for (size_t i = 0; i < n; ++i) out.push_back(from_binding(acls[i]));
  return out;
}

std::vector<AclEntry> AdminClient::delete_acls(const AclEntryFilter& filter) {
  Binding f = to_filter(filter);
  rd_kafka_AclBindingFilter_t* raw = f.get();
  auto ev = run("deleting ACLs", [&](auto* options, auto* queue) {
    rd_kafka_DeleteAcls(conn_->get(), &raw, 1, options, queue);
  });
  size_t n = 0;
  const rd_kafka_DeleteAcls_result_response_t** responses =
      rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev.get()), &n);
  std::vector<AclEntry> out;
  for (size_t i = 0; i < n; ++i) {
    throw_if(rd_kafka_DeleteAcls_result_response_error(responses[i]), "deleting ACLs");
    size_t m = 0;
    const rd_kafka_AclBinding_t** matched =
        rd_kafka_DeleteAcls_result_response_matching_acls(responses[i], &m);
    for (size_t j = 0; j < m; ++j) out.push_back(from_binding(matched[j]));
  }
  return out;
}

}  // namespace sluice::kafka
