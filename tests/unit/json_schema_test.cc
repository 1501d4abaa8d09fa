// The JSON Schema subset validator: every supported keyword, the JSON paths in
// its messages, and the load-time refusal of anything it does not enforce.
#include "stages/json_schema/json_schema.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>

#include "source_tree.h"

namespace sluice::stages::json_schema {
namespace {

// Errors of validating `instance` against `schema` (both JSON text).
std::vector<std::string> errors(const std::string& schema, const std::string& instance) {
  Schema s = Schema::parse(schema);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(instance);
  return s.validate(parser.parse(padded).value());
}

std::string only_error(const std::string& schema, const std::string& instance) {
  auto e = errors(schema, instance);
  EXPECT_EQ(e.size(), 1u) << ::testing::PrintToString(e);
  return e.empty() ? "" : e.front();
}

bool valid(const std::string& schema, const std::string& instance) {
  return errors(schema, instance).empty();
}

TEST(JsonSchemaType, SingleNames) {
  EXPECT_TRUE(valid(R"({"type":"string"})", R"("x")"));
  EXPECT_EQ(only_error(R"({"type":"string"})", "3"), "$: expected string, got integer");
  EXPECT_TRUE(valid(R"({"type":"null"})", "null"));
  EXPECT_TRUE(valid(R"({"type":"boolean"})", "false"));
  EXPECT_TRUE(valid(R"({"type":"object"})", "{}"));
  EXPECT_TRUE(valid(R"({"type":"array"})", "[]"));
  EXPECT_EQ(only_error(R"({"type":"array"})", "{}"), "$: expected array, got object");
}

TEST(JsonSchemaType, IntegerAcceptsIntegralNumbersOnly) {
  EXPECT_TRUE(valid(R"({"type":"integer"})", "3"));
  EXPECT_TRUE(valid(R"({"type":"integer"})", "3.0"));
  EXPECT_TRUE(valid(R"({"type":"integer"})", "18446744073709551615"));
  EXPECT_EQ(only_error(R"({"type":"integer"})", "3.5"), "$: expected integer, got number");
  EXPECT_TRUE(valid(R"({"type":"number"})", "3"));
  EXPECT_TRUE(valid(R"({"type":"number"})", "-3.5e2"));
}

TEST(JsonSchemaType, ArrayOfTypes) {
  const char* s = R"({"type":["string","null"]})";
  EXPECT_TRUE(valid(s, R"("x")"));
  EXPECT_TRUE(valid(s, "null"));
  EXPECT_EQ(only_error(s, "true"), "$: expected string or null, got boolean");
}

TEST(JsonSchemaObject, PropertiesRequiredAndPaths) {
  const char* s = R"({"type":"object","required":["a","b"],
                      "properties":{"a":{"type":"string"},"odd key":{"type":"integer"}}})";
  EXPECT_TRUE(valid(s, R"({"a":"x","b":1})"));
  auto e = errors(s, R"({"a":1,"odd key":"y"})");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "$.b: required property is missing");
  EXPECT_EQ(e[1], "$.a: expected string, got integer");
  EXPECT_EQ(e[2], R"($["odd key"]: expected integer, got string)");
}

// An object with many properties is checked in one pass over its fields; the
// messages come in the same order: missing required properties first, then
// each field's violations in field order.
TEST(JsonSchemaObject, ManyPropertiesReportMissingOnesFirst) {
  const char* s = R"({"type":"object","required":["a","b","c","d","a"],"additionalProperties":false,
                      "properties":{"a":{"type":"string"},"b":{"type":"integer"},
                                    "c":{"type":"integer"},"d":{}}})";
  EXPECT_TRUE(valid(s, R"({"a":"x","b":1,"c":2,"d":null})"));
  auto e = errors(s, R"({"c":"no","z":1,"a":2})");
  ASSERT_EQ(e.size(), 5u) << ::testing::PrintToString(e);
  EXPECT_EQ(e[0], "$.b: required property is missing");
  EXPECT_EQ(e[1], "$.d: required property is missing");
  EXPECT_EQ(e[2], "$.c: expected integer, got string");
  EXPECT_EQ(e[3], "$.z: property is not allowed (additionalProperties is false)");
  EXPECT_EQ(e[4], "$.a: expected string, got integer");

  // Cut at max_errors as if the missing ones had been found first.
  simdjson::dom::parser parser;
  simdjson::padded_string instance(std::string(R"({"c":"no","z":1,"a":2})"));
  auto first = Schema::parse(s).validate(parser.parse(instance).value(), 3);
  EXPECT_EQ(first, std::vector<std::string>(e.begin(), e.begin() + 3));
}

