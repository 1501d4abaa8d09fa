// parse_record_json: a record's JSON through this thread's parser. Whatever it
// reuses (the buffer, the last document), each call answers for the text it
// was given.
#include "stages/record_json.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::stages {
namespace {

int64_t field_a(const std::string& text) {
  simdjson::dom::element e;
  EXPECT_EQ(parse_record_json(text, e), simdjson::SUCCESS) << text;
  int64_t a = 0;
  EXPECT_EQ(e["a"].get(a), simdjson::SUCCESS) << text;
  return a;
}

TEST(ParseRecordJson, EachCallReadsTheTextItWasGiven) {
  const std::string one = R"({"a":1})", two = R"({"a":2})";
  EXPECT_EQ(field_a(one), 1);
  EXPECT_EQ(field_a(one), 1);  // the same text again: the same document
  EXPECT_EQ(field_a(two), 2);
  std::string reused = one;  // one buffer holding another text, as a reused string would
  EXPECT_EQ(field_a(reused), 1);
  reused[5] = '3';
  EXPECT_EQ(field_a(reused), 3);
  EXPECT_EQ(field_a(R"({"a":1} )"), 1);  // a longer text starting with the last one
}

TEST(ParseRecordJson, AnErrorIsAnsweredAgainForTheSameText) {
  simdjson::dom::element e;
  EXPECT_NE(parse_record_json("{\"a\":", e), simdjson::SUCCESS);
  EXPECT_NE(parse_record_json("{\"a\":", e), simdjson::SUCCESS);
  EXPECT_EQ(field_a(R"({"a":4})"), 4);
}

}  // namespace
}  // namespace sluice::stages
