// The two halves of the claims data contract the ingest stage sits between:
// reading a claim event (topic claims.events) and writing one download task
// (topic claims.downloads) per attachment:
//   {"trace_id": ..., "claim_id": "C-000123", "task_id": "C-000123/0",
//    "url": ..., "expected_type": "application/pdf"}
// Invariant: task_id is "<claim_id>/<index of the attachment in the event>", so
// the same event always yields the same task ids.
#pragma once

#include <string>
#include <vector>

// simdjson.h is 31,000 lines: only the .cc files that walk documents include it.
namespace simdjson::dom {
class element;
}  // namespace simdjson::dom

namespace sluice::stages {

struct ClaimAttachment {
  std::string url;
  std::string content_type;
};

struct ClaimEvent {
  std::string claim_id;
  std::vector<ClaimAttachment> attachments;
};

// Reads what ingest needs from an event, whatever the configured schema
// allows. Returns an empty string on success, else what is missing, with its
// JSON path (e.g. "$.attachments[1].url: required by ingest as a string").
std::string read_claim_event(simdjson::dom::element event, ClaimEvent& out);

std::string download_task_json(const std::string& trace_id, const std::string& claim_id,
                               size_t index, const ClaimAttachment& attachment);

}  // namespace sluice::stages
