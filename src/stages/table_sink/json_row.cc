#include "stages/table_sink/json_row.h"

#include <string>

#include "stages/record_json.h"

namespace sluice::stages {

lake::parquet::Row json_to_row(std::string_view json, const lake::delta::TableSchema& schema,
                               const std::vector<bool>& computed) {
  simdjson::dom::element parsed;
  if (auto err = parse_record_json(json, parsed))
    throw RowError(std::string("the event is not a JSON object: ") + simdjson::error_message(err));
  return lake::delta::json_to_row(parsed, schema, computed);
}

}  // namespace sluice::stages
