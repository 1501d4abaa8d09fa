#include <algorithm>

#include "broker/handlers/handlers.h"

namespace sluice::broker::handlers {
namespace {

constexpr int16_t kNone = INT16_MAX;

// Each API up to its max version; first_flexible is Kafka's first flexible
// version (KIP-482: compact strings and arrays, tagged fields), kNone when no
// served version is. Clients pick the highest version both sides speak, so the
// flexible versions are the ones Kafka 4.x clients use. Every API but the
// consumer-group ones is served up to the highest stable version of Kafka
// 4.4's message definitions: Produce v9-v13 (v13 names topics by id), Fetch
// v12-v18 (v13+ by id), ListOffsets v6-v11, Metadata v9-v13 (topic ids from
// v10), FindCoordinator v3-v6, InitProducerId v2-v5 (v6 is unstable in Kafka),
// ApiVersions v3-v5, CreateTopics v5-v7, DeleteTopics v4-v6, DeleteRecords v2,
// the ACL APIs v2-v3, DescribeConfigs v4, AlterConfigs v2,
// IncrementalAlterConfigs v1, DescribeLogDirs v2-v5, CreatePartitions v2-v3,
// DescribeClientQuotas v1, SaslAuthenticate v2, DescribeCluster and the SCRAM
// credential APIs (flexible from v0); SaslHandshake v1 and OffsetDelete v0 have
// no flexible version. The consumer-group APIs: JoinGroup v6-v9, SyncGroup
// v4-v5, Heartbeat v4, LeaveGroup v4-v5, DescribeGroups v5, ListGroups v3-v5,
// DeleteGroups v2, OffsetCommit v8-v10 and OffsetFetch v6-v10 (v9: KIP-848 member
// epochs; v10: topic ids), and KIP-848's ConsumerGroupHeartbeat v0-v1 and ConsumerGroupDescribe
// v0-v1. The transaction APIs: AddPartitionsToTxn v3 (v4+ is
// the brokers' batched form), AddOffsetsToTxn, EndTxn and TxnOffsetCommit v3-v4,
// DescribeTransactions v0, ListTransactions v0-v1; EndTxn v5 and the
// transaction.version feature (KIP-890 transactions v2) are not advertised.
constexpr ApiSpec kApis[] = {
    {0, "Produce", 13, 9, &produce},
    {1, "Fetch", 18, 12, &fetch},
    {2, "ListOffsets", 11, 6, &list_offsets},
    {3, "Metadata", 13, 9, &metadata},
    {8, "OffsetCommit", 10, 8, &offset_commit},
    {9, "OffsetFetch", 10, 6, &offset_fetch},
    {10, "FindCoordinator", 6, 3, &find_coordinator},
    {11, "JoinGroup", 9, 6, &join_group},
    {12, "Heartbeat", 4, 4, &heartbeat},
    {13, "LeaveGroup", 5, 4, &leave_group},
    {14, "SyncGroup", 5, 4, &sync_group},
    {15, "DescribeGroups", 5, 5, &describe_groups},
    {16, "ListGroups", 5, 3, &list_groups},
    {17, "SaslHandshake", 1, kNone, &sasl_handshake},
    {18, "ApiVersions", 5, 3, &api_versions},
    {19, "CreateTopics", 7, 5, &create_topics},
    {20, "DeleteTopics", 6, 4, &delete_topics},
    {21, "DeleteRecords", 2, 2, &delete_records},
    {22, "InitProducerId", 5, 2, &init_producer_id},
    {24, "AddPartitionsToTxn", 3, 3, &add_partitions_to_txn},
    {25, "AddOffsetsToTxn", 4, 3, &add_offsets_to_txn},
    {26, "EndTxn", 4, 3, &end_txn},
    {28, "TxnOffsetCommit", 4, 3, &txn_offset_commit},
    {29, "DescribeAcls", 3, 2, &describe_acls},
    {30, "CreateAcls", 3, 2, &create_acls},
    {31, "DeleteAcls", 3, 2, &delete_acls},
    {32, "DescribeConfigs", 4, 4, &describe_configs},
    {33, "AlterConfigs", 2, 2, &alter_configs},
    {35, "DescribeLogDirs", 5, 2, &describe_log_dirs},
    {36, "SaslAuthenticate", 2, 2, &sasl_authenticate},
    {37, "CreatePartitions", 3, 2, &create_partitions},
    {42, "DeleteGroups", 2, 2, &delete_groups},
    {44, "IncrementalAlterConfigs", 1, 1, &incremental_alter_configs},
    {47, "OffsetDelete", 0, kNone, &offset_delete},
    {48, "DescribeClientQuotas", 1, 1, &describe_client_quotas},
    {50, "DescribeUserScramCredentials", 0, 0, &describe_user_scram_credentials},
    {51, "AlterUserScramCredentials", 0, 0, &alter_user_scram_credentials},
    {60, "DescribeCluster", 2, 0, &describe_cluster},
    {65, "DescribeTransactions", 0, 0, &describe_transactions},
    {66, "ListTransactions", 1, 0, &list_transactions},
    {68, "ConsumerGroupHeartbeat", 1, 0, &consumer_group_heartbeat},
    {69, "ConsumerGroupDescribe", 1, 0, &consumer_group_describe},
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
