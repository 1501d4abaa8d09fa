// `sluice up [DIR]`: the whole pipeline on one machine — the built-in broker,
// every stage of DIR/pipeline.yaml as a supervised child process (restarted
// when it dies), and the demo source — with a live progress line, a clean stop
// on Ctrl-C (source first, then let the stages drain, then stages, then the
// broker) and a reconciliation summary at the end.
//
// What it publishes for the tools beside it, all under the data dir:
//   processes.json            every process, rewritten each second (process_table.h)
//   prometheus/targets.json   file_sd targets at fixed admin ports (prometheus_targets.h,
//                             admin_ports.h)
//   logs/*.log                one file per process, JSON lines unless --log-format text
//                             (json_log_lines.h)
//   security/                 with --secure: CA, certificates, the stage user's
//                             password and files to connect with (secure_demo.h)
// and what it listens to: control/stopped-stages.json (stopped_stages.h).
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "cli/demo/demo_plan.h"
#include "cli/support/admin_token.h"
#include "cli/support/commands.h"
#include "cli/support/group_lag.h"
#include "cli/support/profile.h"
#include "cli/support/up_progress.h"
#include "cli/up/accounting.h"
#include "cli/up/admin_ports.h"
#include "cli/up/child_process.h"
#include "cli/up/data_dir.h"
#include "cli/up/declared_schemas.h"
#include "cli/up/process_table.h"
#include "cli/up/prometheus_targets.h"
#include "cli/up/restart_policy.h"
#include "cli/up/secure_demo.h"
#include "cli/up/stopped_stages.h"
#include "common/clock.h"
#include "kafka/admin_client.h"
#include "kafka/client_security.h"
#include "kafka/record_reader.h"
#include "lake/delta/delta_table.h"
#include "pipeline/config_text.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"
#include "stages/builtin.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

struct UpFlags {
  std::string dir = "examples/claims-attachments";
  std::string data_dir = defaults().data_dir();
  std::vector<std::string> replicas;  // STAGE=N
  std::string bootstrap;              // an external cluster: no built-in broker
  int rate = 50;
  int64_t count = 0;
  double bad_share = 0.02;  // below every paging threshold at the default rate (alerts.yml)
  std::string max_attachment = "200KiB";
  bool no_source = false;
  // Given on the command line: they then win over the pipeline's `demo_source:`.
  bool rate_given = false, bad_share_given = false, max_attachment_given = false;
  std::vector<std::string> source_flags;  // KEY=VALUE over the pipeline's `demo_source:`
  int drain_timeout_s = 90;
  bool keep_running = false;  // with --count: stay up after draining, until Ctrl-C
  int listen_port = 9092;     // the built-in broker's port on 127.0.0.1 (0: any free one)
  // First admin port (admin_ports.h); SLUICE_ADMIN_BASE_PORT sets the default (tests use 0).
  int admin_base_port = std::getenv("SLUICE_ADMIN_BASE_PORT")
                            ? std::atoi(std::getenv("SLUICE_ADMIN_BASE_PORT"))
                            : kDefaultAdminBasePort;
  std::string log_format = "json";  // of the children's log files
  bool secure = false;              // the built-in broker on SASL_SSL only (secure_demo.h)
};

struct Supervised {
  std::unique_ptr<ChildProcess> process;
  std::string stage;            // empty for the broker and the source
  int replica = 0;              // 1-based among its stage's processes
  int port = 0;                 // admin port (stages; 0 while down) or listen port (broker)
  int admin_port = 0;           // fixed for the life of `sluice up` (admin_ports.h)
  bool stopped = false;         // held down by `sluice stop` (stopped_stages.h)
  int64_t stop_sent_ms = -1;    // monotonic time SIGTERM was sent for a stop; -1: none
  int64_t started_ms = 0;       // monotonic, for crash-loop detection
  int64_t started_wall_ms = 0;  // for uptime in `sluice ps`
  int restarts = 0;             // counted here: the broker gets a new process each time
};

// A child running `sluice ARGS...`. It executes /proc/self/exe rather than the path it was
// started from: if that file is replaced or deleted while sluice up runs (a rebuild, a
// package upgrade), restarts keep working and every process stays on the supervisor's
// version; `sluice down` and `sluice up` move to the new one.
// Its log lines name it (SLUICE_LOG_PROCESS, SLUICE_LOG_STAGE; see common/log.h).
std::unique_ptr<ChildProcess> sluice_child(std::string name, std::string stage,
                                           std::vector<std::string> args, EnvVars env,
                                           std::string log_path, const std::string& log_format) {
  args.insert(args.begin(), fs::read_symlink("/proc/self/exe").string());
  env.emplace_back("SLUICE_LOG_FORMAT", log_format);
  env.emplace_back("SLUICE_LOG_PROCESS", name);
  env.emplace_back("SLUICE_LOG_STAGE", stage);
  return std::make_unique<ChildProcess>(
      ChildProcess::Spec{std::move(name), std::move(args), std::move(env), std::move(log_path),
                         "/proc/self/exe", log_format == "json", std::move(stage)});
}

