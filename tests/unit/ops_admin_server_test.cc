// The admin HTTP surface on a real loopback port, driven by httplib::Client.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "ops/admin_request_guard.h"
#include "ops/admin_server.h"

namespace sluice::ops {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class AdminServerTest : public ::testing::Test {
 protected:
  AdminServerTest() : server_("127.0.0.1", 0, registry_), client_("127.0.0.1", server_.port()) {
    client_.set_connection_timeout(5);
    client_.set_read_timeout(5);
  }
  void SetUp() override { server_.start(); }

  MetricsRegistry registry_;
  AdminServer server_;
  httplib::Client client_;
};

TEST_F(AdminServerTest, ServesMetricsAsPrometheusText) {
  registry_.counter("kafka_messages_produced_total", "Produced", {{"topic", "t"}}).inc(5);

  auto res = client_.Get("/metrics");

  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_EQ(parse_prometheus_text(res->body).at("kafka_messages_produced_total{topic=\"t\"}"), 5);
}

TEST_F(AdminServerTest, HealthAndReadinessAreOkByDefault) {
  for (const char* path : {"/healthz", "/readyz"}) {
    auto res = client_.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->body, "ok\n") << path;
  }
}

TEST_F(AdminServerTest, HealthzAnswers503WithTheFailingChecksDetails) {
  std::atomic<bool> broker_reachable = true;
  server_.set_liveness([&] {
    return HealthStatus{broker_reachable,
                        broker_reachable ? "broker: reachable" : "broker: unreachable for 30s"};
  });

  auto healthy = client_.Get("/healthz");
  broker_reachable = false;
  auto unhealthy = client_.Get("/healthz");

  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  EXPECT_EQ(healthy->body, "ok\nbroker: reachable\n");
  ASSERT_TRUE(unhealthy);
  EXPECT_EQ(unhealthy->status, 503);
  EXPECT_EQ(unhealthy->body, "fail\nbroker: unreachable for 30s\n");
}

TEST_F(AdminServerTest, ReadyzReportsAThrowingCheckAsNotReady) {
  server_.set_readiness([]() -> HealthStatus { throw std::runtime_error("assignment pending"); });

  auto res = client_.Get("/readyz");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_TRUE(contains(res->body, "assignment pending")) << res->body;
}

TEST_F(AdminServerTest, ServesCustomGetAndPostRoutes) {
  std::string received;
  server_.get("/status", [] {
    return AdminServer::Reply{.body = "{\"paused\":false}", .content_type = "application/json"};
  });
  server_.post("/pause", [&](const std::string& body) {
    received = body;
    return AdminServer::Reply{.status = 202, .body = "paused\n"};
  });

  auto status = client_.Get("/status");
  auto pause = client_.Post("/pause", "{\"name\":\"all\"}", "application/json");

  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(status->body, "{\"paused\":false}");
  ASSERT_TRUE(pause);
  EXPECT_EQ(pause->status, 202);
  EXPECT_EQ(pause->body, "paused\n");
  EXPECT_EQ(received, "{\"name\":\"all\"}");
}

// The CSRF and token rules (admin_request_guard.h), over HTTP.
class AdminCommandGuardTest : public AdminServerTest {
 protected:
  void SetUp() override {
    server_.require_token("s3cret-token");
    server_.post("/pause", [this](const std::string&) {
      paused_ += 1;
      return AdminServer::Reply{.body = "paused\n"};
    });
    AdminServerTest::SetUp();
  }
  httplib::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
  std::string own_origin() { return "http://127.0.0.1:" + std::to_string(server_.port()); }

  std::atomic<int> paused_ = 0;
};

TEST_F(AdminCommandGuardTest, APostWithoutTheTokenIs401AndChangesNothing) {
  auto res = client_.Post("/pause", "{}", "application/json");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer realm=\"sluice-admin\"");
  EXPECT_TRUE(contains(res->body, "Authorization: Bearer")) << res->body;
  EXPECT_EQ(paused_, 0);
}

TEST_F(AdminCommandGuardTest, AWrongTokenIs401WithoutSayingHowClose) {
  auto res = client_.Post("/pause", bearer("s3cret-tokem"), "{}", "application/json");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_TRUE(contains(res->body, "wrong admin token")) << res->body;
  EXPECT_FALSE(contains(res->body, "s3cret")) << res->body;
  EXPECT_EQ(paused_, 0);
}

TEST_F(AdminCommandGuardTest, TheRightTokenAndAJsonBodyAreServed) {
  auto res = client_.Post("/pause", bearer("s3cret-token"), "{\"name\":\"copy\"}",
                          "application/json; charset=utf-8");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(paused_, 1);
}

TEST_F(AdminCommandGuardTest, ACrossOriginTextPlainPostIsRefusedEvenWithTheToken) {
  httplib::Headers headers = bearer("s3cret-token");
  headers.emplace("Origin", "https://evil.example");

  auto res = client_.Post("/pause", headers, "copy", "text/plain");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_TRUE(contains(res->body, "cross-origin")) << res->body;
  EXPECT_EQ(paused_, 0);
}

