// libFuzzer target: a whole file through the Parquet reader (footer, thrift
// metadata, schema, pages, codecs, RLE/dictionary decoding), as the Delta
// layer reads checkpoints from the object store.
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
  return 0;
}
