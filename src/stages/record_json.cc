#include "stages/record_json.h"

#include <string>

namespace sluice::stages {

simdjson::error_code parse_record_json(std::string_view text, simdjson::dom::element& out) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string buffer;
  const size_t padded = text.size() + simdjson::SIMDJSON_PADDING;
  if (buffer.capacity() < padded) buffer.reserve(padded);
  buffer.assign(text);
  // realloc_if_needed = false: the buffer's capacity is the padding.
  return parser.parse(buffer.data(), buffer.size(), false).get(out);
}

}  // namespace sluice::stages
