// JSON → Avro binary (the specification's "Binary Encoding") for one schema:
// the inverse of BinaryDecoder for the same schema, reading the JSON form
// docs/avro.md describes (unions as the plain value, bytes as latin-1 code
// points, logical types as text — and their underlying numbers too).
//
// Invariant: for any value v the decoder wrote with schema S,
// BinaryDecoder(S, S).decode(encode_json(S, v)) == v; and encode_json either
// returns the bytes of a datum of S or throws EncodeError naming the field
// path ($.legs[2].price), what the schema wanted and what the JSON held.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "avro/schema.h"

namespace sluice::avro {

class EncodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One JSON value (object for a record schema) → its Avro binary encoding.
// A union takes the first branch the value encodes as; a record field absent
// from the JSON takes its schema default; a JSON key the record lacks is refused.
std::string encode_json(const Schema& schema, std::string_view json);

// A field default as the specification writes it (a union's default is for its
// first branch; bytes and decimal defaults are latin-1 strings; timestamps are
// numbers) → the binary of `node`, a node of `schema`.
std::string encode_default(const Schema& schema, const Node& node, std::string_view default_json);

}  // namespace sluice::avro
