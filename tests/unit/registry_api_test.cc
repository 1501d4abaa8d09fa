// The registry's REST layer on its own: routing (percent-encoded subjects, the
// shapes of every path), request bodies (a bare .avsc, bad JSON, other schema
// types), Confluent's error codes, and which requests are changes handed to the
// elected writer. The store applies every record after a trip through the
// `_schemas` record format, as the real log does (registry_state_test.cc); the
// log itself, with a real broker, is tests/clients/test_schema_registry.py's.
#include "registry/registry_api.h"

#include <gtest/gtest.h>

#include "common/json.h"
#include "registry_round_trip_store.h"

namespace sluice::registry {
namespace {

const std::string kTick =
    R"({"type":"record","name":"Tick","fields":[{"name":"symbol","type":"string"}]})";

// A gate that is never the writer and answers every change itself.
class ElsewhereGate : public WriteGate {
 public:
  std::optional<ops::HttpReply> forward(const ApiRequest& r) override {
    seen.push_back(r.method + " " + r.path);
    return ops::HttpReply{200, "{\"forwarded\":true}", kRegistryContentType};
  }
  bool holds() const override { return false; }
  std::vector<std::string> seen;
};

class RegistryApiTest : public ::testing::Test {
 protected:
  ops::HttpReply call(const std::string& method, const std::string& path,
                      const std::string& body = "", std::map<std::string, std::string> query = {}) {
    return api.handle({.method = method, .path = path, .query = std::move(query), .body = body});
  }
  std::string wrapped(const std::string& schema) {
    return "{\"schema\":" + json::quote(schema) + "}";
  }

  RoundTripStore store;
  ops::MetricsRegistry metrics;
  RegistryApi api{store, metrics};
};

TEST_F(RegistryApiTest, APercentEncodedSubjectIsOneSegment) {
  auto r = call("POST", "/subjects/a%2Fb-value/versions", wrapped(kTick));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"({"id":1})");
  EXPECT_EQ(call("GET", "/subjects").body, R"(["a/b-value"])");
  EXPECT_EQ(call("GET", "/subjects/a%2fb-value/versions").body, "[1]");
}

TEST_F(RegistryApiTest, ABareAvscBodyIsTheSchemaAndIsStoredMinified) {
  ASSERT_EQ(call("POST", "/subjects/t/versions", "{ \"type\": \"string\" }").status, 200);
  EXPECT_EQ(call("GET", "/subjects/t/versions/1/schema").body, R"({"type":"string"})");
}

TEST_F(RegistryApiTest, BodiesThatCannotBeReadSayWhatToSend) {
  auto bad = call("POST", "/subjects/t/versions", "{\"schem\": 1}");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\\\"schema\\\""), std::string::npos) << bad.body;
  auto proto = call("POST", "/subjects/t/versions", R"({"schema":"x","schemaType":"PROTOBUF"})");
  EXPECT_EQ(proto.status, 422);
  EXPECT_NE(proto.body.find("42201"), std::string::npos);
  auto refs = call("POST", "/subjects/t/versions",
                   R"({"schema":"\"int\"","references":[{"name":"a","subject":"b","version":1}]})");
  EXPECT_EQ(refs.status, 422);
  EXPECT_EQ(call("PUT", "/config", R"({"compatibility":"full"})").body,
            R"({"compatibility":"FULL"})");
}

TEST_F(RegistryApiTest, VersionsOutsideTheRangeAreRefusedWith42202) {
  call("POST", "/subjects/t/versions", wrapped(kTick));
  for (const char* v : {"0", "-2", "x", "2147483648", "99999999999"})
    EXPECT_NE(call("GET", std::string("/subjects/t/versions/") + v).body.find("42202"),
              std::string::npos)
        << v;
  EXPECT_EQ(call("GET", "/subjects/t/versions/-1").status, 200);  // -1 is "latest"
}

TEST_F(RegistryApiTest, UnknownPathsAndMethodsAreConfluentErrors) {
  EXPECT_EQ(call("GET", "/nope").status, 404);
  EXPECT_EQ(call("PATCH", "/config").status, 405);
  EXPECT_EQ(call("GET", "/subjects/t/versions/1/other").status, 404);
  EXPECT_EQ(call("GET", "/").body, "{}");
}

TEST_F(RegistryApiTest, OnlyChangesGoToTheWriter) {
  ElsewhereGate gate;
  RegistryApi follower(store, metrics, &gate);
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/subjects/t/versions"},
           {"DELETE", "/subjects/t"},
           {"DELETE", "/subjects/t/versions/1"},
           {"PUT", "/config"},
           {"DELETE", "/config/t"},
           {"GET", "/subjects"},
           {"POST", "/subjects/t"},
           {"POST", "/compatibility/subjects/t/versions/latest"},
           {"GET", "/mode"}}) {
    follower.handle({.method = method, .path = path, .query = {}, .body = wrapped(kTick)});
  }
  EXPECT_EQ(gate.seen, (std::vector<std::string>{"POST /subjects/t/versions", "DELETE /subjects/t",
                                                 "DELETE /subjects/t/versions/1", "PUT /config",
                                                 "DELETE /config/t"}));
}

}  // namespace
}  // namespace sluice::registry
