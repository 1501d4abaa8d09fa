// How `sluice topics consume` prints a record and how `sluice topics produce`
// reads one, as text, one record per line:
//
//   json   {"topic":..,"partition":..,"offset":..,"timestamp":..,"key":..,
//           "headers":[{"key":..,"value":..}],"value":..}   (null key/value: null;
//          a key, value or header value that is not UTF-8 is written as
//          "key_base64"/"value_base64" instead, so every line is valid JSON)
//   plain  the value; with a key separator, KEY<SEP>VALUE (kafka-console-
//          producer's parse.key/key.separator, kafka-console-consumer's
//          print.key; a null key prints as "null", as those tools do)
//
// What consume prints in either format, produce reads back: a topic can be
// copied with `consume | produce`. A JSON line's partition is kept (the copy
// keeps each record in its partition); its topic, offset and timestamp are the
// broker's to assign and are ignored. Headers keep their order and repeats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/record.h"

namespace sluice::cli {

enum class RecordFormat { kJson, kPlain };

// "json" or "plain"; throws std::invalid_argument for anything else.
RecordFormat parse_record_format(const std::string& name);

// One line, without its newline. `key_separator` (plain only): print the key
// and this separator before the value; nullopt prints the value alone.
std::string format_record(const kafka::Record& r, RecordFormat format,
                          const std::optional<std::string>& key_separator);

// What every produced record gets unless its line says otherwise.
struct ProduceDefaults {
  std::optional<std::string> key;            // -k
  kafka::Headers headers;                    // -H, added after the line's own headers
  std::optional<int32_t> partition;          // -p
  std::optional<std::string> key_separator;  // plain: split KEY<SEP>VALUE
};

// Parses one input line into a record for `topic`. Throws std::invalid_argument
// naming `line_number` and the reason (no separator, bad JSON, wrong types).
kafka::OutputRecord parse_record_line(const std::string& line, size_t line_number,
                                      RecordFormat format, const std::string& topic,
                                      const ProduceDefaults& defaults);

// "KEY=VALUE" -> header (the first '=' splits; the value may be empty).
// Throws std::invalid_argument for text without '=' or with an empty key.
std::pair<std::string, std::string> parse_header_flag(const std::string& text);

}  // namespace sluice::cli