class Up {
 public:
  explicit Up(const UpFlags& f) : f_(f) {}
  int run();

 private:
  void check_configuration();
  void plan_ports();
  void start_broker(int port);
  void configure_environment();
  void start_stages();
  void start_exporter();
  void start_exporter_process();
  void start_registry();
  void start_registry_process();
  void start_stage(Supervised& s);
  void restart_stage(Supervised& s);
  void apply_stopped_stages();
  void write_targets();
  std::vector<std::string> source_args() const;
  void start_source();
  void supervise();
  bool drained();
  bool groups_committed_to_end();
  void print_progress(int64_t elapsed_s);
  int64_t events_in_topic();
  int64_t table_rows();
  int restarts() const;  // of the broker and every stage process
  void stop_all();
  void write_table();
  // Runs `write` (of a file others read); a failure is reported once, not fatal: the
  // pipeline runs on, and the next write tries again.
  void publish(const std::function<void()>& write);
  std::optional<int64_t> broker_lag();
  std::string held_stages();

  UpFlags f_;
  fs::path data_, logs_;
  std::string pipeline_file_, bootstrap_;
  pipeline::PipelineConfig config_;
  std::vector<std::pair<std::string, std::string>> env_;         // for every child
  std::vector<std::pair<std::string, std::string>> client_env_;  // and this login: no-file children
  Supervised broker_, source_, exporter_, registry_;
  std::string registry_url_;  // "" without `schemas:`
  std::vector<Supervised> stages_;
  std::map<std::string, int> replicas_;  // processes per stage, from --replicas
  AdminPortPlan ports_;
  int64_t started_wall_ms_ = now_ms();
  bool source_done_ = false;   // finished sending (it keeps serving attachments until stopped)
  int64_t events_before_ = 0;  // records on the input topic before this run's source started
  std::map<std::string, double> last_consumed_, last_produced_;
  int64_t last_progress_ms_ = 0;  // monotonic time of the figures above
  std::string publish_error_;     // the last failure to write a file, reported once
  std::unique_ptr<kafka::AdminClient> lag_admin_;  // for broker_lag(), kept between lines
  std::unique_ptr<kafka::RecordReader> lag_reader_;
  std::unique_ptr<SecureDemo> secure_;  // with --secure
};

std::string loopback(int port) {
  return "127.0.0.1:" + std::to_string(port);
}

void Up::start_broker(int port) {
  broker_.admin_port = ports_.broker;
  std::vector<std::string> args = {"broker",
                                   "--data-dir",
                                   (data_ / "broker").string(),
                                   "--listen",
                                   loopback(port),
                                   "--admin",
                                   loopback(broker_.admin_port),
                                   "--default-partitions",
                                   "4",
                                   "--group-initial-rebalance-delay-ms",
                                   "0"};
  if (secure_) {
    const auto secure_args = secure_->broker_args();
    args.insert(args.end(), secure_args.begin(), secure_args.end());
  }
  broker_.process = sluice_child("broker", "", std::move(args), {}, (logs_ / "broker.log").string(),
                                 f_.log_format);
  const std::string line = broker_.process->start(20000);
  broker_.port = port_in_ready_line(line, "listening on ");
  bootstrap_ = "127.0.0.1:" + std::to_string(broker_.port);
  broker_.started_ms = mono_ms();
  broker_.started_wall_ms = now_ms();
  write_targets();
}

// Children (and this process, for the summary) see the same settings: the
// bootstrap, each stage's relative `store` placed under the data dir, and the
// Kafka login.
void Up::configure_environment() {
  env_ = store_overrides(pipeline_file_, data_.string());
  env_.emplace_back("SLUICE_BOOTSTRAP", bootstrap_);
  // A fresh admin token per `sluice up` (DATA_DIR/admin-token, mode 0600): every
  // process started here takes commands only with it, and the CLI finds it there.
  env_.emplace_back("SLUICE_ADMIN_TOKEN_FILE", write_new_admin_token(data_.string()));
  if (secure_) {
    const EnvVars login = secure_->client_environment();
    env_.insert(env_.end(), login.begin(), login.end());
  }
  apply(env_);
  config_ = pipeline::load_pipeline_config(pipeline_file_);
  kafka::use_pipeline_security(config_.security);
  // The login this process uses (the pipeline's `security:` block or the profile,
  // under the environment) goes to the children that read no pipeline file (the
  // demo source, the exporter). Stages read the file themselves at every start, so
  // they get only the environment: a password edited in the file is used by the
  // next restart instead of one frozen into the environment here.
  client_env_ = env_;
  for (const auto& [variable, value] :
       kafka::security_environment(kafka::client_security_layers())) {
    const bool set = std::any_of(client_env_.begin(), client_env_.end(),
                                 [&](const auto& e) { return e.first == variable; });
    if (!set) client_env_.emplace_back(variable, value);
  }
}

