#include "stages/record_json.h"

#include <string>

namespace sluice::stages {

simdjson::error_code parse_record_json(std::string_view text, simdjson::dom::element& out) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string buffer;
  thread_local bool parsed = false;
  thread_local simdjson::error_code result = simdjson::SUCCESS;
  thread_local simdjson::dom::element root;
  // The same text as this thread's last parse (a chain's steps reading one
  // record): that parse's document is still the parser's, and simdjson never
  // writes to the buffer, so the text there is the text it parsed.
  if (parsed && std::string_view(buffer) == text) {
    out = root;
    return result;
  }
  const size_t padded = text.size() + simdjson::SIMDJSON_PADDING;
  if (buffer.capacity() < padded) buffer.reserve(padded);
  buffer.assign(text);
  // realloc_if_needed = false: the buffer's capacity is the padding.
  result = parser.parse(buffer.data(), buffer.size(), false).get(root);
  parsed = true;
  out = root;
  return result;
}

}  // namespace sluice::stages
