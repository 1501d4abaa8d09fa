// Writing one data file of a table: rows -> Parquet -> object store, and the
// `add` action that will make it live (with Delta's per-file statistics);
// reading a live file back as rows of the table.
//
// Invariant: the file is fully stored before its AddFile is returned, so a
// commit never references a missing or partial file. A crash after the upload
// and before the commit leaves an orphan that no version references; vacuum
// removes it.
#pragma once

#include <string>
#include <vector>

#include "lake/delta/actions.h"
#include "lake/delta/delta_log.h"
#include "lake/delta/partitions.h"
#include "lake/delta/row_order.h"
#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {

// `schema` is the columns the file holds (a partitioned table's data columns);
// the file goes into `partition`'s directory and its add carries its values.
// The rows are written in `sort_by` order (row_order.h), or as given.
// `compaction_level` > 0 (a file optimize wrote from files of level - 1) is
// kept in the name, `part-...-c000.L<level>.<codec>.parquet`, for tiered
// compaction (delta_table.h); readers need nothing of it.
AddFile write_data_file(DeltaLog& log, const TableSchema& schema,
                        const std::vector<parquet::Row>& rows,
                        const parquet::WriterOptions& options, bool data_change = true,
                        const FilePartition& partition = {}, const SortOrder& sort_by = {},
                        int compaction_level = 0);
// The compaction level in a data file's path (0: written by an append, or by
// another writer).
int compaction_level(const std::string& path);

// The rows of a live file as rows of the table (partition columns filled in
// from the add). Throws DeltaError when the file is missing from the store.
std::vector<parquet::Row> read_data_file(const DeltaLog& log, const PartitionLayout& layout,
                                         const AddFile& file);

// Delta `stats` JSON for a file: numRecords, minValues, maxValues, nullCount.
std::string stats_json(const TableSchema& schema, int64_t rows,
                       const std::vector<parquet::ColumnStats>& stats);

}  // namespace sluice::lake::delta