void Up::start_stage(Supervised& s) {
  const std::string line = s.process->start(30000);
  s.port = port_in_ready_line(line, "admin on http://");
  s.started_ms = mono_ms();
  s.started_wall_ms = now_ms();
  write_targets();
}

// A restart that fails (its port taken meanwhile, a crash before its ready line) is
// reported and tried again on the next check, like any other death.
void Up::restart_stage(Supervised& s) {
  try {
    start_stage(s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nstage %s: restart failed: %s\n", s.process->spec().name.c_str(),
                 e.what());
    s.started_ms = mono_ms();  // counts as a short life: the next try waits (crash loop)
  }
  s.restarts += 1;
}

// Every stage process plus the stage-less broker, in port order.
void Up::plan_ports() {
  size_t processes = 0;
  for (const auto& s : config_.stages) processes += replicas_.count(s.name) ? replicas_[s.name] : 1;
  ports_ = plan_admin_ports(f_.admin_base_port, processes, !config_.schemas.empty());
  std::vector<int> ports;
  std::vector<std::string> whose;
  if (f_.bootstrap.empty()) {
    ports.push_back(ports_.broker);
    whose.push_back("the broker's /metrics");
  }
  size_t i = 0;
  for (const auto& s : config_.stages) {
    const int n = replicas_.count(s.name) ? replicas_[s.name] : 1;
    for (int r = 1; r <= n; ++r, ++i) {
      ports.push_back(ports_.stages[i]);
      whose.push_back("stage " + s.name + " process " + std::to_string(r));
    }
  }
  ports.push_back(ports_.exporter);
  whose.push_back("the exporter's /metrics");
  if (ports_.registry > 0) {
    ports.push_back(ports_.registry);
    whose.push_back("the schema registry");
  }
  if (f_.admin_base_port != 0) check_admin_ports_free(ports, whose);
}

// Everything that can be checked before a process starts, so a mistake is
// reported as itself rather than hidden behind a busy port or a crash loop: the
// pipeline file (YAML, every setting), each stage's processor and option keys,
// and --replicas.
void Up::check_configuration() {
  config_ = pipeline::load_pipeline_config(pipeline_file_);
  if (f_.secure && !f_.bootstrap.empty()) {
    throw std::invalid_argument(
        "--secure secures the built-in broker, and --bootstrap replaces it; for a secured "
        "cluster of your own, give its login in the pipeline file's `security:` block or the "
        "environment (docs/security.md)");
  }
  if (f_.secure && !config_.security.empty()) {
    throw std::invalid_argument(
        "--secure logs in as its own user, but " +
        config_.security_sources.begin()->second.describe() +
        " gives a `security:` block of its own; run without --secure, or without the block");
  }
  stages::register_builtin_processors();
  for (const auto& s : config_.stages) {
    pipeline::ProcessorRegistry::instance().check(s.processor,
                                                  pipeline::processor_context(config_, s, nullptr));
  }
  for (const auto& r : f_.replicas) {
    const auto eq = r.find('=');
    const std::string stage = r.substr(0, eq);
    int n = 0;
    if (eq != std::string::npos) {
      auto [end, ec] = std::from_chars(r.data() + eq + 1, r.data() + r.size(), n);
      if (ec != std::errc() || end != r.data() + r.size()) n = 0;
    }
    if (!config_.stage(stage) || n < 1) {
      throw std::invalid_argument(
          "--replicas " + r + ": expected STAGE=N with N >= 1 and a stage of " + pipeline_file_);
    }
    replicas_[stage] = n;
  }
}

void Up::start_stages() {
  const std::set<std::string> stopped = read_stopped_stages(data_.string());
  for (const auto& name : stopped) {
    if (config_.stage(name)) {
      std::fprintf(stderr, "stage %s stays stopped (`sluice start %s --data-dir %s` starts it)\n",
                   name.c_str(), name.c_str(), data_.c_str());
    }
  }
  for (const auto& s : config_.stages) {
    int n = replicas_.count(s.name) ? replicas_[s.name] : 1;
    for (int i = 1; i <= n; ++i) {
      const std::string name = s.name + (n > 1 ? "#" + std::to_string(i) : "");
      Supervised sup;
      sup.stage = s.name;
      sup.replica = i;
      sup.admin_port = ports_.stages[stages_.size()];
      sup.process = sluice_child(
          name, s.name,
          {"run", pipeline_file_, "--stage", s.name, "--admin", loopback(sup.admin_port)}, env_,
          (logs_ / (s.name + "-" + std::to_string(i) + ".log")).string(), f_.log_format);
      sup.stopped = stopped.count(s.name) > 0;
      stages_.push_back(std::move(sup));
      if (!stages_.back().stopped) start_stage(stages_.back());
    }
  }
  write_targets();  // stages that stay stopped are targets too: their `up` is 0
}

