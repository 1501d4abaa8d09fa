// What `sluice up` publishes and listens to in its data dir, without processes:
// the fixed admin port layout, the Prometheus file_sd targets, the
// stopped-stages control file, the process table (old tables still read), and
// the JSON log lines a child's stray output is wrapped into.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "cli/up/admin_ports.h"
#include "cli/up/json_log_lines.h"
#include "cli/up/process_table.h"
#include "cli/up/prometheus_targets.h"
#include "cli/up/stopped_stages.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

class CliUpPublish : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("sluice-up-publish-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir_;
};

TEST(CliAdminPorts, BrokerAtTheBaseThenEachStageProcessThenOneReserved) {
  const AdminPortPlan plan = plan_admin_ports(9464, 4);
  EXPECT_EQ(plan.broker, 9464);
  EXPECT_EQ(plan.stages, (std::vector<int>{9465, 9466, 9467, 9468}));
  EXPECT_EQ(plan.exporter, 9469);
  EXPECT_EQ(kDefaultAdminBasePort, 9464);  // what deploy/prometheus/prometheus.yml and docs say
}

TEST(CliAdminPorts, BaseZeroPicksDistinctFreePorts) {
  const AdminPortPlan plan = plan_admin_ports(0, 3);
  std::set<int> ports(plan.stages.begin(), plan.stages.end());
  ports.insert(plan.broker);
  ports.insert(plan.exporter);
  EXPECT_EQ(ports.size(), 5u);
  EXPECT_GT(*ports.begin(), 0);
  check_admin_ports_free({plan.broker}, {"the broker"});  // free now: no throw
}

TEST(CliAdminPorts, ALayoutPastTheLastPortIsRefused) {
  EXPECT_THROW(plan_admin_ports(65534, 2), std::invalid_argument);
  EXPECT_THROW(plan_admin_ports(-1, 1), std::invalid_argument);
}

TEST(CliAdminPorts, ABusyPortIsNamedWithWhoseItIsAndTheFlag) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int busy = ntohs(addr.sin_port);
  try {
    check_admin_ports_free({busy}, {"stage download process 2"});
    ADD_FAILURE() << "a listening port was called free";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("admin port " + std::to_string(busy) + " (for stage download process 2)"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("--admin-base-port"), std::string::npos) << what;
  }
  ::close(fd);
}

TEST_F(CliUpPublish, TargetsFileHasOneGroupPerProcessWithItsLabels) {
  write_prometheus_targets(dir_, "claims",
                           {{"127.0.0.1:9464", "broker", "broker", "", 0},
                            {"127.0.0.1:9465", "stage", "download#1", "download", 1},
                            {"127.0.0.1:9466", "stage", "download#2", "download", 2}});
  EXPECT_EQ(prometheus_targets_path(dir_), dir_ + "/prometheus/targets.json");
  const std::string text = read(dir_ + "/prometheus/targets.json");
  simdjson::dom::parser parser;
  simdjson::dom::array groups;
  ASSERT_FALSE(parser.parse(text).get(groups)) << text;
  ASSERT_EQ(groups.size(), 3u);
  auto label = [&](size_t i, const char* key) {
    std::string_view v;
    return groups.at(i)["labels"][key].get(v) ? std::string("<absent>") : std::string(v);
  };
  std::string_view target;
  ASSERT_FALSE(groups.at(2)["targets"].at(0).get(target));
  EXPECT_EQ(target, "127.0.0.1:9466");
  EXPECT_EQ(label(2, "role"), "stage");
  EXPECT_EQ(label(2, "stage"), "download");
  EXPECT_EQ(label(2, "replica"), "2");
  EXPECT_EQ(label(2, "process"), "download#2");
  EXPECT_EQ(label(2, "pipeline"), "claims");
  EXPECT_EQ(label(0, "role"), "broker");
  EXPECT_EQ(label(0, "stage"), "<absent>");  // an empty label would mean absent anyway
  EXPECT_FALSE(fs::exists(dir_ + "/prometheus/targets.json.tmp"));
}

