#include "stages/passthrough/passthrough.h"

namespace sluice::stages {

Passthrough::Passthrough(const pipeline::ProcessorContext& context) : outputs_(context.outputs) {}

namespace {

// The runtime's own headers (attempts, errors, replay marks) describe one hop
// and are not copied on; the trace id follows the record everywhere.
bool copied_on(const pipeline::Headers::value_type& h) {
  return !h.first.starts_with(pipeline::header::kPrefix) || h.first == pipeline::header::kTraceId;
}

}  // namespace

bool Passthrough::keeps_every_header(const pipeline::Record& record) {
  for (const auto& h : record.headers) {
    if (!copied_on(h)) return false;
  }
  return true;
}

pipeline::Outcome Passthrough::process(const pipeline::Record& record) {
  std::vector<pipeline::OutputRecord> out;
  for (const auto& topic : outputs_) {
    pipeline::Headers headers;
    for (const auto& h : record.headers) {
      if (copied_on(h)) headers.push_back(h);
    }
    out.push_back({topic, record.key, record.value, std::move(headers)});
  }
  return pipeline::Outcome::success(std::move(out));
}

}  // namespace sluice::stages
