#include "lake/delta/delta_log.h"

#include <simdjson.h>

#include <cstdio>

#include "common/json.h"
#include "lake/delta/checkpoint.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/partitions.h"

namespace sluice::lake::delta {
namespace {

constexpr const char* kLogDir = "_delta_log/";

std::string padded_version(int64_t version) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(version));
  return buf;
}

// "00000000000000000007.json" -> 7; anything else (checkpoints, temp files) -> nullopt.
std::optional<int64_t> commit_version_of(const std::string& name) {
  if (name.size() != 25 || name.compare(20, 5, ".json") != 0) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

}  // namespace

DeltaLog::DeltaLog(ObjectStore& store, std::string root) : store_(store), root_(std::move(root)) {
  while (!root_.empty() && root_.back() == '/') root_.pop_back();
}

std::string DeltaLog::key(const std::string& path) const {
  return root_.empty() ? path : root_ + "/" + path;
}
std::string DeltaLog::data_file_key(const std::string& uri_path) const {
  return key(path_from_uri(uri_path));
}
std::string DeltaLog::commit_key(int64_t version) const {
  return key(kLogDir + padded_version(version) + ".json");
}
std::string DeltaLog::checkpoint_key(int64_t version) const {
  return key(kLogDir + padded_version(version) + ".checkpoint.parquet");
}

std::vector<int64_t> DeltaLog::commit_versions() const {
  std::vector<int64_t> out;
  const std::string prefix = key(kLogDir);
  for (const auto& info : store_.list(prefix)) {
    if (auto v = commit_version_of(info.key.substr(prefix.size()))) out.push_back(*v);
  }
  return out;  // the store lists in key order, and zero-padding makes that version order
}

std::vector<Action> DeltaLog::read_commit(int64_t version) const {
  const std::string k = commit_key(version);
  auto text = store_.get(k);
  if (!text) throw DeltaError("Delta commit " + store_.url() + "/" + k + " is missing");
  return parse_commit(*text, k);
}

bool DeltaLog::has_commit(int64_t version) const {
  return store_.head(commit_key(version)).has_value();
}

std::optional<int64_t> DeltaLog::last_checkpoint() const {
  auto text = store_.get(key(std::string(kLogDir) + "_last_checkpoint"));
  if (!text) return std::nullopt;
  simdjson::dom::parser parser;
  int64_t v = -1;
  if (parser.parse(simdjson::padded_string(*text))["version"].get(v) != simdjson::SUCCESS)
    return std::nullopt;
  return v;  // a damaged pointer only costs a full replay
}

TableState DeltaLog::load(std::optional<int64_t> version) const {
  TableState state;
  auto cp = last_checkpoint();
  if (cp && (!version || *cp <= *version)) {
    const std::string k = checkpoint_key(*cp);
    if (auto bytes = store_.get(k))
      state = read_checkpoint_file(*bytes, *cp, store_.url() + "/" + k);
  }
  for (int64_t v : commit_versions()) {
    if (v <= state.version) continue;
    if (version && v > *version) break;
    if (v != state.version + 1) {
      throw DeltaError("Delta log of " + store_.url() + "/" + root_ + " has no commit " +
                       std::to_string(state.version + 1) + " before " + std::to_string(v) +
                       "; the log is incomplete (files deleted by hand?)");
    }
    for (const auto& a : read_commit(v)) state.apply(a);
    state.version = v;
  }
  return state;
}

void DeltaLog::update(TableState& state) const {
  for (int64_t v = state.version + 1;; ++v) {
    auto text = store_.get(commit_key(v));
    if (!text) return;
    for (const auto& a : parse_commit(*text, commit_key(v))) state.apply(a);
    state.version = v;
  }
}

bool DeltaLog::try_commit(int64_t version, const std::vector<Action>& actions) {
  return store_.put(commit_key(version), to_commit_text(actions), PutMode::kIfAbsent);
}

void DeltaLog::write_checkpoint(const TableState& state) {
  const std::string bytes = write_checkpoint_file(state);
  store_.put(checkpoint_key(state.version), bytes);
  json::JsonWriter w;
  int64_t actions = int64_t(state.files.size() + state.tombstones.size() + state.txns.size()) + 2;
  w.begin_object().field("version", state.version).field("size", actions).end_object();
  // Written after the checkpoint itself: a reader following the pointer always finds the file.
  store_.put(key(std::string(kLogDir) + "_last_checkpoint"), w.str());
}

}  // namespace sluice::lake::delta
