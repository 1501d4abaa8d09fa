// `sluice run PIPELINE.yaml [--stage NAME]`: runs one stage (or every stage, one
// runtime each) of a pipeline in this process, with the ops surface on --admin.
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/run/object_store_checkpoints.h"
#include "cli/support/admin_token.h"
#include "cli/support/commands.h"
#include "cli/support/stop_signals.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"
#include "kafka/client_security.h"
#include "lake/store/object_store.h"
#include "ops/admin_server.h"
#include "ops/metrics.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/stage_runtime.h"
#include "stages/builtin.h"

namespace sluice::cli {
namespace {

struct RunFlags {
  std::string pipeline_file;
  std::string stage;
  std::string admin;
  std::string admin_token_file;
  bool until_caught_up = false;
};

using Runtimes = std::vector<std::unique_ptr<pipeline::StageRuntime>>;

// GET /status: one object per stage (cli/support/stage_status.h reads it);
// "stalled" is why the stage cannot make progress (ProgressWatchdog), or null.
std::string status_json(const Runtimes& runtimes) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& rt : runtimes) {
    const pipeline::StageStatus s = rt->status();
    w.begin_object().field("stage", s.stage).field("paused", s.paused);
    w.field("assigned_partitions", s.assigned_partitions).field("buffered", s.buffered);
    w.field("in_flight", s.in_flight).field("processed", s.processed);
    w.field("dead_lettered", s.dead_lettered).key("stalled");
    const std::optional<pipeline::Stall> stall = rt->stall();
    stall ? w.value(stall->describe()) : w.null();
    w.end_object();
  }
  return w.end_array().str() + "\n";
}

// A string field of a command's JSON body ({"name": "STAGE", "level": ...}); ""
// when the body is empty or has none. The admin server has checked that the body
// is a JSON object.
std::string field_in(const std::string& body, const char* field) {
  simdjson::dom::parser parser;
  std::string_view value;
  if (parser.parse(body)[field].get_string().get(value) != simdjson::SUCCESS) return "";
  return std::string(value);
}

std::string name_in(const std::string& body) {
  return field_in(body, "name");
}

// Applies `fn` to the runtimes named in `body` (every runtime when it names none).
ops::AdminServer::Reply for_stages(Runtimes& runtimes, const std::string& body,
                                   const std::function<void(pipeline::StageRuntime&)>& fn) {
  std::string name = name_in(body);
  int matched = 0;
  for (auto& rt : runtimes) {
    if (name.empty() || rt->status().stage == name) {
      fn(*rt);
      ++matched;
    }
  }
  if (matched == 0) return {404, "no stage named '" + name + "' runs in this process\n"};
  return {200, status_json(runtimes), "application/json"};
}

ops::AdminServer::Reply on_breaker(Runtimes& runtimes, const std::string& body, bool open) {
  std::string name = name_in(body);
  for (auto& rt : runtimes) {
    if (auto* b = rt->breaker(name)) {
      open ? b->force_open() : b->force_close();
      return {200, b->describe() + "\n"};
    }
  }
  return {404, "no circuit breaker named '" + name + "' in this process\n"};
}

// GET /degradation: one object per stage (cli/degradation reads it).
std::string degradation_json(const Runtimes& runtimes) {
  json::JsonWriter w;
  w.begin_array();
  for (const auto& rt : runtimes) {
    const pipeline::DegradationStatus d = rt->degradation().status();
    w.begin_object().field("stage", rt->status().stage).field("level", level_name(d.level));
    w.field("mode", d.pinned ? "manual" : "auto").field("lag", d.lag);
    w.field("memory_bytes", d.memory_bytes).field("since_ms", d.since_ms);
    w.field("parked", d.parked).field("parked_topic", rt->degradation().parked_topic());
    w.end_object();
  }
  return w.end_array().str() + "\n";
}

