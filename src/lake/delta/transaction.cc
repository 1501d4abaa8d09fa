#include "lake/delta/transaction.h"

#include <chrono>
#include <random>
#include <thread>

#include "common/clock.h"
#include "lake/delta/delta_error.h"

namespace sluice::lake::delta {

Transaction::Transaction(DeltaLog& log, const TableState& read_state)
    : log_(log), read_version_(read_state.version) {}

void Transaction::remove(const AddFile& file, bool data_change) {
  removes_.push_back({file.path, now_ms(), data_change, file.partition_values, file.size});
}

void Transaction::set_txn(const std::string& app_id, int64_t version) {
  txns_[app_id] = version;
}

void Transaction::set_metadata(Protocol protocol, Metadata metadata) {
  metadata_ = {std::move(protocol), std::move(metadata)};
}

std::vector<Action> Transaction::actions(const std::string& operation,
                                         std::map<std::string, std::string> parameters,
                                         int64_t version) const {
  std::vector<Action> out;
  CommitInfo info;
  info.timestamp = now_ms();
  info.operation = operation;
  info.operation_parameters = std::move(parameters);
  if (version > 0) info.read_version = read_version_;
  info.is_blind_append = removes_.empty() && metadata_.empty();
  out.emplace_back(std::move(info));  // first, as Spark writes it: readers find it cheaply
  for (const auto& a : metadata_) out.push_back(a);
  for (const auto& [app, v] : txns_) out.emplace_back(Txn{app, v, now_ms()});
  for (const auto& r : removes_) out.emplace_back(r);
  for (const auto& a : adds_) out.emplace_back(a);
  return out;
}

void Transaction::check_conflicts(int64_t version) const {
  for (const auto& a : log_.read_commit(version)) {
    const std::string where =
        " (concurrent commit " + std::to_string(version) + " of " + log_.root() + ")";
    if (std::holds_alternative<Metadata>(a) || std::holds_alternative<Protocol>(a)) {
      throw ConflictError("the table's metadata changed while writing" + where);
    }
    if (const auto* t = std::get_if<Txn>(&a); t && txns_.count(t->app_id)) {
      throw ConflictError("another writer committed for " + t->app_id + " (version " +
                          std::to_string(t->version) + ")" + where);
    }
    if (const auto* r = std::get_if<RemoveFile>(&a)) {
      for (const auto& mine : removes_) {
        if (mine.path == r->path)
          throw ConflictError("file " + r->path + " was removed concurrently" + where);
      }
    }
  }
}

int64_t Transaction::commit(const std::string& operation,
                            std::map<std::string, std::string> parameters, int max_attempts) {
  thread_local std::mt19937 rng{std::random_device{}()};
  int64_t version = read_version_ + 1;
  if (version == 0 && metadata_.empty())
    throw DeltaError("table " + log_.root() + " does not exist; create it first");
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    if (log_.try_commit(version, actions(operation, parameters, version))) return version;
    if (version == 0) throw ConflictError("table " + log_.root() + " was created concurrently");
    // Lost the race for `version`: validate against every commit we did not see.
    while (log_.has_commit(version)) check_conflicts(version++);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 5 + attempt)(rng)));
  }
  throw DeltaError("gave up committing to " + log_.root() + " after " +
                   std::to_string(max_attempts) +
                   " attempts: other writers kept winning; retry later");
}

}  // namespace sluice::lake::delta