// The exporter serves the incident log's gauges (incident_log_metrics.h) and, on an
// external cluster, the groups' lag; the built-in broker exports lag itself
// (docs/metrics.md), so there it runs with --no-lag rather than count it twice.
void Up::start_exporter() {
  exporter_.admin_port = ports_.exporter;
  std::vector<std::string> args = {"exporter", "--admin", loopback(exporter_.admin_port),
                                   "--data-dir", data_.string()};
  if (f_.bootstrap.empty()) {
    args.push_back("--no-lag");
  } else {
    args.insert(args.end(), {"--bootstrap", bootstrap_, "--poll-interval-ms", "5000"});
  }
  exporter_.process = sluice_child("exporter", "", std::move(args), client_env_,
                                   (logs_ / "exporter.log").string(), f_.log_format);
  start_exporter_process();
}

void Up::start_exporter_process() {
  exporter_.process->start(20000);
  exporter_.started_ms = mono_ms();
  exporter_.started_wall_ms = now_ms();
  write_targets();
}

// A pipeline that declares `schemas:` gets a schema registry (its `_schemas` topic
// on the same Kafka) with those schemas registered before any stage starts, and
// every stage and the tick source find it through SLUICE_SCHEMA_REGISTRY.
void Up::start_registry() {
  registry_.admin_port = ports_.registry;
  registry_url_ = "http://" + loopback(ports_.registry);
  registry_.process =
      sluice_child("registry", "",
                   {"registry", "--bootstrap", bootstrap_, "--listen", loopback(ports_.registry)},
                   client_env_, (logs_ / "registry.log").string(), f_.log_format);
  start_registry_process();
  register_declared_schemas(registry_url_, config_);
  for (auto* env : {&env_, &client_env_})
    env->emplace_back("SLUICE_SCHEMA_REGISTRY", registry_url_);
}

void Up::start_registry_process() {
  registry_.process->start(30000);
  registry_.started_ms = mono_ms();
  registry_.started_wall_ms = now_ms();
  write_targets();
}

// Records on the first stage's input topic (the sum of its partitions' end offsets).
int64_t Up::events_in_topic() {
  try {
    kafka::AdminClient admin({bootstrap_, 5000});
    const auto topic = admin.find_topic(config_.stages.front().input);
    int64_t total = 0;
    for (const auto& p : topic ? topic->partitions : std::vector<kafka::PartitionInfo>{}) {
      total += admin.watermarks(topic->name, p.id).high;
    }
    return total;
  } catch (const std::exception&) {
    return 0;  // the broker is restarting: asked again next second
  }
}

// `sluice demo-source` with the pipeline's `demo_source:` flags (the claims source when it
// has none), this command's --rate and --bad-share when given (else the pipeline's, else
// their defaults), and always its --count, the input topic and the manifest, which the
// drain and the summary rely on.
std::vector<std::string> Up::source_args() const {
  std::map<std::string, std::string> flags = {{"kind", "claims"}};
  if (config_.demo_source.IsMap()) {
    for (const auto& kv : config_.demo_source) {
      std::string flag = kv.first.Scalar();
      std::replace(flag.begin(), flag.end(), '_', '-');
      flags[flag] = kv.second.Scalar();
    }
  }
  auto set = [&](const std::string& flag, const std::string& value, bool given) {
    if (given || !flags.count(flag)) flags[flag] = value;
  };
  set("rate", std::to_string(f_.rate), f_.rate_given);
  set("bad-share", std::to_string(f_.bad_share), f_.bad_share_given);
  if (f_.max_attachment_given) flags["max-attachment-size"] = f_.max_attachment;
  for (const auto& kv : f_.source_flags) {
    std::string flag = kv.substr(0, kv.find('='));
    std::replace(flag.begin(), flag.end(), '_', '-');
    flags[flag] = kv.substr(flag.size() + 1);
  }
  // Ticks go in Avro when the pipeline declares its schemas (the registry runs).
  if (!registry_url_.empty() && flags["kind"] == "ticks") set("registry", registry_url_, false);
  flags["count"] = std::to_string(f_.count);
  flags["bootstrap"] = bootstrap_;
  flags["topic"] = config_.stages.front().input;
  flags["manifest"] = (data_ / "manifest.jsonl").string();
  std::vector<std::string> argv = {"demo-source"};
  for (const auto& [flag, value] : flags) {
    argv.push_back("--" + flag);
    argv.push_back(value);
  }
  return argv;
}

void Up::start_source() {
  events_before_ = events_in_topic();
  source_.process = sluice_child("demo-source", "", source_args(), client_env_,
                                 (logs_ / "demo-source.log").string(), f_.log_format);
  std::fprintf(stderr, "demo source: %s\n", source_.process->start(20000).c_str());
  source_.started_wall_ms = now_ms();
}

