#include "cli/demo/demo_records.h"

#include <ctime>

#include "common/json.h"

namespace sluice::cli::demo {
namespace {

void expected_fields(json::JsonWriter& w, const Expected& e) {
  w.field("expected", e.outcome);
  if (!e.category.empty()) w.field("category", e.category).field("reason", e.reason);
}

}  // namespace

std::string untrusted_base(const std::string& base_url) {
  const std::string loopback = "127.0.0.1";
  auto at = base_url.find(loopback);
  if (at == std::string::npos) return base_url;
  return base_url.substr(0, at) + "localhost" + base_url.substr(at + loopback.size());
}

std::string attachment_url(const EventPlan& event, const AttachmentPlan& attachment,
                           const std::string& base_url) {
  const std::string base =
      attachment.behaviour == Behaviour::kUnreachable ? untrusted_base(base_url) : base_url;
  return base + "/files/" + event.claim_id + "/" + std::to_string(attachment.index) + ".pdf";
}

std::string event_json(const EventPlan& event, const std::string& base_url,
                       const std::string& submitted_at) {
  json::JsonWriter w;
  w.begin_object();
  if (!event.drop_claim_id) w.field("claim_id", event.claim_id);
  w.field("event_type", "claim.submitted").field("submitted_at", submitted_at);
  if (event.policy_id) w.field("policy_id", *event.policy_id);
  w.key("attachments").begin_array();
  for (const auto& a : event.attachments) {
    std::string url = attachment_url(event, a, base_url);
    bool break_url = event.kind == Case::kSchemaViolation && !event.drop_claim_id && a.index == 0;
    if (break_url) url.replace(url.find("://"), 3, ":/");  // "http:/127.0.0.1:...": not a URL
    w.begin_object().field("url", url).field("content_type", "application/pdf");
    if (!a.name.empty()) w.field("name", a.name);
    w.end_object();
  }
  w.end_array().end_object();
  if (event.kind != Case::kMalformedJson) return w.str();
  return w.str().substr(0, w.str().size() / 2);  // an unclosed object: never valid JSON
}

std::string manifest_line(const EventPlan& event, const std::string& trace_id,
                          const std::string& base_url) {
  json::JsonWriter w;
  w.begin_object()
      .field("claim_id", event.claim_id)
      .field("trace_id", trace_id)
      .field("case", case_name(event.kind));
  w.key("event").begin_object();
  expected_fields(w, event.expected);
  w.end_object();
  w.key("attachments").begin_array();
  if (event.expected.outcome == "accepted") {
    for (const auto& a : event.attachments) {
      w.begin_object()
          .field("task_id", event.claim_id + "/" + std::to_string(a.index))
          .field("url", attachment_url(event, a, base_url))
          .field("content_type", "application/pdf")
          .field("server", behaviour_name(a.behaviour));
      expected_fields(w, a.expected);
      if (a.expected.outcome == "stored") w.field("size", a.size);
      w.end_object();
    }
  }
  w.end_array().end_object();
  return w.str();
}

std::string utc_now_rfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

}  // namespace sluice::cli::demo