TEST(JsonSchemaObject, AdditionalPropertiesFalse) {
  const char* s = R"({"properties":{"a":{}},"additionalProperties":false})";
  EXPECT_TRUE(valid(s, R"({"a":1})"));
  EXPECT_EQ(only_error(s, R"({"a":1,"z":2})"),
            "$.z: property is not allowed (additionalProperties is false)");
  EXPECT_TRUE(valid(R"({"properties":{"a":{}},"additionalProperties":true})", R"({"z":2})"));
}

TEST(JsonSchemaArray, ItemsAndBounds) {
  const char* s = R"({"type":"array","minItems":1,"maxItems":2,"items":{"type":"integer"}})";
  EXPECT_TRUE(valid(s, "[1,2]"));
  EXPECT_EQ(only_error(s, "[]"), "$: has 0 items, fewer than minItems 1");
  EXPECT_EQ(only_error(s, "[1,2,3]"), "$: has 3 items, more than maxItems 2");
  EXPECT_EQ(only_error(s, R"([1,"x"])"), "$[1]: expected integer, got string");
}

TEST(JsonSchemaValues, EnumComparesJsonValues) {
  const char* s = R"({"enum":["a",1,{"k":[true,null]}]})";
  EXPECT_TRUE(valid(s, R"("a")"));
  EXPECT_TRUE(valid(s, "1.0"));
  EXPECT_TRUE(valid(s, R"({ "k" : [true, null] })"));
  EXPECT_EQ(only_error(s, R"("b")"), R"($: is not one of enum ["a", 1, {"k":[true,null]}])");
}

TEST(JsonSchemaValues, Const) {
  const char* s = R"({"const":{"a":1,"b":"x"}})";
  EXPECT_TRUE(valid(s, R"({"b":"x","a":1})"));
  EXPECT_EQ(only_error(s, R"({"a":2,"b":"x"})"), R"($: is not equal to const {"a":1,"b":"x"})");
}

TEST(JsonSchemaString, LengthCountsCodePoints) {
  const char* s = R"({"minLength":2,"maxLength":3})";
  EXPECT_TRUE(valid(s, R"("\u00e9\u00e9\u00e9")"));  // three code points, six bytes
  EXPECT_EQ(only_error(s, R"("a")"), "$: length 1 is less than minLength 2");
  EXPECT_EQ(only_error(s, R"("abcd")"), "$: length 4 is more than maxLength 3");
}

TEST(JsonSchemaString, PatternIsUnanchoredEcmaScript) {
  EXPECT_TRUE(valid(R"({"pattern":"b+"})", R"("abbbc")"));
  EXPECT_TRUE(valid(R"({"pattern":"^C-[0-9]+$"})", R"("C-000123")"));
  EXPECT_EQ(only_error(R"({"pattern":"^C-[0-9]+$"})", R"("X-1")"),
            "$: does not match pattern ^C-[0-9]+$");
  // Pattern and type apply only to strings.
  EXPECT_TRUE(valid(R"({"pattern":"^x$"})", "12"));
}

TEST(JsonSchemaString, TooLongStringsAreNotMatched) {
  auto e = errors(R"({"maxLength":3,"pattern":"^a$"})", R"("aaaa")");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "$: length 4 is more than maxLength 3");
}

TEST(JsonSchemaNumber, MinimumAndMaximumAreInclusive) {
  const char* s = R"({"minimum":1,"maximum":2.5})";
  EXPECT_TRUE(valid(s, "1"));
  EXPECT_TRUE(valid(s, "2.5"));
  EXPECT_EQ(only_error(s, "0"), "$: 0 is less than minimum 1");
  EXPECT_EQ(only_error(s, "3"), "$: 3 is more than maximum 2.5");
}

