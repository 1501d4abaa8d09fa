// AdminClient: listing and describing consumer groups, reading and committing
// their offsets.
#include "kafka/admin_client.h"
#include "kafka/connection.h"
#include "kafka/handles.h"
#include "kafka/rd_errors.h"

namespace sluice::kafka {
namespace {

std::string state_name(rd_kafka_consumer_group_state_t state) {
  return rd_kafka_consumer_group_state_name(state);
}

// ListConsumerGroupOffsets and AlterConsumerGroupOffsets answer per group, then per partition.
const rd_kafka_topic_partition_list_t* group_partitions(const rd_kafka_group_result_t* result,
                                                        const std::string& what) {
  throw_if(rd_kafka_group_result_error(result), what);
  const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(result);
  throw_if_any_partition_failed(parts, what);
  return parts;
}

}  // namespace

std::vector<GroupListing> AdminClient::list_groups() {
  auto ev = run("listing consumer groups", [&](auto* options, auto* queue) {
    rd_kafka_ListConsumerGroups(conn_->get(), options, queue);
  });
  const auto* result = rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t n_errors = 0;
  const rd_kafka_error_t** errors = rd_kafka_ListConsumerGroups_result_errors(result, &n_errors);
  if (n_errors > 0) throw_if(errors[0], "listing consumer groups (some brokers did not answer)");
  size_t n = 0;
  const rd_kafka_ConsumerGroupListing_t** groups =
      rd_kafka_ListConsumerGroups_result_valid(result, &n);
  std::vector<GroupListing> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back({rd_kafka_ConsumerGroupListing_group_id(groups[i]),
                   state_name(rd_kafka_ConsumerGroupListing_state(groups[i])),
                   rd_kafka_ConsumerGroupListing_is_simple_consumer_group(groups[i]) != 0});
  }
  return out;
}

GroupDescription AdminClient::describe_group(const std::string& group) {
  const char* id = group.c_str();
  auto ev = run("describing consumer group '" + group + "'", [&](auto* options, auto* queue) {
    rd_kafka_DescribeConsumerGroups(conn_->get(), &id, 1, options, queue);
  });
  size_t n = 0;
  const auto** groups = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
  GroupDescription out{group, "Dead", {}};
  if (n == 0) return out;
  throw_if(rd_kafka_ConsumerGroupDescription_error(groups[0]),
           "describing consumer group '" + group + "'");
  out.state = state_name(rd_kafka_ConsumerGroupDescription_state(groups[0]));
  for (size_t m = 0; m < rd_kafka_ConsumerGroupDescription_member_count(groups[0]); ++m) {
    const rd_kafka_MemberDescription_t* md = rd_kafka_ConsumerGroupDescription_member(groups[0], m);
    GroupMember member{rd_kafka_MemberDescription_consumer_id(md),
                       rd_kafka_MemberDescription_client_id(md),
                       rd_kafka_MemberDescription_host(md),
                       {}};
    const auto* parts =
        rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
    for (int i = 0; parts && i < parts->cnt; ++i) {
      member.assignment.emplace_back(parts->elems[i].topic, parts->elems[i].partition);
    }
    out.members.push_back(std::move(member));
  }
  return out;
}

std::map<TopicPartition, int64_t> AdminClient::committed_offsets(
    const std::string& group, const std::optional<std::string>& topic) {
  // Every partition is named explicitly: librdkafka 2.0 has no working "all
  // partitions" form (it sends an empty topic list, which brokers answer with nothing).
  PartitionList asked = new_partition_list(0);
  for (const auto& t : cluster().topics) {
    if (topic && t.name != *topic) continue;
    for (const auto& p : t.partitions)
      rd_kafka_topic_partition_list_add(asked.get(), t.name.c_str(), p.id);
  }
  if (asked->cnt == 0) return {};
  ListOffsetsRequest request(rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), asked.get()));
  rd_kafka_ListConsumerGroupOffsets_t* raw = request.get();
  const std::string what = "reading the committed offsets of group '" + group + "'";
  auto ev = run(what, [&](auto* options, auto* queue) {
    rd_kafka_ListConsumerGroupOffsets(conn_->get(), &raw, 1, options, queue);
  });
  size_t n = 0;
  const auto** results = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &n);
  std::map<TopicPartition, int64_t> out;
  for (size_t g = 0; g < n; ++g) {
    const rd_kafka_topic_partition_list_t* got = group_partitions(results[g], what);
    for (int i = 0; got && i < got->cnt; ++i) {
      if (got->elems[i].offset >= 0)
        out[{got->elems[i].topic, got->elems[i].partition}] = got->elems[i].offset;
    }
  }
  return out;
}

void AdminClient::commit_offsets(const std::string& group,
                                 const std::map<TopicPartition, int64_t>& offsets) {
  PartitionList parts = new_partition_list(static_cast<int>(offsets.size()));
  for (const auto& [tp, offset] : offsets) {
    rd_kafka_topic_partition_list_add(parts.get(), tp.first.c_str(), tp.second)->offset = offset;
  }
  AlterOffsetsRequest request(rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), parts.get()));
  rd_kafka_AlterConsumerGroupOffsets_t* raw = request.get();
  const std::string what = "committing offsets for group '" + group + "'";
  auto ev = run(what, [&](auto* options, auto* queue) {
    rd_kafka_AlterConsumerGroupOffsets(conn_->get(), &raw, 1, options, queue);
  });
  size_t n = 0;
  const auto** results = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &n);
  for (size_t g = 0; g < n; ++g) group_partitions(results[g], what);
}

}  // namespace sluice::kafka
