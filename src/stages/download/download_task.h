// The download stage's records: the task it reads (topic claims.downloads)
// and the result it writes. Invariant: a DownloadTask returned by
// parse_download_task() has a url and a claim_id that is safe as one object
// key segment (attachments/<claim_id>/<sha256>); anything else is a
// TaskError, which the processor reports as a validation failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice::stages {

class TaskError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DownloadTask {
  std::string trace_id;  // may be empty: the record's trace id is used then
  std::string claim_id;
  std::string task_id;
  std::string url;
  std::string expected_type;  // may be empty
};

DownloadTask parse_download_task(std::string_view json);

struct DownloadResult {
  std::string object_key;
  std::string sha256;
  int64_t size_bytes = 0;
  std::string content_type;
  std::chrono::system_clock::time_point downloaded_at;
};

// {"trace_id",...,"status":"stored"}: the task's fields plus the result's.
std::string download_result_json(const DownloadTask& task, const DownloadResult& result);

// "2026-11-27T12:00:00.123Z"
std::string iso_utc_millis(std::chrono::system_clock::time_point t);

}  // namespace sluice::stages
