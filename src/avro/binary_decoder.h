// Avro binary data (the specification's "Binary Encoding") read with the
// writer's schema and resolved to a reader's schema ("Schema Resolution"),
// written out as one JSON value (docs/avro.md, "JSON form of decoded records").
//
// Invariant: decode() either returns valid JSON for exactly the bytes given, or
// throws DecodeError naming the field path ($.legs[2].price), the byte offset
// and what was wrong — for any input bytes. Nothing is allocated from a length
// in the input before checking it against the bytes left, arrays of items that
// take no bytes are capped, and nesting deeper than kMaxDepth is refused, so
// hostile bytes cost at most time and memory proportional to their size.
//
// A decoder is the resolution plan of one (writer, reader) pair: the
// constructor works out every record's field mapping, every reader-only
// field's default and every writer type's smallest encoding once, and decode()
// only reads that plan, so one decoder serves any number of data on any number
// of threads at once (avro-decode keeps one per schema id).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "avro/schema.h"

namespace sluice::avro {

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BinaryDecoder {
 public:
  static constexpr int kMaxDepth = 100;
  // Items that take no bytes (null, empty records) one message may hold.
  static constexpr int64_t kMaxZeroSizeItems = 1 << 20;
  // Longest decimal (bytes of its unscaled value) printed; 64 bytes is 154 digits.
  static constexpr int64_t kMaxDecimalBytes = 64;

  // Both schemas must outlive the decoder. The caller checks can_read(reader,
  // writer) once for the pair; decode() still refuses what it cannot resolve.
  BinaryDecoder(const Schema& writer, const Schema& reader);

  // The JSON text of the one datum `bytes` holds. Thread-safe.
  std::string decode(std::string_view bytes) const;

  // The plan: built by the constructor and read-only afterwards (a decode
  // that needs a part the plan lacks works it out for itself, on the side).
  struct Plan {
    // Per (writer record, reader record): each writer field's reader field index, or -1.
    std::map<std::pair<const Node*, const Node*>, std::vector<int>> field_maps;
    std::map<const Field*, std::string>
        defaults;                              // reader fields' defaults, as decode() writes them
    std::map<const Node*, int64_t> min_sizes;  // fewest bytes a value of a node takes
  };
  const Plan& plan() const { return plan_; }

 private:
  const Schema& writer_;
  const Schema& reader_;
  Plan plan_;
};

}  // namespace sluice::avro
