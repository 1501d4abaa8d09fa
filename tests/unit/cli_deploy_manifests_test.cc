// deploy/k8s/ (docs/scale-out.md): the Kubernetes manifests are checked
// against the code they deploy, so a renamed stage, a moved admin port, a probe
// path or a lag metric the exporter no longer serves fails here, not in a
// cluster. The pipeline in the ConfigMap goes through sluice's own parser; the
// probe paths are asked of a real admin server; the autoscaler's metric is
// looked for in what the exporter renders.
#include <gtest/gtest.h>
#include <httplib.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "ops/admin_server.h"
#include "ops/lag_metrics.h"
#include "ops/metrics.h"
#include "pipeline/pipeline_config.h"
#include "source_tree.h"

namespace sluice::cli {
namespace {

using sluice::testing::source_path;

std::vector<YAML::Node> manifests(const std::string& file) {
  std::vector<YAML::Node> docs;
  for (const YAML::Node& d : YAML::LoadAllFromFile(source_path("deploy/k8s/" + file).string()))
    if (d.IsMap()) docs.push_back(d);
  return docs;
}

YAML::Node only(const std::string& file, const std::string& kind) {
  for (const YAML::Node& d : manifests(file))
    if (d["kind"].as<std::string>() == kind) return d;
  ADD_FAILURE() << file << " has no " << kind;
  return YAML::Node();
}

std::map<std::string, YAML::Node> deployments(const std::string& file) {
  std::map<std::string, YAML::Node> by_name;
  for (const YAML::Node& d : manifests(file))
    if (d["kind"].as<std::string>() == "Deployment")
      by_name[d["metadata"]["name"].as<std::string>()] = d;
  return by_name;
}

YAML::Node container(const YAML::Node& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0];
}

std::vector<std::string> strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const YAML::Node& n : list) out.push_back(n.as<std::string>());
  return out;
}

int port_of(const std::string& host_port) {
  return std::stoi(host_port.substr(host_port.rfind(':') + 1));
}

pipeline::PipelineConfig claims_pipeline() {
  const YAML::Node map = only("configmap.yaml", "ConfigMap");
  const pipeline::Environment env{{"SLUICE_BOOTSTRAP", map["data"]["bootstrap"].as<std::string>()}};
  return pipeline::parse_pipeline_config(map["data"]["pipeline.yaml"].as<std::string>(),
                                         "deploy/k8s/configmap.yaml", &env);
}

// Every port a pod's container is reached on: its declared port, both probes'
// and Prometheus' scrape annotation.
void expect_served_on(const YAML::Node& deployment, int port) {
  const std::string name = deployment["metadata"]["name"].as<std::string>();
  const YAML::Node c = container(deployment);
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(), port) << name;
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["port"].as<int>(), port) << name;
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["port"].as<int>(), port) << name;
  const YAML::Node annotations = deployment["spec"]["template"]["metadata"]["annotations"];
  EXPECT_EQ(annotations["prometheus.io/port"].as<std::string>(), std::to_string(port)) << name;
  EXPECT_EQ(annotations["prometheus.io/path"].as<std::string>(), "/metrics") << name;
}

TEST(DeployManifests, ThePipelineInTheConfigMapIsOneSluiceAccepts) {
  const pipeline::PipelineConfig config = claims_pipeline();
  EXPECT_EQ(config.name, "claims");
  EXPECT_EQ(config.bootstrap, "kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092");
  ASSERT_EQ(config.stages.size(), 3u);
  // The schema it names is in the image (deploy/Dockerfile copies examples/ there).
  const std::string prefix = "/usr/share/sluice/";
  const std::string schema = config.stages[0].options["schema"].as<std::string>();
  ASSERT_EQ(schema.rfind(prefix, 0), 0u) << schema;
  EXPECT_TRUE(std::filesystem::exists(source_path(schema.substr(prefix.size())))) << schema;
}

TEST(DeployManifests, EachStageHasADeploymentRunningItProbedOnItsAdminPort) {
  const pipeline::PipelineConfig config = claims_pipeline();
  std::map<std::string, YAML::Node> stages = deployments("stages.yaml");
  ASSERT_EQ(stages.size(), config.stages.size()) << "one Deployment per stage, no other";
  for (const pipeline::StageConfig& stage : config.stages) {
    const auto it = stages.find("sluice-claims-" + stage.name);
    ASSERT_NE(it, stages.end()) << "no Deployment for stage " << stage.name;
    const YAML::Node c = container(it->second);
    EXPECT_EQ(strings(c["args"]), (std::vector<std::string>{"run", "/etc/sluice/pipeline.yaml",
                                                            "--stage", stage.name}));
    EXPECT_EQ(c["volumeMounts"][0]["mountPath"].as<std::string>(), "/etc/sluice");
    expect_served_on(it->second, port_of(config.admin));
    EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
    EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  }
}

TEST(DeployManifests, TheProbedPathsAreTheAdminServersOwn) {
  ops::MetricsRegistry metrics;
  ops::AdminServer server("127.0.0.1", 0, metrics);
  server.start();
  httplib::Client client("127.0.0.1", server.port());
  std::set<std::string> paths{"/metrics"};
  for (const auto& file : {"stages.yaml", "exporter.yaml"}) {
    for (const auto& [name, deployment] : deployments(file)) {
      paths.insert(container(deployment)["readinessProbe"]["httpGet"]["path"].as<std::string>());
      paths.insert(container(deployment)["livenessProbe"]["httpGet"]["path"].as<std::string>());
    }
  }
  for (const std::string& path : paths) {
    const httplib::Result answer = client.Get(path);
    ASSERT_TRUE(answer) << path;
    EXPECT_EQ(answer->status, 200) << path;
  }
}

