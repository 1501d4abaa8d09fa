#include "cli/up/claim_tasks.h"

#include <simdjson.h>

namespace sluice::cli {
namespace {

// One parser per thread: reused buffers make a million small payloads cheap.
simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

}  // namespace

std::vector<std::string> tasks_called_for(std::string_view event_json) {
  simdjson::dom::object event;
  std::string_view claim;
  simdjson::dom::array attachments;
  if (parser().parse(event_json.data(), event_json.size()).get(event) ||
      event["claim_id"].get(claim) || event["attachments"].get(attachments)) {
    return {};
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < attachments.size(); ++i)
    out.push_back(std::string(claim) + "/" + std::to_string(i));
  return out;
}

std::string task_id_of(std::string_view json) {
  std::string_view v;
  if (parser().parse(json.data(), json.size()).get_object()["task_id"].get(v) != simdjson::SUCCESS)
    return "";
  return std::string(v);
}

}  // namespace sluice::cli