TEST_F(CliUpPublish, StopAndStartChangeTheStoppedSetOnce) {
  EXPECT_TRUE(read_stopped_stages(dir_).empty());  // no file: nothing stopped
  EXPECT_TRUE(set_stage_stopped(dir_, "download", true));
  EXPECT_FALSE(set_stage_stopped(dir_, "download", true));
  EXPECT_TRUE(set_stage_stopped(dir_, "result", true));
  EXPECT_EQ(read_stopped_stages(dir_), (std::set<std::string>{"download", "result"}));
  EXPECT_TRUE(set_stage_stopped(dir_, "download", false));
  EXPECT_FALSE(set_stage_stopped(dir_, "download", false));
  EXPECT_EQ(read_stopped_stages(dir_), (std::set<std::string>{"result"}));
  EXPECT_EQ(read(dir_ + "/control/stopped-stages.json"), "[\"result\"]\n");
}

TEST_F(CliUpPublish, AnUnreadableStoppedStagesFileStopsNothing) {
  fs::create_directories(dir_ + "/control");
  std::ofstream(dir_ + "/control/stopped-stages.json") << "[\"downl";
  EXPECT_TRUE(read_stopped_stages(dir_).empty());
}

TEST_F(CliUpPublish, TheProcessTableKeepsMetricsAndStoppedAndReadsOldTables) {
  write_process_table(
      dir_, {{"broker", "", 42, "127.0.0.1:9092", "127.0.0.1:9464", false, 1, 0},
             {"download", "download", -1, "127.0.0.1:9465", "127.0.0.1:9465", true, 2, 3}});
  auto entries = read_process_table(dir_);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].metrics, "127.0.0.1:9464");
  EXPECT_EQ(entries[0].admin, "127.0.0.1:9092");
  EXPECT_TRUE(entries[1].stopped);
  EXPECT_EQ(entries[1].restarts, 3);
  // A table from before these fields: they default.
  std::ofstream(dir_ + "/processes.json")
      << R"([{"name":"ingest","stage":"ingest","pid":7,"admin":"127.0.0.1:1","started_ms":5,"restarts":0}])";
  entries = read_process_table(dir_);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].metrics, "");
  EXPECT_FALSE(entries[0].stopped);
  EXPECT_EQ(entries[0].pid, 7);
}

TEST_F(CliUpPublish, StrayOutputIsWrappedAndLogLinesPassUnchanged) {
  const std::string path = dir_ + "/download-2.log";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  JsonLogLines lines(fd, "download#2", "download");
  const std::string logged =
      R"({"ts":"2026-12-06T04:00:00.000Z","level":"WARN","component":"download","msg":"x"})";
  // Two streams interleaving, lines cut across chunks, a last line without '\n'.
  lines.feed(1, "panic: \"quoted\"\tand tab\nhalf ");
  lines.feed(0, logged.substr(0, 20));
  lines.feed(1, "a line\n");
  lines.feed(0, logged.substr(20) + "\n{not json}\n");
  lines.feed(1, "killed mid-wri");
  lines.finish();
  ::close(fd);

  std::ifstream in(path);
  std::vector<std::string> got;
  for (std::string l; std::getline(in, l);) got.push_back(l);
  ASSERT_EQ(got.size(), 5u);
  std::vector<std::string> messages;
  simdjson::dom::parser parser;
  for (const auto& l : got) {
    simdjson::dom::object o;
    ASSERT_FALSE(parser.parse(l).get(o)) << l;
    std::string_view msg, process;
    ASSERT_FALSE(o["msg"].get(msg)) << l;
    messages.emplace_back(msg);
    if (l == logged) continue;
    ASSERT_FALSE(o["process"].get(process)) << l;
    EXPECT_EQ(process, "download#2");
    std::string_view component, stage;
    EXPECT_FALSE(o["component"].get(component));
    EXPECT_EQ(component, "download#2");
    EXPECT_FALSE(o["stage"].get(stage));
    EXPECT_EQ(stage, "download");
  }
  EXPECT_EQ(messages, (std::vector<std::string>{"panic: \"quoted\"\tand tab", "half a line", "x",
                                                "{not json}", "killed mid-wri"}));
  EXPECT_NE(std::find(got.begin(), got.end(), logged), got.end());
}

}  // namespace
}  // namespace sluice::cli
