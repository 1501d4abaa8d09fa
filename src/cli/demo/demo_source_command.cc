// `sluice demo-source`: produces claim events at a steady rate, a chosen share
// of them bad in one of ten ways, and serves their attachments from a loopback
// HTTP server until Ctrl-C/SIGTERM (or, with --exit-when-done, until the last
// event is acknowledged). See docs/demo-source.md. With --kind iot it produces
// IoT device events instead (iot_source.h) and exits after --count events.
//
// Invariant: the manifest gets one line per event the broker acknowledged
// (acks=all), written when its delivery report arrives — so it lists exactly
// the events on the topic, with the outcome each should reach.

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>

#include "cli/demo/demo_http_server.h"
#include "cli/demo/demo_producer.h"
#include "cli/demo/demo_records.h"
#include "cli/demo/demo_stats.h"
#include "cli/demo/iot_source.h"
#include "cli/demo/source_loop.h"
#include "cli/demo/tick_source.h"
#include "cli/support/commands.h"
#include "cli/support/profile.h"
#include "common/random_id.h"
#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

struct DemoFlags {
  std::string bootstrap = defaults().bootstrap();
  std::string topic = "claims.events";
  double rate = 50;
  int linger_ms = 5;
  int64_t count = 0;
  std::string http = "127.0.0.1:0";
  double bad_share = 0.02;  // below every paging threshold at the default rate (alerts.yml)
  uint64_t seed = 0;
  bool seed_given = false;
  std::string manifest;
  std::string oversize = "60MiB";
  std::string max_attachment = "200KiB";
  bool exit_when_done = false;
  std::string kind = "claims";
  demo::IotSourceFlags iot;     // --kind iot
  demo::TickSourceFlags ticks;  // --kind ticks
};

