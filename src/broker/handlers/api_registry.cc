#include <algorithm>

#include "broker/handlers/handlers.h"

namespace sluice::broker::handlers {
namespace {

constexpr int16_t kNone = INT16_MAX;

// Most APIs are served up to their last non-flexible version: librdkafka falls
// back cleanly to these. Flexible versions (KIP-482) are served where a client
// needs what only they carry: ApiVersions v3, SaslAuthenticate v2 and the SCRAM
// credential APIs, and the topic-id versions of Metadata, CreateTopics and
// DeleteTopics (Kafka's own tools and Admin client ask for topic ids).
constexpr ApiSpec kApis[] = {
    {0, "Produce", 8, kNone, &produce},
    {1, "Fetch", 11, kNone, &fetch},
    {2, "ListOffsets", 5, kNone, &list_offsets},
    {3, "Metadata", 12, 9, &metadata},
    {8, "OffsetCommit", 7, kNone, &offset_commit},
    {9, "OffsetFetch", 5, kNone, &offset_fetch},
    {10, "FindCoordinator", 2, kNone, &find_coordinator},
    {11, "JoinGroup", 5, kNone, &join_group},
    {12, "Heartbeat", 3, kNone, &heartbeat},
    {13, "LeaveGroup", 3, kNone, &leave_group},
    {14, "SyncGroup", 3, kNone, &sync_group},
    {15, "DescribeGroups", 4, kNone, &describe_groups},
    {16, "ListGroups", 2, kNone, &list_groups},
    {17, "SaslHandshake", 1, kNone, &sasl_handshake},
    {18, "ApiVersions", 3, 3, &api_versions},
    {19, "CreateTopics", 7, 5, &create_topics},
    {20, "DeleteTopics", 6, 4, &delete_topics},
    {21, "DeleteRecords", 1, kNone, &delete_records},
    {22, "InitProducerId", 1, kNone, &init_producer_id},
    {29, "DescribeAcls", 1, kNone, &describe_acls},
    {30, "CreateAcls", 1, kNone, &create_acls},
    {31, "DeleteAcls", 1, kNone, &delete_acls},
    {32, "DescribeConfigs", 3, kNone, &describe_configs},
    {33, "AlterConfigs", 2, 2, &alter_configs},
    {35, "DescribeLogDirs", 4, 2, &describe_log_dirs},
    {36, "SaslAuthenticate", 2, 2, &sasl_authenticate},
    {37, "CreatePartitions", 1, kNone, &create_partitions},
    {42, "DeleteGroups", 1, kNone, &delete_groups},
    {44, "IncrementalAlterConfigs", 1, 1, &incremental_alter_configs},
    {47, "OffsetDelete", 0, kNone, &offset_delete},
    {48, "DescribeClientQuotas", 0, kNone, &describe_client_quotas},
    {50, "DescribeUserScramCredentials", 0, 0, &describe_user_scram_credentials},
    {51, "AlterUserScramCredentials", 0, 0, &alter_user_scram_credentials},
};

}  // namespace

std::span<const ApiSpec> supported_apis() {
  return kApis;
}

const ApiSpec* find_api(int16_t key) {
  auto it = std::find_if(std::begin(kApis), std::end(kApis),
                         [&](const ApiSpec& a) { return a.key == key; });
  return it == std::end(kApis) ? nullptr : &*it;
}

bool is_flexible(int16_t key, int16_t version) {
  const ApiSpec* api = find_api(key);
  return api && version >= api->first_flexible;
}

}  // namespace sluice::broker::handlers