TEST(JsonSchemaFormat, DateTime) {
  for (const char* ok : {"2026-11-27T12:00:00Z", "2026-11-27t12:00:00.123z",
                         "2024-02-29T23:59:60+01:00", "2026-01-01T00:00:00-08:30"}) {
    EXPECT_TRUE(is_date_time(ok)) << ok;
  }
  for (const char* bad :
       {"2026-11-27", "2026-11-27T12:00:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-11-27 12:00:00Z", "2026-11-27T24:00:00Z", "2026-11-27T12:00:00.Z",
        "2026-11-27T12:00:00+0100", "2026-11-27T12:00:00Zjunk", ""}) {
    EXPECT_FALSE(is_date_time(bad)) << bad;
  }
  EXPECT_EQ(only_error(R"({"format":"date-time"})", R"("yesterday")"),
            "$: does not match format date-time");
}

TEST(JsonSchemaFormat, UriIsAnAbsoluteHttpUrl) {
  for (const char* ok :
       {"http://127.0.0.1:8080/files/C-1/0.pdf", "https://example.com", "HTTPS://a.b/c?d=e#f",
        "http://[::1]:80/x", "http://user@host/p%20q", "http://files.untrusted.example/x"}) {
    EXPECT_TRUE(is_http_uri(ok)) << ok;
  }
  for (const char* bad : {"ftp://host/x", "http://", "http:///x", "http://host:99999/",
                          "http://host:x/", "http://ho st/", "http://host/a b", "http://host/%zz",
                          "not a url", "//host/x", "http://.host/", "http://host/\x7f"}) {
    EXPECT_FALSE(is_http_uri(bad)) << bad;
  }
}

TEST(JsonSchemaPaths, NestedArrayPathsInMessages) {
  const char* s =
      R"({"properties":{"attachments":{"items":{"properties":{"url":{"format":"uri"}}}}}})";
  auto e =
      errors(s, R"({"attachments":[{"url":"http://a/x"},{"url":"http://b/y"},{"url":"nope"}]})");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "$.attachments[2].url: does not match format uri");
}

TEST(JsonSchemaBoolean, FalseRejectsAndTrueAccepts) {
  EXPECT_EQ(only_error(R"({"properties":{"x":false}})", R"({"x":1})"), "$.x: is not allowed here");
  EXPECT_TRUE(valid(R"({"properties":{"x":true}})", R"({"x":1})"));
}

TEST(JsonSchemaLimits, StopsAtMaxErrors) {
  Schema s = Schema::parse(R"({"items":{"type":"string"}})");
  simdjson::dom::parser parser;
  simdjson::padded_string text(std::string("[1,2,3,4,5]"));
  EXPECT_EQ(s.validate(parser.parse(text).value(), 2).size(), 2u);
}

TEST(JsonSchemaCombine, AllOfAppliesEverySchemaAndNamesATitledRule) {
  const std::string schema = R"({"allOf":[{"required":["a"]},)"
                             R"({"title":"b is small","properties":{"b":{"maximum":3}}}]})";
  EXPECT_TRUE(valid(schema, R"({"a":1,"b":2})"));
  EXPECT_EQ(only_error(schema, R"({"b":2})"), "$.a: required property is missing");
  EXPECT_EQ(only_error(schema, R"({"a":1,"b":5})"),
            "$.b: 5 is more than maximum 3 (rule: b is small)");
  EXPECT_EQ(errors(schema, R"({"b":5})").size(), 2u);
}

TEST(JsonSchemaCombine, IfThenElseAppliesTheBranchTheConditionChooses) {
  // A rule that depends on another field: door sensors report 0 or 1, others 15 to 35.
  const std::string schema = R"({"allOf":[{"title":"door_sensor value",
      "if":{"properties":{"type":{"const":"door_sensor"}},"required":["type"]},
      "then":{"properties":{"value":{"enum":[0,1]}}},
      "else":{"properties":{"value":{"minimum":15,"maximum":35}}}}]})";
  EXPECT_TRUE(valid(schema, R"({"type":"door_sensor","value":1})"));
  EXPECT_TRUE(valid(schema, R"({"type":"thermo","value":20})"));
  EXPECT_EQ(only_error(schema, R"({"type":"door_sensor","value":2})"),
            "$.value: is not one of enum [0, 1] (rule: door_sensor value)");
  EXPECT_EQ(only_error(schema, R"({"type":"thermo","value":1})"),
            "$.value: 1 is less than minimum 15 (rule: door_sensor value)");
  // No condition met and no else: nothing to check; a failing condition is never reported.
  EXPECT_TRUE(valid(R"({"if":{"required":["x"]},"then":false})", R"({"y":1})"));
  EXPECT_EQ(only_error(R"({"if":{"required":["x"]},"then":false})", R"({"x":1})"),
            "$: is not allowed here");
}

