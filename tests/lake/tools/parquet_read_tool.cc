// parquet_read_tool: reads a Parquet file with sluice's FileReader and prints
// its top-level field names and rows as JSON (values as parquet_json.h writes
// them), so a test can compare what sluice reads in a file another writer
// (DuckDB) wrote with what that writer reads back.
//
// Usage: parquet_read_tool <file.parquet>
// Exit status 1 with the ParquetError on stderr when sluice refuses the file.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "lake/parquet/file_reader.h"
#include "parquet_json.h"

int main(int argc, char** argv) {
  using namespace sluice::lake::parquet;
  if (argc != 2) {
    std::fprintf(stderr, "usage: parquet_read_tool <file.parquet>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 2;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  try {
    FileReader reader(bytes.str());
    const std::vector<Field>& fields = reader.schema();
    std::string out = "{\"fields\":[";
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + quote(fields[i].name);
    out += "],\"rows\":[";
    const std::vector<Row> rows = reader.read_all();
    for (size_t r = 0; r < rows.size(); ++r) {
      out += r ? ",[" : "[";
      for (size_t c = 0; c < fields.size(); ++c)
        out += (c ? "," : "") + json(fields[c], rows[r][c]);
      out += "]";
    }
    std::printf("%s]}\n", out.c_str());
  } catch (const ParquetError& e) {
    std::fprintf(stderr, "parquet_read_tool: %s: %s\n", argv[1], e.what());
    return 1;
  }
  return 0;
}
