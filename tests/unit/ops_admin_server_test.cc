// The admin HTTP surface on a real loopback port, driven by httplib::Client.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <stdexcept>
#include <string>

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
  auto pause = client_.Post("/pause", "all partitions", "text/plain");

  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(status->body, "{\"paused\":false}");
  ASSERT_TRUE(pause);
  EXPECT_EQ(pause->status, 202);
  EXPECT_EQ(pause->body, "paused\n");
  EXPECT_EQ(received, "all partitions");
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
