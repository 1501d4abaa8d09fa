// A record's JSON parsed by this thread's simdjson parser without an allocation
// per record: the text is copied into this thread's buffer, which keeps the
// SIMDJSON_PADDING bytes simdjson may read past the end (a padded_string or
// simdjson's own copy would allocate them for every record).
//
// Invariant: the element lives until this thread's next parse_record_json() of
// another text: a processor uses it within one call and keeps nothing of it.
// Parsing the same text again (the next step of a chain) returns the same
// document without parsing it twice.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace sluice::stages {

simdjson::error_code parse_record_json(std::string_view text, simdjson::dom::element& out);

}  // namespace sluice::stages
