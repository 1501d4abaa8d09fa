#include "lake/delta/row_order.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "lake/delta/delta_error.h"

namespace sluice::lake::delta {

int compare_values(const parquet::Value& a, const parquet::Value& b) {
  if (a.v.index() != b.v.index()) return a.v.index() < b.v.index() ? -1 : 1;  // null is index 0
  return std::visit(
      [&](const auto& x) -> int {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate> || std::is_same_v<T, parquet::ValueList> ||
                      std::is_same_v<T, parquet::ValueMap>) {
          return 0;  // table columns are primitive; nested values keep their order
        } else {
          const T& y = std::get<T>(b.v);
          return x < y ? -1 : y < x ? 1 : 0;
        }
      },
      a.v);
}

std::vector<const parquet::Row*> rows_in_order(const TableSchema& schema,
                                               const std::vector<parquet::Row>& rows,
                                               const SortOrder& order) {
  std::vector<size_t> columns;
  for (const std::string& name : order) {
    const auto it = std::find_if(schema.begin(), schema.end(),
                                 [&](const TableColumn& c) { return c.name == name; });
    if (it == schema.end())
      throw DeltaError("cannot sort a data file by '" + name +
                       "': the file has no such column (partition columns are not in files)");
    columns.push_back(size_t(it - schema.begin()));
  }
  std::vector<const parquet::Row*> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(&row);
  if (columns.empty()) return out;
  std::stable_sort(out.begin(), out.end(), [&](const parquet::Row* a, const parquet::Row* b) {
    for (const size_t c : columns) {
      if (const int d = compare_values((*a)[c], (*b)[c]); d != 0) return d < 0;
    }
    return false;
  });
  return out;
}

}  // namespace sluice::lake::delta
