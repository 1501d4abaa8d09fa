// How `sluice topics consume` prints records and `sluice topics produce` reads
// them: JSON lines with every field (null key and tombstone as null, headers in
// order with repeats), plain values with an optional key separator, and what
// consume prints produce reads back.
#include <gtest/gtest.h>

#include "cli/topics/record_text.h"

namespace sluice::cli {
namespace {

kafka::Record sample() {
  kafka::Record r;
  r.topic = "orders";
  r.partition = 2;
  r.offset = 41;
  r.timestamp_ms = 1700000000000;
  r.key = "k\"1";
  r.value = "v\n1";
  r.headers = {{"a", "1"}, {"a", "2"}};
  return r;
}

TEST(CliRecordText, JsonLineHasEveryFieldEscaped) {
  EXPECT_EQ(format_record(sample(), RecordFormat::kJson, std::nullopt),
            R"({"topic":"orders","partition":2,"offset":41,"timestamp":1700000000000,)"
            R"("key":"k\"1","headers":[{"key":"a","value":"1"},{"key":"a","value":"2"}],)"
            R"("value":"v\n1"})");
}

TEST(CliRecordText, NullKeyAndTombstoneAreJsonNull) {
  kafka::Record r = sample();
  r.key.reset();
  r.value.clear();
  r.null_value = true;
  r.headers.clear();
  const std::string line = format_record(r, RecordFormat::kJson, std::nullopt);
  EXPECT_NE(line.find(R"("key":null)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("value":null)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("headers":[])"), std::string::npos) << line;
}

TEST(CliRecordText, PlainIsTheValueOrKeySeparatorValue) {
  kafka::Record r = sample();
  r.value = "hello";
  EXPECT_EQ(format_record(r, RecordFormat::kPlain, std::nullopt), "hello");
  EXPECT_EQ(format_record(r, RecordFormat::kPlain, std::string(":")), "k\"1:hello");
  r.key.reset();
  EXPECT_EQ(format_record(r, RecordFormat::kPlain, std::string("\t")), "null\thello");
}

TEST(CliRecordText, PlainLineSplitsAtTheFirstSeparatorOnly) {
  ProduceDefaults d;
  d.key_separator = ":";
  const kafka::OutputRecord r = parse_record_line("user-1:a:b", 1, RecordFormat::kPlain, "t", d);
  EXPECT_EQ(r.topic, "t");
  EXPECT_EQ(r.key, "user-1");
  EXPECT_EQ(r.value, "a:b");
}

TEST(CliRecordText, PlainLineWithoutTheSeparatorIsRefusedWithItsNumber) {
  ProduceDefaults d;
  d.key_separator = ":";
  try {
    parse_record_line("no separator here", 7, RecordFormat::kPlain, "t", d);
    FAIL() << "accepted a line without its key";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("line 7"), std::string::npos) << e.what();
  }
}

TEST(CliRecordText, FlagsApplyWhereTheLineSaysNothing) {
  ProduceDefaults d;
  d.key = "default-key";
  d.partition = 3;
  d.headers = {{"source", "cli"}};
  const kafka::OutputRecord plain = parse_record_line("v", 1, RecordFormat::kPlain, "t", d);
  EXPECT_EQ(plain.key, "default-key");
  EXPECT_EQ(plain.partition, 3);
  ASSERT_EQ(plain.headers.size(), 1u);

  const kafka::OutputRecord json =
      parse_record_line(R"({"key":"own","value":"v","partition":1,"headers":{"h":"x"}})", 2,
                        RecordFormat::kJson, "t", d);
  EXPECT_EQ(json.key, "own");
  EXPECT_EQ(json.partition, 1);
  ASSERT_EQ(json.headers.size(), 2u);  // the line's, then the flag's
  EXPECT_EQ(json.headers[0], (std::pair<std::string, std::string>{"h", "x"}));
  EXPECT_EQ(json.headers[1], (std::pair<std::string, std::string>{"source", "cli"}));
}

TEST(CliRecordText, WhatConsumePrintsProduceReadsBack) {
  const kafka::Record in = sample();
  const kafka::OutputRecord out = parse_record_line(
      format_record(in, RecordFormat::kJson, std::nullopt), 1, RecordFormat::kJson, "copy", {});
  EXPECT_EQ(out.topic, "copy");
  EXPECT_EQ(out.key, in.key);
  EXPECT_EQ(out.value, in.value);
  EXPECT_EQ(out.headers, in.headers);
  EXPECT_EQ(out.partition, 2);  // a copy keeps each record in its partition

  kafka::Record tomb = in;
  tomb.value.clear();
  tomb.null_value = true;
  EXPECT_TRUE(parse_record_line(format_record(tomb, RecordFormat::kJson, std::nullopt), 1,
                                RecordFormat::kJson, "copy", {})
                  .null_value);
}

TEST(CliRecordText, BytesThatAreNotUtf8GoAsBase64AndComeBack) {
  kafka::Record in = sample();
  in.key = std::string("\xff\x00k", 3);
  in.value = std::string("\x89PNG\r\n\x1a\n\x00", 9);
  in.headers = {{"text", "ok"}, {"bin", "\xc3"}};
  const std::string line = format_record(in, RecordFormat::kJson, std::nullopt);
  EXPECT_NE(line.find("\"key_base64\":\"/wBr\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"value_base64\":\"iVBORw0KGgoA\""), std::string::npos) << line;
  EXPECT_NE(line.find("{\"key\":\"bin\",\"value_base64\":\"ww==\"}"), std::string::npos) << line;
  EXPECT_NE(line.find("{\"key\":\"text\",\"value\":\"ok\"}"), std::string::npos) << line;
  const kafka::OutputRecord out = parse_record_line(line, 1, RecordFormat::kJson, "copy", {});
  EXPECT_EQ(out.key, in.key);
  EXPECT_EQ(out.value, in.value);
  EXPECT_FALSE(out.null_value);
  EXPECT_EQ(out.headers, in.headers);
  EXPECT_THROW(
      parse_record_line(R"({"value_base64":"not base64"})", 3, RecordFormat::kJson, "copy", {}),
      std::invalid_argument);
}

TEST(CliRecordText, BadJsonLinesAreRefused) {
  for (const char* line : {"not json", "[1,2]", R"({"value":5})", R"({"partition":-1})",
                           R"({"headers":[{"key":"a"}]})", R"({"headers":"x"})"}) {
    EXPECT_THROW(parse_record_line(line, 1, RecordFormat::kJson, "t", {}), std::invalid_argument)
        << line;
  }
}

TEST(CliRecordText, HeaderFlagIsKeyEqualsValue) {
  EXPECT_EQ(parse_header_flag("a=b=c"), (std::pair<std::string, std::string>{"a", "b=c"}));
  EXPECT_EQ(parse_header_flag("empty="), (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_THROW(parse_header_flag("novalue"), std::invalid_argument);
  EXPECT_THROW(parse_header_flag("=x"), std::invalid_argument);
}

}  // namespace
}  // namespace sluice::cli
