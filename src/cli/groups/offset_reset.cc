#include "cli/groups/offset_reset.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "cli/support/datetime.h"
#include "cli/support/table.h"

namespace sluice::cli {
namespace {

void require_one_target(const ResetFlags& f) {
  const int chosen = int{f.to_earliest} + int{f.to_latest} + int{!f.to_datetime.empty()} +
                     int{f.shift_by.has_value()};
  if (chosen != 1) {
    throw std::invalid_argument(
        "choose exactly one of --to-earliest, --to-latest, --to-datetime TS, --shift-by N");
  }
}

// Where one partition's offset goes. `shift_from` is the committed offset (the log start without
// one); `at_time` is the offsets_for_times answer (-1: no record that late).
int64_t new_offset(const ResetFlags& f, int64_t shift_from, kafka::Watermarks w, int64_t at_time) {
  if (f.to_earliest) return w.low;
  if (f.to_latest) return w.high;
  if (f.shift_by) return std::clamp(shift_from + *f.shift_by, w.low, w.high);
  return at_time >= 0 ? at_time : w.high;
}

}  // namespace

int reset_offsets(kafka::AdminClient& admin, const ResetFlags& f) {
  require_one_target(f);
  // Parse before talking to the cluster, so a typo fails fast and changes nothing.
  const bool by_time = !f.to_datetime.empty();
  const int64_t since_ms = by_time ? parse_datetime_ms(f.to_datetime) : 0;
  kafka::GroupDescription group = admin.describe_group(f.group);
  if (!group.members.empty()) {
    std::fprintf(
        stderr,
        "sluice: group %s has %zu active member(s); stop its consumers first, as Kafka requires\n",
        f.group.c_str(), group.members.size());
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

  std::map<kafka::TopicPartition, int64_t> target;
  Table t({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"});
  for (int32_t p : partitions) {
    const kafka::Watermarks w = admin.watermarks(f.topic, p);
    auto c = committed.find({f.topic, p});
    const bool has_commit = c != committed.end();
    const int64_t next =
        new_offset(f, has_commit ? c->second : w.low, w, by_time ? at_time[p] : -1);
    target[{f.topic, p}] = next;
    t.add({f.topic, std::to_string(p), has_commit ? std::to_string(c->second) : "-",
           std::to_string(next)});
  }
  t.print();
  if (!f.execute) {
    std::printf("dry run: nothing changed; add --execute to commit these offsets for group %s\n",
                f.group.c_str());
    return 0;
  }
  admin.commit_offsets(f.group, target);
  std::printf("committed new offsets for group %s\n", f.group.c_str());
  return 0;
}

}  // namespace sluice::cli
