// Delta checkpoints (PROTOCOL.md "Checkpoints"): the table state at one
// version as a Parquet file with one action per row — columns txn, add,
// remove, metaData, protocol, each a struct of which exactly one is non-null.
//
// Invariant: read_checkpoint(write_checkpoint(s)) reproduces s's files,
// tombstones, txns, metadata and protocol; readers of other engines see the
// standard checkpoint schema.
#pragma once

#include <string>

#include "lake/delta/table_state.h"

namespace sluice::lake::delta {

std::string write_checkpoint_file(const TableState& state);
// Throws DeltaError naming `where` when the file is not a readable checkpoint.
TableState read_checkpoint_file(const std::string& bytes, int64_t version,
                                const std::string& where);

}  // namespace sluice::lake::delta
