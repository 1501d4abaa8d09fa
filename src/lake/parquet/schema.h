// The schema as the Dremel model sees it: every field becomes a node with its
// definition and repetition levels, every primitive a leaf column.
//
// Invariant: leaves are numbered in depth-first order, which is the order of
// the column chunks in every row group; a node's leaves are the contiguous
// range [first_leaf, end_leaf). The same Field tree always yields the same
// SchemaElements, and from_schema_elements() inverts to_schema_elements().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lake/parquet/file_writer.h"
#include "lake/parquet/metadata.h"

namespace sluice::lake::parquet {

struct Node {
  Field::Kind kind = Field::Kind::kLeaf;
  Type type = Type::kString;
  bool optional = true;
  std::string path;  // dotted, for errors and stats
  uint8_t def = 0;   // definition level when this node is present (non-null)
  uint8_t rep = 0;   // repetition level of this node
  int first_leaf = 0, end_leaf = 0;
  std::vector<int> children;  // node indices; list: {element}, map: {key, value}
};

struct Leaf {
  int node = 0;
  Type type = Type::kString;
  uint8_t max_def = 0, max_rep = 0;
  std::string path;  // dotted
  std::vector<std::string>
      path_in_schema;  // as the file spells it (with list/element, key_value/key)
};

struct Schema {
  std::vector<Field> fields;
  std::vector<Node> nodes;
  std::vector<Leaf> leaves;
  std::vector<int> top;  // node index of each top-level field
};

// Validates the tree (names, arities, depth) and computes levels; throws ParquetError.
Schema build_schema(std::vector<Field> fields);

std::vector<meta::SchemaElement> to_schema_elements(const Schema& schema);
// Throws ParquetError for layouts sluice does not read (e.g. bare repeated fields).
std::vector<Field> from_schema_elements(const std::vector<meta::SchemaElement>& elements);

meta::PhysicalType physical_type(Type type);

}  // namespace sluice::lake::parquet
