#include "stages/confluent/confluent_frame.h"

namespace sluice::stages {

std::variant<ConfluentFrame, std::string> split_confluent_frame(std::string_view v) {
  if (v.size() < 5)
    return "the value has " + std::to_string(v.size()) +
           " bytes, fewer than the 5 of Confluent's header (magic byte 0 and a 4-byte schema id)";
  if (v[0] != 0)
    return "the value starts with byte " + std::to_string(static_cast<unsigned char>(v[0])) +
           ", not Confluent's magic byte 0 (was it written by a Confluent Avro serializer?)";
  const auto b = [&](size_t i) { return uint32_t(static_cast<unsigned char>(v[i])); };
  const uint32_t id = (b(1) << 24) | (b(2) << 16) | (b(3) << 8) | b(4);
  return ConfluentFrame{int32_t(id), v.substr(5)};
}

std::string confluent_frame(int32_t schema_id, std::string_view datum) {
  std::string v(1, '\0');
  for (int shift : {24, 16, 8, 0}) v += char((uint32_t(schema_id) >> shift) & 0xFF);
  v += datum;
  return v;
}

}  // namespace sluice::stages