// Restarts whatever died; the broker comes back on its port so clients reconnect.
void Up::supervise() {
  if (broker_.process && !broker_.process->running()) {
    std::fprintf(stderr, "\nbroker %s; restarting it\n",
                 broker_.process->exit_description().c_str());
    start_broker(broker_.port);
    broker_.restarts += 1;
  }
  if (registry_.process && !registry_.process->running()) {
    std::fprintf(stderr, "\nschema registry %s; restarting it (log: %s)\n",
                 registry_.process->exit_description().c_str(),
                 registry_.process->spec().log_path.c_str());
    try {
      start_registry_process();  // its schemas are in `_schemas`: nothing to register again
    } catch (const std::exception& e) {
      std::fprintf(stderr, "\nschema registry: restart failed: %s\n", e.what());
    }
    registry_.restarts += 1;
  }
  if (exporter_.process && !exporter_.process->running()) {
    std::fprintf(stderr, "\nexporter %s; restarting it (log: %s)\n",
                 exporter_.process->exit_description().c_str(),
                 exporter_.process->spec().log_path.c_str());
    try {
      start_exporter_process();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "\nexporter: restart failed: %s\n", e.what());
    }
    exporter_.restarts += 1;
  }
  apply_stopped_stages();
  for (auto& s : stages_) {
    if (s.stopped || s.process->running()) continue;
    std::fprintf(stderr, "\nstage %s %s; restarting it (log: %s)\n%s",
                 s.process->spec().name.c_str(), s.process->exit_description().c_str(),
                 s.process->spec().log_path.c_str(), s.process->log_tail(3).c_str());
    s.port = 0;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(stage_restart_delay_ms(mono_ms() - s.started_ms)));
    restart_stage(s);
  }
  if (source_.process && !source_done_ && !source_.process->running()) {
    source_done_ = true;
    std::fprintf(stderr, "\ndemo source exited (%s)\n",
                 source_.process->exit_description().c_str());
  }
  // With --count the source keeps serving attachments (retries still download
  // them) after sending; sending is done once the topic holds every event.
  if (f_.count > 0 && !source_done_ &&
      source_sent_all(f_.count, events_before_, events_in_topic())) {
    source_done_ = true;
    std::fprintf(stderr, "\nall %lld demo events sent; draining\n",
                 static_cast<long long>(f_.count));
  }
}

// Follows DATA/control/stopped-stages.json (stopped_stages.h): a stage newly listed
// gets SIGTERM (SIGKILL after kStopGraceMs) and is not restarted; one no longer
// listed is started again. Nothing here waits for a process to exit.
void Up::apply_stopped_stages() {
  const std::set<std::string> stopped = read_stopped_stages(data_.string());
  for (auto& s : stages_) {
    const bool wanted = stopped.count(s.stage) > 0;
    if (wanted && !s.stopped) {
      std::fprintf(stderr,
                   "\nstage %s: stopping it (`sluice stop`); it stays down until "
                   "`sluice start %s`\n",
                   s.process->spec().name.c_str(), s.stage.c_str());
      s.stopped = true;
      s.stop_sent_ms = mono_ms();
      s.process->signal(SIGTERM);
    } else if (wanted && s.process->running()) {
      if (s.stop_sent_ms >= 0 && mono_ms() - s.stop_sent_ms > kStopGraceMs) {
        s.process->signal(SIGKILL);
      }
    } else if (wanted) {
      s.port = 0;
    } else if (s.stopped) {
      std::fprintf(stderr, "\nstage %s: starting it again (`sluice start`)\n",
                   s.process->spec().name.c_str());
      s.stopped = false;
      s.stop_sent_ms = -1;
      if (!s.process->running()) restart_stage(s);
    }
  }
}

// Rewritten when a process (re)starts, not every second: Prometheus re-reads the
// file on every change it is told of.
void Up::write_targets() {
  std::vector<MetricsTarget> targets;
  if (broker_.admin_port > 0) {
    targets.push_back({loopback(broker_.admin_port), "broker", "broker", "", 0});
  }
  for (const auto& s : stages_) {
    targets.push_back(
        {loopback(s.admin_port), "stage", s.process->spec().name, s.stage, s.replica});
  }
  if (exporter_.process) {
    targets.push_back({loopback(exporter_.admin_port), "exporter", "exporter", "", 0});
  }
  if (registry_.process) {
    targets.push_back({loopback(registry_.admin_port), "registry", "registry", "", 0});
  }
  publish([&] { write_prometheus_targets(data_.string(), config_.name, targets); });
}

int64_t Up::table_rows() {
  int64_t rows = 0;
  for (const auto& s : config_.stages) {
    if (s.processor != "table-sink") continue;
    try {
      auto store = lake::open_store(s.options["store"].Scalar());
      rows += lake::delta::DeltaTable(*store, s.options["table"].Scalar()).state().live_records();
    } catch (const std::exception&) {
      // Not created yet.
    }
  }
  return rows;
}

std::vector<ScrapeTarget> targets(const std::vector<Supervised>& stages) {
  std::vector<ScrapeTarget> out;
  for (const auto& s : stages) out.push_back({s.stage, s.port});
  return out;
}

