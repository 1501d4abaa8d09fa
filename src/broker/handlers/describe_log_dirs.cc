// DescribeLogDirs: the one log directory (the data dir) with the size of every
// partition asked for, as `kafka-log-dirs --describe` shows it. Needs DESCRIBE
// on the cluster, as in Kafka; a refused request gets the top-level error (v3+)
// and no directories, which is all older versions can say.
#include <filesystem>
#include <set>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/log_dirs.h"

namespace sluice::broker::handlers {
namespace {

using protocol::DescribeLogDirsResponse;

// One partition's entry: its size on disk; a single node has no replica that
// lags, nor a "future" copy being moved between directories.
DescribeLogDirsResponse::Partition described(const PartitionLog& log, int32_t index) {
  return {index, log.size_bytes(), 0, false};
}

}  // namespace

std::optional<Bytes> describe_log_dirs(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DescribeLogDirsRequest>(
      req, [&](const protocol::DescribeLogDirsRequest& in) {
        DescribeLogDirsResponse resp;
        if (!authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::cluster())) {
          resp.error_code = authorization_failed(acl::ResourceType::kCluster);
          return std::optional(resp);
        }
        auto& dir = resp.results.emplace_back();
        dir.log_dir = std::filesystem::absolute(ctx.options.data_dir).string();
        std::error_code ec;
        if (const auto space = std::filesystem::space(ctx.options.data_dir, ec); !ec) {
          dir.total_bytes = int64_t(space.capacity);
          dir.usable_bytes = int64_t(space.available);
        }
        // Unknown topics and partitions are left out, as Kafka does.
        auto add = [&](const std::string& topic, const std::vector<int32_t>& indexes) {
          protocol::TopicPartitions<DescribeLogDirsResponse::Partition> t{topic, {}};
          for (int32_t index : indexes) {
            if (auto log = ctx.topics.partition(topic, index)) {
              t.partitions.push_back(described(*log, index));
            }
          }
          if (!t.partitions.empty()) dir.topics.push_back(std::move(t));
        };
        if (in.topics) {
          for (const auto& topic : *in.topics) add(topic.name, topic.partitions);
        } else {
          for (const auto& info : ctx.topics.list()) {
            std::vector<int32_t> all(size_t(info.partitions));
            for (int32_t i = 0; i < info.partitions; ++i) all[size_t(i)] = i;
            add(info.name, all);
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