TEST(DeployManifests, TheExporterIsReachedOnThePortItIsToldToServe) {
  const YAML::Node exporter = deployments("exporter.yaml").at("sluice-claims-exporter");
  const std::vector<std::string> args = strings(container(exporter)["args"]);
  ASSERT_EQ(args.at(0), "exporter");
  const auto admin = std::find(args.begin(), args.end(), "--admin");
  ASSERT_NE(admin, args.end());
  const int port = port_of(*(admin + 1));
  expect_served_on(exporter, port);
  const YAML::Node service = only("exporter.yaml", "Service");
  EXPECT_EQ(service["spec"]["ports"][0]["targetPort"].as<int>(), port);
  // Its --groups covers every group of the pipeline.
  const auto groups = std::find(args.begin(), args.end(), "--groups");
  ASSERT_NE(groups, args.end());
  for (const pipeline::StageConfig& stage : claims_pipeline().stages)
    EXPECT_TRUE(std::regex_match(stage.group, std::regex(*(groups + 1)))) << stage.group;
}

// What the topics Job creates: the names in its script, and its flags.
struct TopicsJob {
  std::set<std::string> topics;
  int partitions = 0;
  int replication_factor = 0;
  std::string config;
};

TopicsJob topics_job() {
  const YAML::Node job = only("topics-job.yaml", "Job");
  const std::string script =
      job["spec"]["template"]["spec"]["containers"][0]["args"][0].as<std::string>();
  TopicsJob out;
  const std::regex list(R"(for topic in ([^;]*);)");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(script, m, list)) << script;
  const std::regex name(R"([a-z][a-z0-9.]*)");
  const std::string names = m[1];
  for (auto it = std::sregex_iterator(names.begin(), names.end(), name);
       it != std::sregex_iterator(); ++it) {
    out.topics.insert(it->str());
  }
  if (std::regex_search(script, m, std::regex(R"(--partitions (\d+))")))
    out.partitions = std::stoi(m[1]);
  if (std::regex_search(script, m, std::regex(R"(--replication-factor (\d+))")))
    out.replication_factor = std::stoi(m[1]);
  if (std::regex_search(script, m, std::regex(R"(--config (\S+))"))) out.config = m[1];
  return out;
}

TEST(DeployManifests, TheTopicsJobCreatesEveryTopicThePipelineUsesReplicatedThreeTimes) {
  std::set<std::string> used;
  for (const pipeline::StageConfig& stage : claims_pipeline().stages) {
    used.insert(stage.input);
    used.insert(stage.outputs.begin(), stage.outputs.end());
    if (stage.dlq.enabled) used.insert(stage.dlq.topic);
    for (size_t level = 1; level <= stage.retry.delay_topic_delays_ms.size(); ++level)
      used.insert(stage.input + ".retry." + std::to_string(level));
  }
  const TopicsJob job = topics_job();
  EXPECT_EQ(job.topics, used);
  EXPECT_EQ(job.replication_factor, 3);
  EXPECT_EQ(job.config, "min.insync.replicas=2") << "acks=all then survives one broker down";
}

TEST(DeployManifests, TheAutoscalerScalesTheDownloadStageOnALagMetricTheExporterServes) {
  const YAML::Node hpa = only("hpa.yaml", "HorizontalPodAutoscaler");
  const std::string target = hpa["spec"]["scaleTargetRef"]["name"].as<std::string>();
  ASSERT_EQ(deployments("stages.yaml").count(target), 1u) << target;
  const std::string stage_name = target.substr(std::string("sluice-claims-").size());
  const pipeline::PipelineConfig config = claims_pipeline();
  const auto stage = std::find_if(config.stages.begin(), config.stages.end(),
                                  [&](const auto& s) { return s.name == stage_name; });
  ASSERT_NE(stage, config.stages.end());

  const YAML::Node metric = hpa["spec"]["metrics"][0]["external"]["metric"];
  const std::string metric_name = metric["name"].as<std::string>();
  const std::string group = metric["selector"]["matchLabels"]["consumer_group"].as<std::string>();
  EXPECT_EQ(group, stage->group) << "the lag of the group of the stage it scales";

  ops::LagSnapshot snapshot;
  snapshot.partitions.push_back({group, stage->input, 0, 10, 25, 15});
  bool served = false;
  for (const ops::CollectedFamily& family : ops::lag_families(snapshot)) {
    if (family.name != metric_name) continue;
    for (const auto& [labels, value] : family.samples)
      served |=
          std::find(labels.begin(), labels.end(),
                    std::pair<std::string, std::string>("consumer_group", group)) != labels.end();
  }
  EXPECT_TRUE(served) << "the exporter serves no " << metric_name << " with consumer_group";
  EXPECT_LE(hpa["spec"]["maxReplicas"].as<int>(), topics_job().partitions)
      << "a replica beyond the partition count gets no partition and is never ready";
}

}  // namespace
}  // namespace sluice::cli