int run(const DemoFlags& f) {
  auto oversize = pipeline::parse_size_bytes(f.oversize);
  if (!oversize || *oversize <= 0) {
    throw std::invalid_argument("--oversize-bytes '" + f.oversize +
                                "' must be a size such as 62914560 or 60MiB");
  }
  demo::StopSignals signals;  // before any thread starts, so every thread inherits the blocked mask
  uint64_t seed =
      f.seed_given ? f.seed : (uint64_t(std::random_device{}()) << 32) ^ std::random_device{}();
  demo::DemoPlan plan(seed, f.bad_share, demo::parse_max_attachment_size(f.max_attachment));
  demo::ServerOptions server_options;
  server_options.listen = f.http;
  server_options.oversize_bytes = *oversize;
  demo::AttachmentServer server(plan, server_options);
  std::printf("demo-source: serving attachments on %s, producing to %s at %s (seed %llu)\n",
              server.base_url().c_str(), f.topic.c_str(), f.bootstrap.c_str(),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);

  demo::Manifest manifest(f.manifest);
  demo::DemoStats stats;
  demo::EventProducer producer(f.bootstrap, f.linger_ms, demo::count_and_record(stats, manifest));
  demo::ProgressTicker tick(
      manifest, [&] { return stats.progress_line(server.requests(), producer.last_problem()); });
  demo::Pacer pacer(f.rate);
  while (!signals.stop && (f.count == 0 || stats.sent_count() < f.count)) {
    if (!pacer.wait_for(stats.sent_count(), signals.stop, [&] {
          producer.poll(0);
          tick();
        }))
      break;
    demo::EventPlan event = plan.event(stats.sent_count());
    server.publish_up_to(event.number + 1);
    std::string trace_id = random_hex(16);
    std::string line =
        manifest.enabled() ? demo::manifest_line(event, trace_id, server.base_url()) : "";
    producer.produce(f.topic, event.claim_id,
                     demo::event_json(event, server.base_url(), demo::utc_now_rfc3339()), trace_id,
                     std::move(line));
    stats.sent(event.kind);
    producer.poll(0);
    tick();
  }
  while (!signals.stop && producer.outstanding() > 0) {
    producer.flush(100);
    tick();
  }
  manifest.flush();
  if (!signals.stop) {
    std::fprintf(stderr, "%s\n",
                 stats.progress_line(server.requests(), producer.last_problem()).c_str());
    if (!f.exit_when_done) {
      std::fprintf(stderr, "demo-source: all %lld events sent; serving attachments until Ctrl-C\n",
                   static_cast<long long>(stats.sent_count()));
      while (!signals.stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  int unacknowledged = producer.flush(10000);
  manifest.flush();
  server.stop();
  std::fprintf(stderr, "%s\n", stats.summary(unacknowledged, server.requests()).c_str());
  if (stats.failed_count() > 0 || unacknowledged > 0) {
    std::fprintf(
        stderr,
        "demo-source: some events did not reach %s (see above); the manifest lists only the "
        "acknowledged ones\n",
        f.bootstrap.c_str());
    return 1;
  }
  return 0;
}

// The options only --kind iot reads (the rate, count, seed, bad share, topic and
// manifest are shared with the claims source).
void add_iot_options(CLI::App& cmd, demo::IotSourceFlags& iot) {
  const char* group = "IoT events (--kind iot)";
  cmd.add_option("--devices", iot.plan.devices, "Devices in the fleet, 24 to 1000000")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--start-time", iot.start_time,
                 "Event time of the first event, e.g. 2026-12-06T10:00:00Z (default: now)")
      ->group(group);
  cmd.add_option("--event-interval", iot.event_interval,
                 "Event time between consecutive events, e.g. 100ms (default: 1/rate, real time)")
      ->group(group);
  cmd.add_option("--late-share", iot.plan.late_share,
                 "Fraction of events behind the watermark (2 min allowed lateness)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0))
      ->group(group);
  cmd.add_option("--duplicate-share", iot.plan.duplicate_share,
                 "Fraction of events that repeat an earlier one byte for byte")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0))
      ->group(group);
  cmd.add_option("--disorder-share", iot.plan.disorder_share,
                 "Fraction of events out of order (iot: within the allowed lateness; ticks: one "
                 "held behind its successor)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0))
      ->group(group);
}

// The options only --kind ticks reads (--duplicate-share and --disorder-share
// are the IoT group's, shared).
void add_tick_options(CLI::App& cmd, demo::TickSourceFlags& ticks) {
  const char* group = "ASX market ticks (--kind ticks)";
  cmd.add_option("--symbols", ticks.plan.symbols,
                 "ASX symbols, 1 to 40 (the seed's 20 critical ones first; BHP ten times busier)")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--session-ticks", ticks.plan.session_ticks,
                 "Ticks per 10:00-16:00 Sydney trading session; each new session restarts every "
                 "symbol's sequence at 1")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group(group);
  cmd.add_option("--max-price-move", ticks.plan.max_price_move,
                 "The pipeline's sequence-check max_price_move, which the manifest's expected "
                 "outcomes follow (0: the pipeline does not check price moves)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0))
      ->group(group);
  cmd.add_option("--session-date", ticks.session_date,
                 "Date of the first session, e.g. 2026-12-07 (default: today, UTC)")
      ->group(group);
  cmd.add_option("--registry", ticks.registry,
                 "A schema registry's URL: ticks are sent in Avro (Confluent's wire format) with "
                 "the latest schema of --subject, and, with a bad mix, one incompatible schema "
                 "change is tried (default: JSON ticks)")
      ->group(group);
  cmd.add_option("--subject", ticks.subject, "The registry subject (default: <topic>-value)")
      ->group(group);
  cmd.add_option("--partitions", ticks.partitions,
                 "Partitions of the topic when the source creates it, or grows it while it is "
                 "empty (a topic "
                 "holding records is kept)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber)
      ->group(group);
}

}  // namespace

Run add_demo_source_command(CLI::App& app) {
  auto f = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "demo-source",
      "Produce demo events (a share of them bad): claims with attachments served over HTTP, or "
      "IoT device readings (--kind iot)");
  cmd->add_option("--bootstrap", f->bootstrap,
                  "Kafka bootstrap HOST:PORT (env SLUICE_BOOTSTRAP, profile `bootstrap:`)")
      ->capture_default_str();
  cmd->add_option(
         "--topic", f->topic,
         "Topic for the events (default for --kind iot: iot-events; ticks: market.ticks.asx)")
      ->capture_default_str();
  cmd->add_option("--rate", f->rate, "Events per second")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--linger-ms", f->linger_ms,
                  "How long the producer lets a partition's batch fill (linger.ms). A feed over "
                  "many partitions at a high rate sends far fewer, fuller batches with 20-50")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--count", f->count, "Events to produce (0: until Ctrl-C)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--http", f->http,
                  "Attachment server listen address HOST:PORT (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--bad-share", f->bad_share, "Fraction of events that are bad, 0 to 1")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option_function<uint64_t>(
      "--seed",
      [f](uint64_t s) {
        f->seed = s;
        f->seed_given = true;
      },
      "Seed for claim ids, attachment sizes and contents (default: random; printed at start)");
  cmd->add_option("--manifest", f->manifest,
                  "Append one JSON line per acknowledged event to this file");
  cmd->add_option("--oversize-bytes", f->oversize, "Size of the oversized attachments, e.g. 60MiB")
      ->capture_default_str();
  cmd->add_option("--max-attachment-size", f->max_attachment,
                  "Largest served attachment (sizes spread from 2KiB up to it), e.g. 8KiB")
      ->capture_default_str();
  cmd->add_flag(
      "--exit-when-done", f->exit_when_done,
      "With --count: exit once every event is acknowledged instead of serving until Ctrl-C");
  cmd->add_option("--kind", f->kind,
                  "What to produce: claims (claim events and their attachments), iot (device "
                  "events of seed 004) or ticks (ASX market ticks of seed 003)")
      ->capture_default_str()
      ->check(CLI::IsMember({"claims", "iot", "ticks"}));
  CLI::Option* topic = cmd->get_option("--topic");
  add_iot_options(*cmd, f->iot);
  add_tick_options(*cmd, f->ticks);
  return [f, topic] {
    if (f->kind == "claims") return run(*f);
    if (f->kind == "ticks") {
      demo::TickSourceFlags ticks = f->ticks;
      ticks.bootstrap = f->bootstrap;
      if (topic->count() > 0) ticks.topic = f->topic;
      ticks.rate = f->rate;
      ticks.linger_ms = f->linger_ms;
      ticks.count = f->count;
      ticks.manifest = f->manifest;
      ticks.plan.seed = f->seed;
      ticks.plan.bad_share = f->bad_share;
      ticks.plan.duplicate_share = f->iot.plan.duplicate_share;
      ticks.plan.disorder_share = f->iot.plan.disorder_share;
      return demo::run_tick_source(ticks, f->seed_given);
    }
    demo::IotSourceFlags iot = f->iot;
    iot.bootstrap = f->bootstrap;
    if (topic->count() > 0) iot.topic = f->topic;
    iot.rate = f->rate;
    iot.linger_ms = f->linger_ms;
    iot.count = f->count;
    iot.manifest = f->manifest;
    iot.plan.seed = f->seed;
    iot.plan.bad_share = f->bad_share;
    return demo::run_iot_source(iot, f->seed_given);
  };
}

}  // namespace sluice::cli