// The broker's view of every stage's group (committed offsets against log ends), so
// the backlog of a paused, stopped or dead stage counts; the stages' own gauges
// only cover partitions they own. Empty when the broker does not answer.
std::optional<int64_t> Up::broker_lag() {
  try {
    if (!lag_admin_) {
      // A short timeout: this runs in the supervisor's loop, which must not stall on a
      // broker that is restarting.
      const kafka::Endpoint endpoint{bootstrap_, 2000};
      lag_admin_ = std::make_unique<kafka::AdminClient>(endpoint);
      lag_reader_ = std::make_unique<kafka::RecordReader>(endpoint);
    }
    int64_t total = 0;
    for (const auto& s : config_.stages) {
      total += measure_group_lag(*lag_admin_, *lag_reader_, s.group).total_lag();
    }
    return total;
  } catch (const std::exception&) {
    lag_admin_.reset();  // reconnect next time (the broker may be restarting)
    lag_reader_.reset();
    return std::nullopt;
  }
}

// " | paused a,b | stopped c": what an operator has held, if anything.
std::string Up::held_stages() {
  std::set<std::string> stopped;
  for (const auto& s : stages_) {
    if (s.stopped) stopped.insert(s.stage);
  }
  auto list = [](const char* what, const std::set<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? std::string(" | ") + what + " " : ",") + n;
    return out;
  };
  return list("paused", paused_stages(targets(stages_))) + list("stopped", stopped);
}

void Up::print_progress(int64_t elapsed_s) {
  // Lines come every second on a terminal and every 5 s in a log: divide by the real gap
  // between the figures, so the time is taken with them, before the (slow) lag query.
  const int64_t now_ms = mono_ms();
  PipelineFigures now = scrape(targets(stages_));
  const double lag = double(broker_lag().value_or(int64_t(now.lag)));
  const double seconds = std::max(0.001, double(now_ms - last_progress_ms_) / 1e3);
  last_progress_ms_ = now_ms;
  auto per_second = [seconds](double now_v, double before) {
    return std::max(0.0, now_v - before) / seconds;
  };
  const auto& first = config_.stages.front();
  const double events = now.consumed[first.input];
  const std::string downloads_topic =
      config_.stages.size() > 1 && !config_.stages[1].outputs.empty()
          ? config_.stages[1].outputs.front()
      : first.outputs.empty() ? ""
                              : first.outputs.front();
  const double downloads = now.produced[downloads_topic];
  // Named after its topic's last part: claims.downloads -> downloads, iot.valid -> valid.
  const std::string label = downloads_topic.substr(downloads_topic.rfind('.') + 1);
  std::fprintf(stderr,
               "%s[%4llds] events %.0f (%.0f/s) | %s %.0f (%.0f/s) | rows %lld | lag %.0f | "
               "DLQ %.0f | "
               "breakers open %d | stages up %d/%zu | restarts %d%s%s",
               isatty(STDERR_FILENO) ? "\r\033[K" : "", static_cast<long long>(elapsed_s), events,
               per_second(events, last_consumed_[first.input]), label.c_str(), downloads,
               per_second(downloads, last_produced_[downloads_topic]),
               static_cast<long long>(table_rows()), lag, now.dead_lettered(), now.open_breakers,
               now.processes_up, stages_.size(), restarts(), held_stages().c_str(),
               isatty(STDERR_FILENO) ? "" : "\n");
  last_consumed_ = now.consumed;
  last_produced_ = now.produced;
}

// Every stage's group has committed up to the end of each topic it reads (input
// and delay topics), as the broker sees it: a stage still joining its group
// reports no lag of its own, so its metrics alone cannot say it is done.
bool Up::groups_committed_to_end() {
  try {
    kafka::AdminClient admin({bootstrap_, 5000});
    kafka::RecordReader reader({bootstrap_, 5000});
    for (const auto& s : config_.stages) {
      std::map<std::pair<std::string, int32_t>, int64_t> committed;
      for (const auto& p : measure_group_lag(admin, reader, s.group).partitions) {
        committed[{p.topic, p.partition}] = p.committed.value_or(-1);
      }
      std::vector<std::string> topics = {s.input};
      for (size_t i = 1; i <= s.retry.delay_topic_delays_ms.size(); ++i) {
        topics.push_back(s.input + ".retry." + std::to_string(i));
      }
      for (const auto& name : topics) {
        const auto topic = admin.find_topic(name);
        for (const auto& p : topic ? topic->partitions : std::vector<kafka::PartitionInfo>{}) {
          const auto w = admin.watermarks(name, p.id);
          auto it = committed.find({name, p.id});
          if (w.high > w.low && (it == committed.end() || it->second < w.high)) return false;
        }
      }
    }
    return true;
  } catch (const std::exception&) {
    return false;  // the broker is restarting: not drained yet
  }
}

// Nothing left to do: every group committed to the end, no lag anywhere and no
// stage holding records (buffered, in flight or waiting for a retry).
bool Up::drained() {
  if (!groups_committed_to_end()) return false;
  PipelineFigures now = scrape(targets(stages_));
  if (now.processes_up < int(stages_.size()) || now.lag > 0) return false;
  for (const auto& s : stages_) {
    httplib::Client client("127.0.0.1", s.port);
    auto res = client.Get("/status");
    if (!res || res->body.find("\"buffered\":0,\"in_flight\":0") == std::string::npos) return false;
  }
  return true;
}

