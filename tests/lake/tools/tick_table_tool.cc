// tick_table_tool: appends market ticks to a Delta table with sluice's own
// table writer (DeltaTable::append), for tests/lake/test_serve_api.py. The table
// has the seed's MarketTick columns plus a `date` column, and is partitioned by
// [date, exchange] as the ticks pipeline lays it out. One run is one commit
// (one file per partition); small --row-group-bytes give files of several row
// groups so row-group pruning can be observed.
//
// Usage: tick_table_tool STORE TABLE [ROW_GROUP_BYTES] < ticks.csv
// Each input line: exchange,symbol,sequence,exchange_timestamp_us,price,volume
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/iso8601.h"
#include "lake/delta/delta_table.h"
#include "lake/store/object_store.h"

using namespace sluice::lake;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: tick_table_tool STORE TABLE [ROW_GROUP_BYTES] < ticks.csv\n");
    return 2;
  }
  delta::TableSchema schema;
  auto col = [&](const char* name, const char* type, bool nullable = true) {
    delta::TableColumn c;
    c.name = name;
    c.nullable = nullable;
    delta::parse_column_type(type, c);
    schema.push_back(c);
  };
  col("exchange", "string", false);
  col("symbol", "string", false);
  col("exchange_sequence_number", "long");
  col("exchange_timestamp", "timestamp", false);
  col("price", "double");
  col("volume", "long");
  col("message_id", "string");
  col("ingestion_timestamp", "timestamp");
  col("date", "date");
  std::vector<parquet::Row> rows;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::stringstream in(line);
    std::string exchange, symbol, seq, ts, price, volume;
    std::getline(in, exchange, ',');
    std::getline(in, symbol, ',');
    std::getline(in, seq, ',');
    std::getline(in, ts, ',');
    std::getline(in, price, ',');
    std::getline(in, volume, ',');
    const int64_t t = std::stoll(ts);
    rows.push_back({exchange, symbol, int64_t(std::stoll(seq)), t, std::stod(price),
                    int64_t(std::stoll(volume)), exchange + "." + symbol + "." + seq, t + 1000,
                    int32_t(sluice::floor_div(t, 86'400'000'000))});
  }
  auto store = open_store(argv[1]);
  delta::DeltaTable table(*store, argv[2]);
  table.create_or_check("ticks", schema, {"date", "exchange"});
  parquet::WriterOptions options;
  if (argc > 3) {
    options.row_group_bytes = std::stoll(argv[3]);
    options.page_bytes = std::min<int64_t>(options.page_bytes, options.row_group_bytes);
  }
  const int64_t version = table.append(std::move(rows), {}, options);
  std::printf("%lld\n", static_cast<long long>(version));
  return 0;
}
