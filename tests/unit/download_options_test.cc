// The download stage's options (defaults and every rejection), its task and
// result records, and the refusals the processor makes before any connect.
#include "stages/download/download_options.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "stages/download/download_processor.h"
#include "stages/download/download_task.h"

namespace sluice::stages {
namespace {

DownloadOptions read(const std::string& yaml) {
  return read_download_options("dl", YAML::Load(yaml));
}

std::string error_of(const std::string& yaml) {
  try {
    read(yaml);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(DownloadOptions, Defaults) {
  DownloadOptions o = read("{store: /tmp/x}");
  EXPECT_EQ(o.store, "/tmp/x");
  EXPECT_EQ(o.connect_timeout_ms, 5000);
  EXPECT_EQ(o.total_timeout_ms, 30000);
  EXPECT_EQ(o.max_bytes, 50LL << 20);
  EXPECT_EQ(o.allowed_content_types.size(), 5u);
  EXPECT_TRUE(o.allowed_domains.empty());
  EXPECT_FALSE(o.addresses.allow_private_networks);
  EXPECT_TRUE(o.addresses.allowed.empty());
  EXPECT_EQ(o.max_redirects, 5);
  EXPECT_EQ(o.host_breaker.failure_rate, 0.5);
  EXPECT_EQ(o.host_breaker.min_calls, 5);
  EXPECT_EQ(o.host_breaker.open_ms, 30000);
  EXPECT_EQ(o.max_transfers, 64);
  EXPECT_EQ(o.max_transfers_per_host, 16);
}

TEST(DownloadOptions, ReadsEveryOption) {
  DownloadOptions o = read(
      "{store: s3://b, connect_timeout: 2s, total_timeout: 1m, max_bytes: 10MiB, "
      "allowed_content_types: [image/*], allowed_domains: [.example.com], "
      "allow_private_networks: true, allowed_addresses: [127.0.0.1/32, 'fd00::/8'], "
      "max_redirects: 0, host_breaker: {failure_rate: 0.25, window: 2m, min_calls: 3, "
      "open_for: 10s}, max_transfers: 8, max_transfers_per_host: 2}");
  EXPECT_EQ(o.connect_timeout_ms, 2000);
  EXPECT_EQ(o.total_timeout_ms, 60000);
  EXPECT_EQ(o.max_bytes, 10LL << 20);
  EXPECT_EQ(o.allowed_content_types, std::vector<std::string>{"image/*"});
  EXPECT_TRUE(o.allowed_domains.allows("a.example.com"));
  EXPECT_TRUE(o.addresses.allow_private_networks);
  EXPECT_EQ(o.addresses.allowed.size(), 2u);
  EXPECT_EQ(o.max_redirects, 0);
  EXPECT_EQ(o.host_breaker.failure_rate, 0.25);
  EXPECT_EQ(o.host_breaker.window_ms, 120000);
  EXPECT_EQ(o.host_breaker.min_calls, 3);
  EXPECT_EQ(o.host_breaker.open_ms, 10000);
  EXPECT_EQ(o.max_transfers, 8);
  EXPECT_EQ(o.max_transfers_per_host, 2);
}

TEST(DownloadOptions, RejectsBadValuesNamingStageAndOption) {
  const std::pair<const char*, const char*> cases[] = {
      {"{}", "'store' is required"},
      {"{store: /x, connect_timeout: soon}", "'connect_timeout'"},
      {"{store: /x, total_timeout: -1s}", "'total_timeout'"},
      {"{store: /x, connect_timeout: 10s, total_timeout: 5s}", "'connect_timeout'"},
      {"{store: /x, max_bytes: lots}", "'max_bytes'"},
      {"{store: /x, max_bytes: 0}", "'max_bytes'"},
      {"{store: /x, allowed_content_types: application/pdf}", "'allowed_content_types'"},
      {"{store: /x, allowed_content_types: [pdf]}", "'allowed_content_types'"},
      {"{store: /x, allowed_domains: example.com}", "'allowed_domains'"},
      {"{store: /x, allow_private_networks: maybe}", "'allow_private_networks'"},
      {"{store: /x, allowed_addresses: [10.0.0.0/33]}", "'allowed_addresses'"},
      {"{store: /x, allowed_addresses: [example.com]}", "'allowed_addresses'"},
      {"{store: /x, max_redirects: -1}", "'max_redirects'"},
      {"{store: /x, max_redirects: many}", "'max_redirects'"},
      {"{store: /x, host_breaker: {failure_rate: 2}}", "'host_breaker.failure_rate'"},
      {"{store: /x, host_breaker: {window: 20}}", "'host_breaker.window'"},
      {"{store: /x, host_breaker: {min_calls: 0}}", "'host_breaker.min_calls'"},
      {"{store: /x, host_breaker: {open_for: never}}", "'host_breaker.open_for'"},
      {"{store: /x, host_breaker: {windw: 1m}}", "'host_breaker.windw'"},
      {"{store: /x, host_breaker: 3}", "'host_breaker'"},
      {"{store: /x, max_byte: 1MiB}", "did you mean 'max_bytes'"},
      {"{store: /x, max_transfers: 0}", "'max_transfers'"},
      {"{store: /x, max_transfers_per_host: lots}", "'max_transfers_per_host'"},
      {"{store: /x, max_transfer: 8}", "did you mean 'max_transfers'"},
  };
  for (const auto& [yaml, want] : cases) {
    const std::string e = error_of(yaml);
    EXPECT_NE(e.find("stage 'dl'"), std::string::npos) << yaml << " -> " << e;
    EXPECT_NE(e.find(want), std::string::npos) << yaml << " -> " << e;
  }
}

TEST(DownloadTask, ParsesAndValidates) {
  DownloadTask t = parse_download_task(
      R"({"trace_id":"t1","claim_id":"C-000123","task_id":"C-000123/0","url":"http://h/x",)"
      R"("expected_type":"application/pdf"})");
  EXPECT_EQ(t.trace_id, "t1");
  EXPECT_EQ(t.claim_id, "C-000123");
  EXPECT_EQ(t.task_id, "C-000123/0");
  EXPECT_EQ(t.url, "http://h/x");
  EXPECT_EQ(t.expected_type, "application/pdf");
  for (const char* bad :
       {"not json", "[1]", R"({"claim_id":"C-1"})", R"({"claim_id":"C-1","url":""})",
        R"({"url":"http://h/"})", R"({"claim_id":"../etc","url":"http://h/"})",
        R"({"claim_id":"a/b","url":"http://h/"})", R"({"claim_id":"C-1","url":7})",
        R"({"claim_id":"..","url":"http://h/"})"}) {
    EXPECT_THROW(parse_download_task(bad), TaskError) << bad;
  }
}

TEST(DownloadTask, ResultJsonCarriesEveryField) {
  DownloadTask t{"t1", "C-1", "C-1/0", "http://h/x", ""};
  DownloadResult r{"attachments/C-1/ab", "ab", 42, "application/pdf",
                   std::chrono::system_clock::time_point(std::chrono::milliseconds(1764244800123))};
  EXPECT_EQ(download_result_json(t, r),
            R"({"trace_id":"t1","claim_id":"C-1","task_id":"C-1/0","url":"http://h/x",)"
            R"("object_key":"attachments/C-1/ab","sha256":"ab","size_bytes":42,)"
            R"("content_type":"application/pdf","downloaded_at":"2025-11-27T12:00:00.123Z",)"
            R"("status":"stored"})");
}

class DownloadProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("download-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<DownloadProcessor> make(const std::string& extra = "") {
    pipeline::ProcessorContext c;
    c.stage = "download";
    c.outputs = {"claims.results"};
    c.options = YAML::Load("{store: " + dir_.string() + extra + "}");
    return std::make_unique<DownloadProcessor>(c);
  }
  pipeline::Outcome run(DownloadProcessor& p, const std::string& url) {
    pipeline::Record r;
    r.topic = "claims.downloads";
    r.trace_id = "trace-1";
    r.value = R"({"claim_id":"C-1","task_id":"C-1/0","url":")" + url + R"("})";
    return p.process(r);
  }

  std::filesystem::path dir_;
};

TEST_F(DownloadProcessorTest, RejectsBadOptionsAtConstruction) {
  EXPECT_THROW(make(", max_bytes: huge"), std::invalid_argument);
  pipeline::ProcessorContext c;
  c.stage = "download";
  c.options = YAML::Load("{store: " + dir_.string() + "}");
  EXPECT_THROW(DownloadProcessor{c}, std::invalid_argument) << "no output topic";
}

TEST_F(DownloadProcessorTest, MalformedTasksAreValidationFailures) {
  auto p = make();
  pipeline::Record r;
  r.value = "{nope";
  EXPECT_EQ(p->process(r).category, pipeline::ErrorCategory::kValidation);
  r.value = R"({"claim_id":"C-1"})";
  EXPECT_EQ(p->process(r).category, pipeline::ErrorCategory::kValidation);
  EXPECT_EQ(run(*p, "no scheme").category, pipeline::ErrorCategory::kValidation);
}

TEST_F(DownloadProcessorTest, RefusesWithoutConnecting) {
  auto p = make(", allowed_addresses: [127.0.0.1/32]");
  const std::pair<const char*, const char*> cases[] = {
      {"ftp://127.0.0.1/x", "scheme"},     {"http://user:pw@127.0.0.1/x", "credentials"},
      {"http://10.0.0.1/x", "private"},    {"http://169.254.169.254/latest/meta-data/", "metadata"},
      {"http://[::1]/x", "::1"},           {"http://[::ffff:10.0.0.1]/", "private (10.0.0.0/8)"},
      {"http://2130706434/", "loopback"},  {"http://0x7f.2/", "loopback"},
      {"http://0/", "unspecified"},        {"http://[::]/", "unspecified"},
      {"http://[fe80::1]/", "link-local"}, {"http://100.64.0.1/", "carrier-grade NAT"},
      {"http://224.0.0.1/", "multicast"},  {"http://255.255.255.255/", "broadcast"},
  };
  for (const auto& [url, want] : cases) {
    pipeline::Outcome o = run(*p, url);
    EXPECT_FALSE(o.ok) << url;
    EXPECT_EQ(o.category, pipeline::ErrorCategory::kPermanent) << url << ": " << o.message;
    EXPECT_NE(o.message.find(want), std::string::npos) << url << ": " << o.message;
  }
}

TEST_F(DownloadProcessorTest, DomainAllowlistIsCheckedFirst) {
  auto p = make(", allowed_addresses: [127.0.0.1/32], allowed_domains: [.example.com]");
  pipeline::Outcome o = run(*p, "http://127.0.0.1:1/x");
  EXPECT_EQ(o.category, pipeline::ErrorCategory::kPermanent);
  EXPECT_NE(o.message.find("host 127.0.0.1"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("allowed_domains"), std::string::npos) << o.message;
}

TEST_F(DownloadProcessorTest, ConnectionRefusedIsTransientAndChargesTheHostBreaker) {
  auto p = make(", allowed_addresses: [127.0.0.1/32], host_breaker: {min_calls: 2, window: 1m}");
  // Port 1 on loopback: nothing listens there, so every connect is refused at once.
  for (int i = 0; i < 2; ++i) {
    pipeline::Outcome o = run(*p, "http://127.0.0.1:1/x");
    EXPECT_EQ(o.category, pipeline::ErrorCategory::kTransient) << o.message;
    EXPECT_EQ(o.dependency, "download");
    EXPECT_NE(o.message.find("127.0.0.1"), std::string::npos) << o.message;
  }
  pipeline::Outcome o = run(*p, "http://127.0.0.1:1/x");
  EXPECT_EQ(o.category, pipeline::ErrorCategory::kTransient);
  EXPECT_NE(o.message.find("circuit open for host 127.0.0.1"), std::string::npos) << o.message;
}

}  // namespace
}  // namespace sluice::stages