TEST_F(AdminCommandGuardTest, ABrowsersCrossSiteFetchIsRefused) {
  httplib::Headers headers = bearer("s3cret-token");
  headers.emplace("Sec-Fetch-Site", "cross-site");

  auto res = client_.Post("/pause", headers, "{}", "application/json");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(paused_, 0);
}

TEST_F(AdminCommandGuardTest, TheServersOwnOriginIsAccepted) {
  httplib::Headers headers = bearer("s3cret-token");
  headers.emplace("Origin", own_origin());

  auto res = client_.Post("/pause", headers, "{}", "application/json");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_F(AdminCommandGuardTest, NonJsonContentTypesAndBodiesAreRefused) {
  auto text = client_.Post("/pause", bearer("s3cret-token"), "copy", "text/plain");
  auto form = client_.Post("/pause", bearer("s3cret-token"), "name=copy",
                           "application/x-www-form-urlencoded");
  auto not_an_object = client_.Post("/pause", bearer("s3cret-token"), "copy", "application/json");

  ASSERT_TRUE(text && form && not_an_object);
  EXPECT_EQ(text->status, 415);
  EXPECT_TRUE(contains(text->body, "application/json")) << text->body;
  EXPECT_EQ(form->status, 415);
  EXPECT_EQ(not_an_object->status, 400);
  EXPECT_TRUE(contains(not_an_object->body, "JSON object")) << not_an_object->body;
  EXPECT_EQ(paused_, 0);
}

TEST_F(AdminCommandGuardTest, ReadOnlyRoutesStayOpenWithoutAToken) {
  for (const char* path : {"/metrics", "/healthz", "/readyz"}) {
    httplib::Headers cross_origin = {{"Origin", "https://evil.example"}};
    auto res = client_.Get(path, cross_origin);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
  }
}

TEST(AdminServer, WithoutATokenJsonCommandsAreServedButTextPlainIsNot) {
  MetricsRegistry registry;
  AdminServer server("127.0.0.1", 0, registry);
  server.post("/resume", [](const std::string&) { return AdminServer::Reply{}; });
  server.start();
  httplib::Client client("127.0.0.1", server.port());

  auto json = client.Post("/resume", "{}", "application/json");
  auto text = client.Post("/resume", "", "text/plain");

  ASSERT_TRUE(json && text);
  EXPECT_EQ(json->status, 200);
  EXPECT_EQ(text->status, 415);
}

TEST(AdminServer, TellsLoopbackFromOtherAddresses) {
  for (const char* host : {"127.0.0.1", "127.0.1.1", "localhost", "::1"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host : {"0.0.0.0", "10.1.2.3", "::", "example.com"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST_F(AdminServerTest, AnswersAWrongMethodWith405NamingTheRightOne) {
  server_.post("/resume", [](const std::string&) { return AdminServer::Reply{}; });

  auto res = client_.Get("/resume");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_TRUE(contains(res->body, "use POST")) << res->body;
}

TEST_F(AdminServerTest, AnswersUnknownPathsWith404ListingTheRoutes) {
  server_.post("/pause", [](const std::string&) { return AdminServer::Reply{}; });

  auto res = client_.Get("/nope");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  for (const char* route : {"GET  /metrics", "GET  /healthz", "GET  /readyz", "POST /pause"}) {
    EXPECT_TRUE(contains(res->body, route)) << route << " missing from:\n" << res->body;
  }
}

TEST_F(AdminServerTest, TurnsAHandlerExceptionInto500WithItsMessage) {
  server_.get("/boom", []() -> AdminServer::Reply { throw std::runtime_error("disk full"); });

  auto res = client_.Get("/boom");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_TRUE(contains(res->body, "disk full")) << res->body;
}

TEST(AdminServer, RefusesABusyPortWithAnActionableMessage) {
  MetricsRegistry registry;
  AdminServer first("127.0.0.1", 0, registry);
  try {
    AdminServer second("127.0.0.1", first.port(), registry);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_TRUE(contains(what, "127.0.0.1:" + std::to_string(first.port()))) << what;
    EXPECT_TRUE(contains(what, "in use")) << what;
    EXPECT_TRUE(contains(what, "choose another port")) << what;
  }
}

TEST(AdminServer, RefusesAnAddressThatIsNotOnThisMachine) {
  MetricsRegistry registry;
  try {
    AdminServer server("192.0.2.1", 0, registry);  // TEST-NET-1: never a local address
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "192.0.2.1:0")) << e.what();
    EXPECT_TRUE(contains(e.what(), "use 127.0.0.1")) << e.what();
  }
}

TEST(AdminServer, ReleasesItsPortWhenDestroyedWithoutStarting) {
  MetricsRegistry registry;
  int port = 0;
  {
    AdminServer unused("127.0.0.1", 0, registry);
    port = unused.port();
  }
  AdminServer again("127.0.0.1", port, registry);
  again.start();
  again.stop();
  again.stop();  // idempotent
  EXPECT_EQ(again.port(), port);
}

}  // namespace
}  // namespace sluice::ops
