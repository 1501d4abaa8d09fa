// Whether data written with one Avro schema can be read with another: the
// specification's "Schema Resolution" rules, with every reason a pair fails,
// and the schema registry's compatibility levels built on them.
//
// Invariant: can_read() is exactly the resolution the Avro decoder performs
// (promotions int→long→float→double, string↔bytes; records matched by
// unqualified name or a reader alias, fields by name or a reader field's alias,
// a reader field missing from the writer only with a default; enums with
// unknown writer symbols only with a reader default; fixed by name and size;
// unions branch by branch), so a pair the registry accepts never fails to
// decode. Recursive schemas terminate: a pair of named types already being
// compared is assumed readable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "avro/schema.h"

namespace sluice::avro {

// The resolution rules the binary decoder applies value by value: whether a
// writer's primitive kind is promoted to the reader's (int→long→float→double,
// string↔bytes), and whether a reader's named type (record, enum, fixed) reads
// the writer's (same unqualified name, or a reader alias).
bool promotes(Kind writer, Kind reader);
bool names_match(const Node& reader, const Node& writer);

// Every reason `reader` cannot read what `writer` wrote, each naming the path
// (`$.Tick.price`) and both types; empty when it can.
std::vector<std::string> can_read(const Schema& reader, const Schema& writer);

// Confluent Schema Registry's levels (GET/PUT /config).
enum class Compatibility {
  kNone,
  kBackward,
  kBackwardTransitive,
  kForward,
  kForwardTransitive,
  kFull,
  kFullTransitive,
};
const char* compatibility_name(Compatibility c);
// "BACKWARD" -> kBackward; nullopt for anything else.
std::optional<Compatibility> parse_compatibility(std::string_view name);

// The reasons `candidate` may not follow `existing` (oldest first) under
// `level`: BACKWARD checks that it reads data of the latest, FORWARD that the
// latest reads data of it, FULL both; the transitive levels check against every
// existing version. Empty when it may.
std::vector<std::string> check_compatibility(Compatibility level, const Schema& candidate,
                                             const std::vector<const Schema*>& existing);

}  // namespace sluice::avro
