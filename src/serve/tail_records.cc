// TailRecords: following snapshots, decoding records, and the boundary check
// of visit_after (see tail_records.h).
#include "serve/tail_records.h"

#include <simdjson.h>

#include <algorithm>
#include <mutex>

#include "common/log.h"
#include "lake/delta/json_row.h"

namespace sluice::serve {
namespace {

using lake::parquet::Row;
using lake::parquet::Type;
using lake::parquet::Value;

// Memory a decoded row takes, roughly: its cells and the bytes of its strings.
int64_t row_bytes(const Row& row) {
  int64_t bytes = int64_t(sizeof(Row) + row.size() * sizeof(Value));
  for (const auto& v : row)
    if (const auto* s = std::get_if<std::string>(&v.v)) bytes += int64_t(s->capacity());
  return bytes;
}

}  // namespace

TailRecords::TailRecords(TailRecordsOptions options) : options_(std::move(options)) {}

std::string TailRecords::app_id(int32_t partition) const {
  return options_.stage + "/" + options_.topic + "/" + std::to_string(partition);
}

bool TailRecords::follow(const lake::delta::TableState& snapshot) {
  if (snapshot.version < 0) return false;
  std::unique_lock lock(mu_);
  if (snapshot.metadata.schema_string != schema_string_) {
    start_over(snapshot);
    return true;
  }
  bool seek = false;
  for (auto& [id, tail] : partitions_) {
    const int64_t boundary = snapshot.txn_version(app_id(id));
    if (boundary <= tail.trimmed_through) continue;
    while (!tail.held.empty() && tail.held.front().offset <= boundary) {
      records_ -= 1;
      bytes_ -= tail.held.front().bytes;
      tail.held.pop_front();
    }
    tail.trimmed_through = boundary;
    if (tail.next <= boundary) {  // the table is ahead of the tail: those need no reading
      tail.next = boundary + 1;
      seek = true;
    }
  }
  if (full_ && records_ <= options_.max_records / 4 * 3 && bytes_ <= options_.max_bytes / 4 * 3) {
    full_ = false;
    seek = true;
  }
  return seek;
}

void TailRecords::start_over(const lake::delta::TableState& snapshot) {
  // The first table seen, or a table created again with other columns.
  schema_string_ = snapshot.metadata.schema_string;
  layout_ = std::make_unique<lake::delta::PartitionLayout>(snapshot.metadata);
  const auto& schema = layout_->schema();
  auto index = [&](const std::string& name, Type type) -> std::optional<size_t> {
    for (size_t i = 0; i < schema.size(); ++i)
      if (schema[i].name == name && schema[i].type == type) return i;
    return std::nullopt;
  };
  date_.reset();
  const auto date = index(options_.date_column, Type::kDate);
  const auto time = index(options_.time_column, Type::kTimestampMicros);
  if (date && time) date_ = {*date, *time, lake::delta::TimePart::kDate};
  for (auto& [id, tail] : partitions_) {
    tail.held.clear();
    tail.trimmed_through = snapshot.txn_version(app_id(id));
    tail.next = tail.trimmed_through + 1;
  }
  records_ = bytes_ = 0;
  full_ = false;
  log::info("serve", "kafka tail: decoding '{}' with the columns of table version {}",
            options_.topic, snapshot.version);
}

bool TailRecords::add_partitions(const std::vector<int32_t>& ids,
                                 const lake::delta::TableState& snapshot) {
  if (schema_string_.empty()) return false;  // no table yet: nothing to decode with
  std::unique_lock lock(mu_);
  bool added = false;
  for (int32_t id : ids) {
    if (partitions_.count(id)) continue;
    PartitionTail& tail = partitions_[id];
    tail.trimmed_through = snapshot.txn_version(app_id(id));
    tail.next = tail.trimmed_through + 1;
    added = true;
    log::info("serve", "kafka tail: reading '{}' partition {} from offset {} (table version {})",
              options_.topic, id, tail.next, snapshot.version);
  }
  return added;
}

Row TailRecords::decode(std::string_view json) const {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  if (auto err = parser.parse(json.data(), json.size()).get(parsed))
    throw lake::delta::RowError(std::string("not JSON: ") + simdjson::error_message(err));
  Row row = lake::delta::json_to_row(parsed, layout_->schema());
  if (date_ && row[date_->column].is_null())
    lake::delta::fill_derived_columns(row, {*date_}, layout_->schema());
  if (std::string problem = layout_->row_problem(row); !problem.empty())
    throw lake::delta::RowError(problem);
  return row;
}

TailRecords::Added TailRecords::add(int32_t partition, int64_t offset, std::string_view json) {
  // Only the writer changes the state, so it reads it here without the lock.
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || offset < it->second.next || full_ || !layout_)
    return {Result::kIgnored, {}};
  if (records_ >= options_.max_records || bytes_ >= options_.max_bytes) {
    std::unique_lock lock(mu_);
    full_ = true;
    return {Result::kFull, {}};  // not read: read again from positions() once there is room
  }
  std::optional<Row> row;
  std::string why;
  try {
    row = decode(json);
  } catch (const lake::delta::RowError& e) {
    why = e.what();
  }
  std::unique_lock lock(mu_);
  it->second.next = offset + 1;
  if (!row) return {Result::kSkipped, why};
  const int64_t bytes = row_bytes(*row);
  it->second.held.push_back({offset, std::move(*row), bytes});
  records_ += 1;
  bytes_ += bytes;
  return {Result::kKept, {}};
}

std::map<int32_t, int64_t> TailRecords::positions() const {
  std::shared_lock lock(mu_);
  std::map<int32_t, int64_t> out;
  for (const auto& [id, tail] : partitions_) out[id] = tail.next;
  return out;
}

TailCounts TailRecords::counts() const {
  std::shared_lock lock(mu_);
  return {records_, bytes_, int32_t(partitions_.size()), full_};
}

std::optional<TailReadout> TailRecords::visit_after(
    const lake::delta::TableState& snapshot, const std::function<void(const Row&)>& visit) const {
  std::shared_lock lock(mu_);
  TailReadout readout;
  readout.full = full_;
  if (schema_string_.empty()) return readout;  // no table followed yet: nothing held
  if (snapshot.metadata.schema_string != schema_string_) return std::nullopt;
  std::vector<std::pair<const PartitionTail*, int64_t>> after;  // each partition's boundary
  for (const auto& [id, tail] : partitions_) {
    const int64_t boundary = snapshot.txn_version(app_id(id));
    if (tail.trimmed_through > boundary) return std::nullopt;  // dropped for a newer snapshot
    after.emplace_back(&tail, boundary);
  }
  readout.partitions = int32_t(partitions_.size());
  for (const auto& [tail, boundary] : after) {
    auto it = std::partition_point(tail->held.begin(), tail->held.end(),
                                   [&](const Held& h) { return h.offset <= boundary; });
    for (; it != tail->held.end(); ++it, ++readout.records) visit(it->row);
  }
  return readout;
}

}  // namespace sluice::serve