// POST /degradation/set {"name": STAGE?, "level": LEVEL} and /degradation/auto {"name": STAGE?}.
ops::AdminServer::Reply on_degradation(Runtimes& runtimes, const std::string& body, bool set) {
  std::optional<pipeline::DegradationLevel> level;
  if (set) {
    level = pipeline::parse_level(field_in(body, "level"));
    if (!level)
      return {400, "'" + field_in(body, "level") +
                       "' is not a degradation level; use NORMAL, SOFT, GRACEFUL, AGGRESSIVE or "
                       "CIRCUIT_BREAK\n"};
  }
  std::string refused;
  ops::AdminServer::Reply reply = for_stages(runtimes, body, [&](pipeline::StageRuntime& rt) {
    if (!set) return rt.degradation().automatic();
    const std::string why = rt.degradation().set(*level, mono_ms(), now_ms());
    if (!why.empty()) refused += why + "\n";
  });
  if (!refused.empty()) return {409, refused};
  if (reply.status != 200) return reply;
  return {200, degradation_json(runtimes), "application/json"};
}

void add_routes(ops::AdminServer& admin, Runtimes& runtimes) {
  admin.get("/status", [&] {
    return ops::AdminServer::Reply{200, status_json(runtimes), "application/json"};
  });
  admin.post("/pause", [&](const std::string& body) {
    return for_stages(runtimes, body, [](auto& rt) { rt.pause(); });
  });
  admin.post("/resume", [&](const std::string& body) {
    return for_stages(runtimes, body, [](auto& rt) { rt.resume(); });
  });
  admin.get("/breakers", [&] {
    std::string out;
    for (auto& rt : runtimes) {
      for (auto* b : rt->breakers()) out += b->describe() + "\n";
    }
    return ops::AdminServer::Reply{200, out.empty() ? "no circuit breakers configured\n" : out};
  });
  admin.post("/breakers/open",
             [&](const std::string& body) { return on_breaker(runtimes, body, true); });
  admin.post("/breakers/close",
             [&](const std::string& body) { return on_breaker(runtimes, body, false); });
  admin.get("/degradation", [&] {
    return ops::AdminServer::Reply{200, degradation_json(runtimes), "application/json"};
  });
  admin.post("/degradation/set",
             [&](const std::string& body) { return on_degradation(runtimes, body, true); });
  admin.post("/degradation/auto",
             [&](const std::string& body) { return on_degradation(runtimes, body, false); });
  admin.set_liveness([] { return ops::HealthStatus{true, "process running"}; });
  admin.set_readiness([&] {
    std::string detail;
    bool ready = true;
    for (auto& rt : runtimes) {
      auto s = rt->status();
      // A stage that cannot make progress takes no traffic: its load balancer
      // (and `sluice up`'s probe) must see it, not a 200 while nothing commits.
      const std::optional<pipeline::Stall> stall = rt->stall();
      bool ok = s.assigned_partitions > 0 && !stall;
      ready = ready && ok;
      detail += fmt::format("stage {}: {} partition(s) assigned{}\n", s.stage,
                            s.assigned_partitions, s.paused ? " (paused)" : "");
      if (stall) detail += fmt::format("stage {}: {}\n", s.stage, stall->describe());
    }
    return ops::HealthStatus{ready, detail};
  });
}