int Up::restarts() const {
  int n = broker_.restarts;
  for (const auto& s : stages_) n += s.restarts;
  return n;
}

void Up::write_table() {
  // The supervisor itself first: `sluice down` stops the whole pipeline through it.
  std::vector<ProcessEntry> entries = {
      {"supervisor", "", ::getpid(), "", "", false, started_wall_ms_, 0}};
  auto add = [&](Supervised& s, const std::string& admin) {
    if (!s.process) return;
    const bool alive = s.process->running();
    const pipeline::StageConfig* stage = s.stage.empty() ? nullptr : config_.stage(s.stage);
    const std::string metrics = s.admin_port > 0 ? loopback(s.admin_port) : "";
    entries.push_back({s.process->spec().name, s.stage, alive ? s.process->pid() : -1, admin,
                       metrics, s.stopped, s.started_wall_ms, s.restarts,
                       stage ? stage->group : ""});
  };
  add(broker_, bootstrap_);
  for (auto& s : stages_) add(s, loopback(s.admin_port));
  add(exporter_, "");
  add(registry_, registry_url_);
  add(source_, "");
  write_process_table(data_.string(), entries);
}

void Up::publish(const std::function<void()>& write) {
  try {
    write();
    publish_error_.clear();
  } catch (const std::exception& e) {
    if (publish_error_ != e.what()) std::fprintf(stderr, "\nsluice up: %s\n", e.what());
    publish_error_ = e.what();
  }
}

void Up::stop_all() {
  if (source_.process) source_.process->stop(10000);
  for (auto& s : stages_) s.process->signal(SIGTERM);
  for (auto& s : stages_) s.process->stop(45000);
  if (exporter_.process) exporter_.process->stop(10000);
  if (registry_.process) registry_.process->stop(10000);
  if (broker_.process) broker_.process->stop(20000);
}

int Up::run() {
  pipeline_file_ =
      fs::absolute(fs::is_directory(f_.dir) ? fs::path(f_.dir) / "pipeline.yaml" : fs::path(f_.dir))
          .lexically_normal()
          .string();
  check_configuration();  // before anything starts
  if (!f_.no_source) demo::parse_max_attachment_size(f_.max_attachment);
  plan_ports();
  data_ = fs::absolute(f_.data_dir);
  logs_ = data_ / "logs";
  fs::create_directories(logs_);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (f_.secure) {
    secure_ = std::make_unique<SecureDemo>(data_, data_ / "broker");
  } else {
    forget_secure_demo_connection(data_);
  }
  if (f_.bootstrap.empty()) {
    start_broker(f_.listen_port);
  } else {
    bootstrap_ = f_.bootstrap;
  }
  configure_environment();
  if (!config_.schemas.empty()) start_registry();
  std::fprintf(stderr, "sluice up: pipeline '%s' from %s; broker %s; data and logs in %s\n",
               config_.name.c_str(), pipeline_file_.c_str(), bootstrap_.c_str(), data_.c_str());
  if (secure_) {
    std::fprintf(stderr, "%s", secure_->publish_connection(bootstrap_, data_.string()).c_str());
  }
  start_stages();
  start_exporter();
  if (!f_.no_source) start_source();
  std::string ports;  // "broker :9464, ingest :9465, ..."
  if (broker_.admin_port > 0) ports = "broker :" + std::to_string(broker_.admin_port);
  for (const auto& s : stages_) {
    ports +=
        (ports.empty() ? "" : ", ") + s.process->spec().name + " :" + std::to_string(s.admin_port);
  }
  ports += ", exporter :" + std::to_string(exporter_.admin_port);
  if (registry_.process) ports += ", schema registry :" + std::to_string(registry_.admin_port);
  std::fprintf(stderr,
               "running %zu stage process(es); Ctrl-C stops everything cleanly\n"
               "metrics on 127.0.0.1: %s; Prometheus targets in %s\n",
               stages_.size(), ports.c_str(), prometheus_targets_path(data_.string()).c_str());

  const int64_t start = mono_ms();
  last_progress_ms_ = start;
  // On a terminal the line is redrawn every second; in a log, one line every 5 s is enough.
  // Lines are due on a fixed schedule, and the wait below ends when the next one is due, so
  // the time spent checking and scraping does not stretch the interval.
  const int64_t progress_every_ms = isatty(STDERR_FILENO) ? 1000 : 5000;
  int64_t progress_due = start + progress_every_ms;
  int64_t drain_deadline = -1;
  int interrupts = 0;
  for (;;) {
    const int64_t wait_ms = std::clamp<int64_t>(progress_due - mono_ms(), 1, 1000);
    timespec tick{wait_ms / 1000, (wait_ms % 1000) * 1000000};
    if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) {
      interrupts += 1;
      if (interrupts == 1) {
        std::fprintf(
            stderr,
            "\nstopping: source first, then letting the stages drain (Ctrl-C again to skip)\n");
        if (source_.process) source_.process->stop(10000);
        source_done_ = true;
        drain_deadline = mono_ms() + f_.drain_timeout_s * 1000;
      } else {
        break;
      }
    }
    supervise();
    publish([this] { write_table(); });
    if (mono_ms() >= progress_due) {
      print_progress((mono_ms() - start + 500) / 1000);
      while (progress_due <= mono_ms()) progress_due += progress_every_ms;
    }
    if (source_done_ && drain_deadline < 0 && (interrupts > 0 || !f_.keep_running)) {
      drain_deadline = mono_ms() + f_.drain_timeout_s * 1000;
    }
    if (drain_deadline >= 0 && (drained() || mono_ms() > drain_deadline)) break;
  }
  const bool complete = drained();
  std::fprintf(stderr, "\nstopping stages and the broker ...\n");
  // The summary reads the topics and the table, so it runs while the broker is still up.
  for (auto& s : stages_) s.process->stop(45000);
  PassCost cost;
  const auto report = account(
      config_, {bootstrap_, -1, "", f_.no_source ? "" : (data_ / "manifest.jsonl").string()}, cost);
  stop_all();
  std::printf("\n==== sluice up: summary ====\n");
  report->print(stdout, complete);
  if (!complete) {
    std::printf(
        "note: stopped before the pipeline drained; records still in flight resume on the next "
        "`sluice up "
        "--data-dir %s`\n",
        data_.c_str());
  }
  std::printf("stage restarts: %d; logs in %s\n", restarts(), logs_.c_str());
  return complete && !report->ok() ? 1 : 0;
}

}  // namespace

