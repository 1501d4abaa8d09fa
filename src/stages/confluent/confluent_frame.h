// Confluent's wire format for a Kafka record value: magic byte 0, the writer
// schema's registry id as 4 bytes big-endian, then the Avro binary datum.
//
// Invariant: split_confluent_frame either returns the id and the datum (a view
// into `value`) or the reason the value is not such a frame — never throws;
// split_confluent_frame(confluent_frame(id, d)) is {id, d}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace sluice::stages {

struct ConfluentFrame {
  int32_t schema_id = 0;
  std::string_view datum;
};

// The frame, or why `value` is not one (for the DLQ).
std::variant<ConfluentFrame, std::string> split_confluent_frame(std::string_view value);

// The value for `schema_id` and `datum`: the inverse of split_confluent_frame.
std::string confluent_frame(int32_t schema_id, std::string_view datum);

}  // namespace sluice::stages