TEST(JsonSchemaCombine, ATitledBranchNamesItsRuleToo) {
  const std::string schema = R"({"allOf":[{"title":"sensor value",
      "if":{"properties":{"type":{"const":"door_sensor"}},"required":["type"]},
      "then":{"title":"door sensors report 0 or 1","properties":{"value":{"enum":[0,1]}}}}]})";
  EXPECT_EQ(only_error(schema, R"({"type":"door_sensor","value":2})"),
            "$.value: is not one of enum [0, 1] (rule: door sensors report 0 or 1) "
            "(rule: sensor value)");
}

TEST(JsonSchemaCombine, MalformedCombinatorsAreRefusedAtLoad) {
  EXPECT_THROW(Schema::parse(R"({"allOf":[]})"), SchemaError);
  EXPECT_THROW(Schema::parse(R"({"allOf":{"type":"string"}})"), SchemaError);
  EXPECT_THROW(Schema::parse(R"({"if":3})"), SchemaError);
  EXPECT_THROW(Schema::parse(R"({"title":7})"), SchemaError);
}

TEST(JsonSchemaLoad, RefusesWhatItDoesNotEnforce) {
  auto message = [](const std::string& schema) {
    try {
      Schema::parse(schema, "claim.json");
    } catch (const SchemaError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(message(R"({"properties":{"a":{"oneOf":[]}}})")
                .rfind("claim.json: $.properties.a: keyword 'oneOf' is not supported", 0),
            0u);
  EXPECT_EQ(message(R"({"format":"email"})"),
            "claim.json: $: format 'email' is not supported (supported: date-time, uri)");
  EXPECT_EQ(message(R"({"additionalProperties":{"type":"string"}})"),
            "claim.json: $: 'additionalProperties' must be true or false (schemas there are not "
            "supported)");
  EXPECT_EQ(message(R"({"type":"text"})").rfind("claim.json: $: unknown type 'text'", 0), 0u);
  EXPECT_EQ(message(R"({"minItems":-1})"),
            "claim.json: $: 'minItems' must be a non-negative integer");
  EXPECT_EQ(message(R"({"pattern":"("})")
                .rfind("claim.json: $: 'pattern' ( is not a valid regular expression", 0),
            0u);
  EXPECT_EQ(message(R"({"items":[{}]})"),
            "claim.json: $: 'items' must be one schema (tuple form is not supported)");
  EXPECT_EQ(message("{"), "claim.json: not valid JSON: " +
                              std::string(simdjson::error_message(simdjson::TAPE_ERROR)));
  EXPECT_EQ(message(R"({"title":"t","description":"d","$comment":"c","default":1,"examples":[]})"),
            "(no error)");
}

TEST(JsonSchemaLoad, MissingFileIsNamed) {
  try {
    Schema::load_file("/nonexistent/claim.schema.json");
    FAIL() << "expected SchemaError";
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/claim.schema.json"), std::string::npos);
  }
}

TEST(JsonSchemaShipped, ClaimEventSchema) {
  auto path = sluice::testing::source_path("examples/claims-attachments/claim-event.schema.json");
  Schema s = Schema::load_file(path.string());
  simdjson::dom::parser parser;
  auto check = [&](const std::string& text) {
    simdjson::padded_string padded(text);
    return s.validate(parser.parse(padded).value());
  };
  EXPECT_TRUE(
      check(
          R"({"claim_id":"C-000123","event_type":"claim.submitted","submitted_at":"2026-11-27T12:00:00Z",
      "policy_id":"P-42","attachments":[{"url":"http://127.0.0.1:8080/files/C-000123/0.pdf",
      "content_type":"application/pdf","name":"invoice.pdf"}]})")
          .empty());
  auto e = check(R"({"event_type":"claim.opened","submitted_at":"now","attachments":[]})");
  ASSERT_EQ(e.size(), 4u) << ::testing::PrintToString(e);
  EXPECT_EQ(e[0], "$.claim_id: required property is missing");
  EXPECT_EQ(e[1], R"($.event_type: is not one of enum ["claim.submitted", "claim.updated"])");
  EXPECT_EQ(e[2], "$.submitted_at: does not match format date-time");
  EXPECT_EQ(e[3], "$.attachments: has 0 items, fewer than minItems 1");
}

}  // namespace
}  // namespace sluice::stages::json_schema
