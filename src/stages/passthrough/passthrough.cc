#include "stages/passthrough/passthrough.h"

namespace sluice::stages {

Passthrough::Passthrough(const pipeline::ProcessorContext& context) : outputs_(context.outputs) {}

pipeline::Outcome Passthrough::process(const pipeline::Record& record) {
  std::vector<pipeline::OutputRecord> out;
  for (const auto& topic : outputs_) {
    pipeline::Headers headers;
    for (const auto& h : record.headers) {
      if (!h.first.starts_with(pipeline::header::kPrefix) || h.first == pipeline::header::kTraceId)
        headers.push_back(h);
    }
    out.push_back({topic, record.key, record.value, std::move(headers)});
  }
  return pipeline::Outcome::success(std::move(out));
}

}  // namespace sluice::stages