int run(const RunFlags& f) {
  const std::string admin_token =
      server_admin_token(f.admin_token_file);  // a bad file stops us now
  stages::register_builtin_processors();
  pipeline::PipelineConfig config = pipeline::load_pipeline_config(f.pipeline_file);
  kafka::use_pipeline_security(config.security);  // every client of this process logs in so
  if (!f.admin.empty()) config.admin = f.admin;
  std::vector<const pipeline::StageConfig*> selected;
  for (const auto& s : config.stages) {
    if (f.stage.empty() || s.name == f.stage) selected.push_back(&s);
  }
  if (selected.empty()) {
    throw std::invalid_argument("pipeline '" + config.name + "' (" + f.pipeline_file +
                                ") has no stage named '" + f.stage + "'");
  }
  StopSignals stop_signals;

  ops::MetricsRegistry metrics;
  std::vector<std::unique_ptr<ObjectStoreCheckpoints>> checkpoints;  // outlive the runtimes
  Runtimes runtimes;
  for (const auto* s : selected) {
    pipeline::ProcessorContext ctx = pipeline::processor_context(config, *s, &metrics);
    auto processor = pipeline::ProcessorRegistry::instance().create(s->processor, ctx);
    pipeline::CheckpointStore* state_store = nullptr;  // none: a stateful processor refuses
    if (processor->stateful() && !s->state_store.empty()) {
      checkpoints.push_back(std::make_unique<ObjectStoreCheckpoints>(
          lake::open_store(pipeline::resolve_option_path(ctx, s->state_store))));
      state_store = checkpoints.back().get();
    }
    runtimes.push_back(std::make_unique<pipeline::StageRuntime>(config, *s, std::move(processor),
                                                                metrics, state_store));
    if (f.until_caught_up) runtimes.back()->stop_when_caught_up();
  }
  auto [host, port] = std::pair{config.admin.substr(0, config.admin.rfind(':')),
                                std::stoi(config.admin.substr(config.admin.rfind(':') + 1))};
  ops::AdminServer admin(host, port, metrics);
  admin.require_token(admin_token);
  add_routes(admin, runtimes);
  admin.start();
  std::printf("sluice run: pipeline '%s', %zu stage(s), admin on http://%s:%d\n",
              config.name.c_str(), runtimes.size(), host.c_str(), admin.port());
  std::fflush(stdout);

  std::mutex mu;
  std::condition_variable all_done;
  size_t running = runtimes.size();
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (auto& rt : runtimes) {
    threads.emplace_back([&, rt = rt.get()] {
      try {
        rt->run();
      } catch (const std::exception& e) {
        log::error("run", "stage '{}' failed: {}", rt->status().stage, e.what());
        failed = true;
      }
      std::lock_guard lock(mu);
      if (--running == 0) all_done.notify_all();
    });
  }
  int64_t deadline_ms = 0;
  for (const auto* s : selected) deadline_ms = std::max(deadline_ms, s->shutdown_timeout_ms);
  std::thread waiter([&] {
    stop_signals.wait("run", "stopping stages");
    for (auto& rt : runtimes) rt->stop();
    // librdkafka can block in close() while the cluster is unreachable; the
    // shutdown promise is a deadline, and nothing uncommitted is lost by exiting.
    std::unique_lock lock(mu);
    if (!all_done.wait_for(lock, std::chrono::milliseconds(deadline_ms + 10'000),
                           [&] { return running == 0; })) {
      log::error("run",
                 "stages did not stop within {} ms (is the broker reachable?); exiting — "
                 "uncommitted records "
                 "will be consumed again on restart",
                 deadline_ms + 10'000);
      std::_Exit(3);
    }
  });
  for (auto& t : threads) t.join();
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  admin.stop();
  return failed ? 1 : 0;  // a supervisor (`sluice up`, systemd) sees the failure
}

}  // namespace

Run add_run_command(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Run a pipeline's stages (all, or one with --stage)");
  cmd->add_option("pipeline", flags->pipeline_file, "Pipeline YAML file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--stage", flags->stage, "Run only this stage");
  cmd->add_option("--admin", flags->admin,
                  "HOST:PORT for /metrics, /healthz, /readyz and control (overrides the file)");
  cmd->add_option("--admin-token-file", flags->admin_token_file,
                  "File holding the bearer token the admin commands (pause, resume, breakers) "
                  "require (env SLUICE_ADMIN_TOKEN_FILE, or the token itself in "
                  "SLUICE_ADMIN_TOKEN; none: commands need no token)")
      ->check(CLI::ExistingFile);
  cmd->add_flag(
      "--until-caught-up", flags->until_caught_up,
      "Catch-up job: exit 0 once everything up to the end offsets seen at start is committed");
  return [flags] { return run(*flags); };
}

}  // namespace sluice::cli
