// libFuzzer target: a whole file through the Parquet reader (footer, thrift
// metadata, schema, pages, codecs, RLE/dictionary decoding), as the Delta
// layer reads checkpoints from the object store, then each flat column as
// typed arrays, as the query API (src/serve) filters them.
//
// Expected outcome for bad input: ParquetError (file_reader.h's invariant).
#include <cstddef>
#include <cstdint>
#include <string>

#include "lake/parquet/file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::lake::parquet;
  try {
    FileReader reader(std::string(reinterpret_cast<const char*>(data), size));
    (void)reader.schema();
    (void)reader.key_value_metadata();
    (void)reader.read_all();
  } catch (const ParquetError&) {
  }
  try {
    FileReader reader(std::string(reinterpret_cast<const char*>(data), size));
    for (int64_t g = 0; g < reader.num_row_groups(); ++g) {
      for (const Field& f : reader.schema()) {
        const auto column = reader.read_typed_column(g, f.name);
        if (!column) continue;
        for (size_t row = 0; row < column->rows(); ++row) (void)column->value(row);
        (void)column->rows_equal("a", nullptr);
        (void)column->rows_in_range(0, 1000, nullptr);
      }
    }
  } catch (const ParquetError&) {
  }
  return 0;
}
