// DeltaTable::optimize: compaction. Small files are read back and rewritten
// into files of about the target size, committed as removes + adds with
// dataChange=false, so streaming readers of the table skip the commit and the
// rows are neither lost nor doubled. A concurrent remove of the same files
// (another optimize) makes the commit conflict instead of both winning.
#include <algorithm>

#include "lake/delta/data_file.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/transaction.h"
#include "lake/parquet/file_reader.h"

namespace sluice::lake::delta {

OptimizeReport DeltaTable::optimize(int64_t target_bytes, int min_files,
                                    const parquet::WriterOptions& options) {
  TableState state = log_.load();
  if (state.version < 0) throw DeltaError("table " + log_.root() + " does not exist");
  std::vector<const AddFile*> small;
  for (const auto& [path, f] : state.files) {
    if (f.size < target_bytes / 2) small.push_back(&f);
  }
  OptimizeReport report;
  report.files_before = int64_t(state.files.size());
  if (int(small.size()) < std::max(min_files, 2)) return report;

  const TableSchema schema = parse_schema_string(state.metadata.schema_string);
  Transaction tx(log_, state);
  std::vector<parquet::Row> pending;
  int64_t pending_bytes = 0;
  auto write_pending = [&] {
    if (pending.empty()) return;
    tx.add(write_data_file(log_, schema, pending, options, /*data_change=*/false));
    report.files_written += 1;
    pending.clear();
    pending_bytes = 0;
  };
  for (const AddFile* f : small) {
    auto bytes = log_.store().get(log_.key(f->path));
    if (!bytes)
      throw DeltaError("live file " + f->path + " is missing from the store; the table is damaged");
    for (auto& row : parquet::FileReader(std::move(*bytes)).read_all())
      pending.push_back(std::move(row));
    pending_bytes += f->size;
    tx.remove(*f, /*data_change=*/false);
    report.files_rewritten += 1;
    if (pending_bytes >= target_bytes) write_pending();
  }
  write_pending();
  report.version = commit(tx, "OPTIMIZE", {{"targetSize", std::to_string(target_bytes)}});
  return report;
}

}  // namespace sluice::lake::delta
