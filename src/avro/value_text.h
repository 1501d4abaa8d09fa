// How Avro values appear in sluice's JSON, shared by the binary decoder (which
// writes them) and the encoder (which reads them back), so the two agree.
//
// Invariant: for every value v, parse_X(format_X(v)) == v — the choices are
// documented in docs/avro.md ("JSON form of decoded records"):
//   bytes/fixed       a string whose code points U+0000–U+00FF are the bytes
//                     (the Avro specification's own JSON encoding, so schema
//                     defaults, written the same way, need no conversion)
//   timestamp-millis  ISO-8601 UTC text, .mmm when not a whole second
//   timestamp-micros  ISO-8601 UTC text, .ffffff when not a whole second
//   date              YYYY-MM-DD
//   decimal           the decimal number as text ("-12.50"), scale digits after '.'
//   float/double      shortest round-trip digits; "NaN", "Infinity", "-Infinity"
//                     as strings (JSON has no such numbers)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::avro {

// Bytes -> UTF-8 text of their latin-1 code points, and back (nullopt when a
// code point is above U+00FF or the UTF-8 is malformed).
std::string latin1_to_utf8(std::string_view bytes);
std::optional<std::string> utf8_to_latin1(std::string_view text);

std::string format_timestamp_micros(int64_t epoch_us);
std::optional<int64_t> parse_timestamp_micros(std::string_view text);
std::optional<int64_t> parse_date(std::string_view text);

// Two's-complement big-endian unscaled value -> decimal text with `scale`
// fraction digits. Callers bound the length (it is quadratic in it).
std::string format_decimal(std::string_view twos_complement, int scale);
// Decimal text -> minimal two's-complement big-endian bytes of the unscaled
// value; nullopt when it is not a number or has more than `scale` fraction digits.
std::optional<std::string> parse_decimal(std::string_view text, int scale);

// Appends a JSON number (or "NaN"-style string) for a double / float.
void append_double(std::string& out, double d);
void append_float(std::string& out, float f);

// UTF-8 well-formedness (Avro strings must be UTF-8; JSON output must be too).
bool valid_utf8(std::string_view s);

}  // namespace sluice::avro
