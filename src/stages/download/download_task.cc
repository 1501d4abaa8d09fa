#include "stages/download/download_task.h"

#include <simdjson.h>
#include <time.h>

#include "common/json.h"
#include "stages/record_json.h"

namespace sluice::stages {
namespace {

// A string field: "" when absent or null; a TaskError when it has another type.
std::string text_field(simdjson::dom::object& object, const char* name) {
  simdjson::dom::element e;
  if (object[name].get(e) != simdjson::SUCCESS || e.is_null()) return "";
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS)
    throw TaskError(std::string("task field '") + name + "' must be a string");
  return std::string(s);
}

// The claim id becomes a key segment: keep it to characters every store accepts.
void check_claim_id(const std::string& id) {
  if (id.empty())
    throw TaskError("task has no claim_id; it names the folder the file is stored in");
  const bool ok = id.size() <= 200 && id != "." && id != ".." && id.rfind(".tmp-", 0) != 0 &&
                  id.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789._-") == std::string::npos;
  if (!ok)
    throw TaskError("task claim_id '" + id.substr(0, 200) +
                    "' is not usable in an object key: use up to 200 letters, digits, '.', '_' "
                    "or '-'");
}

}  // namespace

DownloadTask parse_download_task(std::string_view json) {
  simdjson::dom::element parsed;
  simdjson::dom::object object;
  auto err = parse_record_json(json, parsed);
  if (!err) err = parsed.get_object().get(object);
  if (err) {
    throw TaskError(std::string("task is not a JSON object: ") + simdjson::error_message(err));
  }
  DownloadTask t;
  t.trace_id = text_field(object, "trace_id");
  t.claim_id = text_field(object, "claim_id");
  t.task_id = text_field(object, "task_id");
  t.url = text_field(object, "url");
  t.expected_type = text_field(object, "expected_type");
  if (t.url.empty()) throw TaskError("task has no url to download");
  check_claim_id(t.claim_id);
  return t;
}

std::string iso_utc_millis(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  time_t secs = time_t(ms / 1000);
  tm utc{};
  gmtime_r(&secs, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(ms % 1000));
  return buf;
}

std::string download_result_json(const DownloadTask& task, const DownloadResult& result) {
  json::JsonWriter w;
  w.begin_object()
      .field("trace_id", task.trace_id)
      .field("claim_id", task.claim_id)
      .field("task_id", task.task_id)
      .field("url", task.url)
      .field("object_key", result.object_key)
      .field("sha256", result.sha256)
      .field("size_bytes", result.size_bytes)
      .field("content_type", result.content_type)
      .field("downloaded_at", iso_utc_millis(result.downloaded_at))
      .field("status", "stored")
      .end_object();
  return w.str();
}

}  // namespace sluice::stages
