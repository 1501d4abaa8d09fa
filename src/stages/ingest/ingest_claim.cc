#include "stages/ingest/ingest_claim.h"

#include <simdjson.h>

#include "common/json.h"

namespace sluice::stages {
namespace {

std::string required_string(simdjson::dom::element parent, const char* field,
                            const std::string& path, std::string& out) {
  std::string_view value;
  if (parent[field].get_string().get(value) != simdjson::SUCCESS) {
    return path + "." + field + ": required by ingest as a string";
  }
  out = std::string(value);
  return "";
}

}  // namespace

std::string read_claim_event(simdjson::dom::element event, ClaimEvent& out) {
  if (!event.is_object()) return "$: the event must be a JSON object";
  if (auto err = required_string(event, "claim_id", "$", out.claim_id); !err.empty()) return err;
  if (out.claim_id.empty()) return "$.claim_id: must not be empty";
  simdjson::dom::array attachments;
  if (event["attachments"].get_array().get(attachments) != simdjson::SUCCESS) {
    return "$.attachments: required by ingest as an array";
  }
  size_t i = 0;
  for (simdjson::dom::element a : attachments) {
    std::string path = "$.attachments[" + std::to_string(i++) + "]";
    if (!a.is_object()) return path + ": must be an object";
    ClaimAttachment attachment;
    if (auto err = required_string(a, "url", path, attachment.url); !err.empty()) return err;
    if (auto err = required_string(a, "content_type", path, attachment.content_type); !err.empty())
      return err;
    out.attachments.push_back(std::move(attachment));
  }
  return "";
}

std::string download_task_json(const std::string& trace_id, const std::string& claim_id,
                               size_t index, const ClaimAttachment& attachment) {
  json::JsonWriter w;
  w.begin_object()
      .field("trace_id", trace_id)
      .field("claim_id", claim_id)
      .field("task_id", claim_id + "/" + std::to_string(index))
      .field("url", attachment.url)
      .field("expected_type", attachment.content_type)
      .end_object();
  return w.str();
}

}  // namespace sluice::stages
