// Decimal columns of the table sink: the JSON text avro-decode writes for an
// Avro decimal ("-12.50") becomes the exact unscaled value, a value the column
// cannot hold is a RowError naming the column, and the Delta schema string
// carries decimal(P,S) both ways.
#include <gtest/gtest.h>

#include "lake/delta/delta_error.h"
#include "lake/delta/table_schema.h"
#include "stages/table_sink/json_row.h"

namespace sluice::stages {
namespace {

using lake::delta::TableColumn;
using lake::delta::TableSchema;

TableSchema price_column() {
  TableColumn c{"price", lake::parquet::Type::kString, true};
  lake::delta::parse_column_type("decimal(12,4)", c);
  return {c};
}

int64_t unscaled(const std::string& json) {
  return std::get<int64_t>(json_to_row(json, price_column()).at(0).v);
}

std::string error_of(const std::string& json) {
  try {
    json_to_row(json, price_column());
  } catch (const RowError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TableSinkDecimal, TextAndIntegersBecomeTheExactUnscaledValue) {
  EXPECT_EQ(unscaled(R"({"price":"45.1230"})"), 451230);
  EXPECT_EQ(unscaled(R"({"price":"-12.5"})"), -125000);
  EXPECT_EQ(unscaled(R"({"price":"0.0001"})"), 1);
  EXPECT_EQ(unscaled(R"({"price":"00012"})"), 120000);
  EXPECT_EQ(unscaled(R"({"price":7})"), 70000);
  EXPECT_EQ(unscaled(R"({"price":"99999999.9999"})"), 999999999999);
  EXPECT_TRUE(json_to_row(R"({"price":null})", price_column()).at(0).is_null());
}

TEST(TableSinkDecimal, WhatTheColumnCannotHoldNamesTheColumn) {
  EXPECT_NE(error_of(R"({"price":"1.23456"})")
                .find("column 'price' (decimal(12,4)): '1.23456' has "
                      "more than the column's 4 fraction digits"),
            std::string::npos)
      << error_of(R"({"price":"1.23456"})");
  EXPECT_NE(error_of(R"({"price":"123456789.0"})").find("more than the column's 12 digits"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"price":"123456789012345678901234567890"})").find("12 digits"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"price":45.5})").find("a JSON fraction is not exact"), std::string::npos);
  EXPECT_NE(error_of(R"({"price":"4x"})").find("is not a decimal number"), std::string::npos);
  EXPECT_NE(error_of(R"({"price":"-"})").find("is not a decimal number"), std::string::npos);
}

TEST(TableSinkDecimal, TheDeltaSchemaStringCarriesPrecisionAndScale) {
  const TableSchema schema = price_column();
  const std::string text = lake::delta::to_schema_string(schema);
  EXPECT_NE(text.find(R"j("type":"decimal(12,4)")j"), std::string::npos) << text;
  const TableSchema back = lake::delta::parse_schema_string(text);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].type, lake::parquet::Type::kDecimal);
  EXPECT_EQ(back[0].precision, 12);
  EXPECT_EQ(back[0].scale, 4);
  TableColumn c;
  EXPECT_THROW(lake::delta::parse_column_type("decimal(19,2)", c), lake::delta::DeltaError);
  EXPECT_THROW(lake::delta::parse_column_type("decimal(4,5)", c), lake::delta::DeltaError);
  EXPECT_THROW(lake::delta::parse_column_type("decimal", c), lake::delta::DeltaError);
}

}  // namespace
}  // namespace sluice::stages
