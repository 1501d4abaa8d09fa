// Delta Lake log actions (delta-io/delta PROTOCOL.md, "Actions"): the lines of a
// `_delta_log/NNNNNNNNNNNNNNNNNNNN.json` commit, one JSON object per line.
//
// Only the fields sluice writes or needs to rebuild table state are modelled;
// unknown actions and fields in logs written by other engines are skipped on
// read, never rejected.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::lake::delta {

struct Protocol {
  int min_reader_version = 1;
  int min_writer_version = 2;
};

struct Metadata {
  std::string id;  // a UUID, fixed for the table's life
  std::string name;
  std::string schema_string;  // Delta's JSON schema (see table_schema.h)
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  int64_t created_time = 0;
};

// Partition column -> its value as text (see partitions.h); nullopt is a null value.
using PartitionValues = std::map<std::string, std::optional<std::string>>;

struct AddFile {
  std::string path;  // relative to the table root, as a URI ("%" is "%25"; see partitions.h)
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::string stats;  // JSON: numRecords, minValues, maxValues, nullCount
};

struct RemoveFile {
  std::string path;
  int64_t deletion_timestamp = 0;
  bool data_change = true;
  PartitionValues partition_values;
  int64_t size = 0;
};

// The idempotence marker: the highest `version` of application `app_id` that
// is in the table. sluice's app ids are "<stage>/<topic>/<partition>" and the
// version is the last Kafka offset written.
struct Txn {
  std::string app_id;
  int64_t version = 0;
  int64_t last_updated = 0;
};

struct CommitInfo {
  int64_t timestamp = 0;
  std::string operation;  // WRITE, CREATE TABLE, OPTIMIZE, VACUUM END ...
  std::map<std::string, std::string> operation_parameters;
  std::string engine_info = "sluice";
  std::optional<int64_t> read_version;
  bool is_blind_append = false;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, Txn, CommitInfo>;

std::string to_json_line(const Action& action);
// One commit file's text: actions one per line, newline-terminated.
std::string to_commit_text(const std::vector<Action>& actions);
// Parses a commit file. Throws DeltaError naming `where` and the line number
// for a line that is not JSON; actions sluice does not model are dropped.
std::vector<Action> parse_commit(std::string_view text, const std::string& where);

}  // namespace sluice::lake::delta