Run add_up_command(CLI::App& app) {
  auto f = std::make_shared<UpFlags>();
  CLI::App* cmd = app.add_subcommand(
      "up", "Run the whole pipeline here: broker, stages (supervised), demo source");
  cmd->add_option("dir", f->dir, "Pipeline directory (with pipeline.yaml) or file")
      ->capture_default_str();
  cmd->add_option("--data-dir", f->data_dir, "Broker data, object store, table and logs")
      ->capture_default_str();
  cmd->add_option("--replicas", f->replicas, "STAGE=N: run N processes of a stage (repeatable)");
  cmd->add_option("--bootstrap", f->bootstrap,
                  "Use this Kafka cluster instead of the built-in broker");
  cmd->add_option("--rate", f->rate, "Demo events per second")->capture_default_str();
  cmd->add_option("--count", f->count, "Demo events to send, then drain and stop (0: until Ctrl-C)")
      ->capture_default_str();
  cmd->add_option("--bad-share", f->bad_share, "Share of demo events that are bad cases")
      ->capture_default_str();
  cmd->add_option("--max-attachment-size", f->max_attachment,
                  "Largest demo attachment, e.g. 8KiB for long runs on a small disk")
      ->capture_default_str();
  cmd->add_flag("--no-source", f->no_source, "Do not start the demo source");
  cmd->add_option("--source-flag", f->source_flags,
                  "KEY=VALUE: a `sluice demo-source` flag over the pipeline's `demo_source:`, e.g. "
                  "seed=7 or event_interval=50ms (repeatable)")
      ->check([](const std::string& kv) {
        const auto eq = kv.find('=');
        return eq == std::string::npos || eq == 0
                   ? "--source-flag " + kv + ": expected KEY=VALUE, e.g. seed=7"
                   : std::string();
      });
  cmd->add_option("--port", f->listen_port,
                  "Port of the built-in broker on 127.0.0.1 (0: any free port)")
      ->capture_default_str();
  cmd->add_flag(
      "--keep-running", f->keep_running,
      "With --count: keep running (and serving attachments) after draining, until Ctrl-C");
  cmd->add_option("--admin-base-port", f->admin_base_port,
                  "First of the fixed admin/metrics ports: broker, then each stage process, then "
                  "the exporter (0: free ports, kept across restarts; env SLUICE_ADMIN_BASE_PORT)")
      ->capture_default_str();
  cmd->add_option("--log-format", f->log_format, "Format of the processes' logs in DATA/logs")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  cmd->add_flag("--secure", f->secure,
                "Run the built-in broker with SASL_SSL only: a CA, certificate and SCRAM user are "
                "made in DATA/security and every process logs in with them (docs/up.md)");
  cmd->add_option("--drain-timeout", f->drain_timeout_s,
                  "Seconds to wait for the stages to drain when stopping")
      ->capture_default_str();
  return [f, cmd] {
    f->rate_given = cmd->get_option("--rate")->count() > 0;
    f->bad_share_given = cmd->get_option("--bad-share")->count() > 0;
    f->max_attachment_given = cmd->get_option("--max-attachment-size")->count() > 0;
    return Up(*f).run();
  };
}

}  // namespace sluice::cli
