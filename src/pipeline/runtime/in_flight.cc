#include "pipeline/runtime/in_flight.h"

#include "common/random_id.h"

namespace sluice::pipeline {

void InFlight::materialize() {
  if (!message) return;  // a retry: built on its first attempt
  record.topic = tp.first;
  record.partition = tp.second;
  record.offset = offset;
  record.timestamp_ms = timestamp_ms;
  message.fill(record);
  const std::string* trace = record.header(header::kTraceId);
  record.trace_id = trace ? *trace : random_hex(16);
  message.reset();
}

}  // namespace sluice::pipeline
