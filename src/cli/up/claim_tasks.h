// How reconciliation reads the claim pipeline's payloads: the download tasks an
// input event calls for, and the task a task, result or DLQ record is about.
// Task ids are "<claim_id>/<attachment index>", as ingest makes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::cli {

// The task ids an event calls for, one per attachment; none when the payload
// is not a JSON object with a string `claim_id` and an array `attachments`.
std::vector<std::string> tasks_called_for(std::string_view event_json);

// The payload's string `task_id`, or "" when it has none (or is not JSON).
std::string task_id_of(std::string_view json);

}  // namespace sluice::cli
