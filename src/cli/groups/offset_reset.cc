#include "cli/groups/offset_reset.h"

#include <cstdio>
#include <stdexcept>

#include "cli/groups/reset_plan.h"
#include "cli/support/datetime.h"
#include "cli/support/table.h"

namespace sluice::cli {

// The cluster side only: gather each partition's figures, let plan_reset() decide, print the
// plan and commit it with --execute.
int reset_offsets(kafka::AdminClient& admin, const ResetFlags& f) {
  require_one_target(f);
  // Parse before talking to the cluster, so a typo fails fast and changes nothing.
  const bool by_time = !f.to_datetime.empty();
  const int64_t since_ms = by_time ? parse_datetime_ms(f.to_datetime) : 0;
  // A running member would overwrite new offsets with its own commits, so only the execute path
  // refuses; a dry run may plan while the consumers still run (and the runbook stops them next).
  kafka::GroupDescription group = admin.describe_group(f.group);
  const size_t active = group.members.size();
  if (active > 0 && f.execute) {
    std::fprintf(stderr,
                 "sluice: group %s has %zu active member(s); stop its consumers first, as Kafka "
                 "requires (a stage of `sluice up`: `sluice stop STAGE`, then `sluice start "
                 "STAGE` after the reset); a dry run without --execute shows the plan meanwhile\n",
                 f.group.c_str(), active);
    return 1;
  }
  std::optional<kafka::TopicInfo> topic = admin.find_topic(f.topic);
  if (!topic) {
    throw std::invalid_argument("topic '" + f.topic + "' does not exist at " +
                                admin.endpoint().bootstrap + "; see `sluice topics list`");
  }
  std::vector<int32_t> partitions;
  for (const auto& p : topic->partitions) partitions.push_back(p.id);
  std::map<int32_t, int64_t> at_time;
  if (by_time) at_time = admin.offsets_for_time(f.topic, partitions, since_ms);
  std::map<kafka::TopicPartition, int64_t> committed = admin.committed_offsets(f.group, f.topic);

  std::vector<PartitionBefore> before;
  for (int32_t p : partitions) {
    auto c = committed.find({f.topic, p});
    before.push_back({p, admin.watermarks(f.topic, p),
                      c == committed.end() ? std::nullopt : std::optional<int64_t>(c->second),
                      by_time ? at_time[p] : -1});
  }
  std::map<kafka::TopicPartition, int64_t> target;
  Table t({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"});
  for (const PlannedOffset& p : plan_reset(f, before)) {
    target[{f.topic, p.partition}] = p.next;
    t.add({f.topic, std::to_string(p.partition), p.current ? std::to_string(*p.current) : "-",
           std::to_string(p.next)});
  }
  t.print();
  if (!f.execute) {
    std::printf("dry run: nothing changed; add --execute to commit these offsets for group %s\n",
                f.group.c_str());
    if (active > 0)
      std::printf(
          "note: group %s has %zu active member(s): --execute is refused until its consumers "
          "stop (`sluice stop STAGE` for a stage of `sluice up`); their commits also move "
          "CURRENT-OFFSET meanwhile\n",
          f.group.c_str(), active);
    return 0;
  }
  admin.commit_offsets(f.group, target);
  std::printf("committed new offsets for group %s\n", f.group.c_str());
  return 0;
}

}  // namespace sluice::cli
