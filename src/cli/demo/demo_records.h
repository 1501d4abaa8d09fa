// The text `sluice demo-source` writes for a planned event: the claim event
// (the Kafka record's value, in the claims.events data contract) and its
// manifest line (what `sluice validate` and the tests expect to happen).
//
// Invariant: an attachment's URL is <base>/files/<claim_id>/<index>.pdf (an
// untrusted-domain attachment swaps the base for http://files.untrusted.example),
// which is all the HTTP server needs to find its plan again.
#pragma once

#include <string>

#include "cli/demo/demo_plan.h"

namespace sluice::cli::demo {

// The "untrusted domain" attachments are served by the demo server too, under
// the host name `localhost` instead of 127.0.0.1: refused while the download
// stage's allowed_domains lacks `localhost`, downloadable once an operator
// widens it and replays the DLQ.
std::string untrusted_base(const std::string& base_url);

std::string attachment_url(const EventPlan& event, const AttachmentPlan& attachment,
                           const std::string& base_url);

// The event's JSON (malformed on purpose for Case::kMalformedJson).
std::string event_json(const EventPlan& event, const std::string& base_url,
                       const std::string& submitted_at);

// One manifest line (JSON, no newline):
// {"claim_id","trace_id","case","event":{"expected":"accepted"|"dlq",...},
//  "attachments":[{"task_id","url","content_type","server","expected":"stored","size"}
//                 | {..., "expected":"dlq","category","reason"}]}
// Events the ingest stage rejects list no attachments: they yield no tasks.
std::string manifest_line(const EventPlan& event, const std::string& trace_id,
                          const std::string& base_url);

// Now as RFC 3339 UTC with seconds, e.g. 2026-11-27T12:00:00Z.
std::string utc_now_rfc3339();

}  // namespace sluice::cli::demo
