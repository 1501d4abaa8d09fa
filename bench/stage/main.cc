// bench_stage: what the stage runtime costs. One broker, one input topic, three
// copies of it in the same run: a bare hand-written librdkafka consume->produce
// loop with librdkafka's defaults, the same loop tuned as the stage tunes its
// clients, then `sluice run` with a passthrough stage. Prints the rates and the
// stage's ratio to each loop (target >= 0.80 against the first, never asserted);
// exits non-zero only if it could not run.
//
// Usage: bench_stage [--messages N] [--value-bytes N] [--keep-data]
#include <fmt/format.h>

#include <cstring>
#include <exception>
#include <string>

#include "../broker/broker_process.h"
#include "../broker/kafka_clients.h"
#include "../broker/scratch_dir.h"
#include "bare_loop.h"
#include "stage_run.h"
#include "watermarks.h"

namespace sluice::bench {
namespace {

constexpr int32_t kPartitions = 4;

struct Options {
  int64_t messages = 200'000;
  size_t value_bytes = 200;
  bool keep_data = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--messages") && has_value) {
      o.messages = std::stoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--value-bytes") && has_value) {
      o.value_bytes = std::stoul(argv[++i]);
    } else if (!std::strcmp(argv[i], "--keep-data")) {
      o.keep_data = true;
    } else {
      fmt::print(stderr, "usage: bench_stage [--messages N] [--value-bytes N] [--keep-data]\n");
      std::exit(2);
    }
  }
  return o;
}

class FailureCount : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override { failed += m.err() ? 1 : 0; }
  int64_t failed = 0;
};

// Loads `count` records (key = sequence number) into `topic`, waiting for every ack.
void load(const std::string& bootstrap, const std::string& topic, const Options& o) {
  FailureCount acks;
  auto producer = make_producer({bootstrap}, &acks);
  ensure_topic(producer.get(), topic, kPartitions);
  const std::string value(o.value_bytes, 'x');
  for (int64_t i = 0; i < o.messages; ++i) {
    const std::string key = std::to_string(i);
    while (producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                             const_cast<char*>(value.data()), value.size(), key.data(), key.size(),
                             0, nullptr) == RdKafka::ERR__QUEUE_FULL) {
      producer->poll(1);
    }
  }
  if (producer->flush(120'000) != RdKafka::ERR_NO_ERROR || acks.failed > 0) {
    throw std::runtime_error("loading " + topic + " failed for some records");
  }
}

// One bare-loop copy of bench.in into `output`, checked for completeness.
BareLoopResult copy_with_bare_loop(const std::string& bootstrap, const std::string& output,
                                   int64_t count, bool tuned) {
  fmt::print("bare loop ({}): bench.in -> {} ...\n", tuned ? "tuned" : "defaults", output);
  std::fflush(stdout);
  Watermarks out(bootstrap, output, kPartitions);
  const BareLoopResult r = run_bare_loop(bootstrap, "bench.in", output, count, tuned);
  if (const int64_t records = out.records(); records != count) {
    fmt::print("note: {} holds {} records, expected {}\n", output, records, count);
  }
  return r;
}

void print_bare_loop(const char* name, const BareLoopResult& r, double records) {
  fmt::print("{:<32} {:>7.0f} msg/s ({:.2f} s from client creation; first output after {:.2f} s)\n",
             name, records / r.seconds, r.seconds, r.first_ack_seconds);
}

int run(const Options& o) {
  ScratchDir scratch("/tmp", o.keep_data);
  BrokerProcess broker({SLUICE_BIN, scratch.path() / "broker", scratch.path() / "broker.log",
                        "always", kPartitions});
  const std::string bootstrap = broker.bootstrap();
  fmt::print("{}\nloading {} records of {} bytes into bench.in ({} partitions) ...\n",
             broker.ready_line(), o.messages, o.value_bytes, kPartitions);
  std::fflush(stdout);
  load(bootstrap, "bench.in", o);

  const BareLoopResult bare = copy_with_bare_loop(bootstrap, "bench.bare.out", o.messages, false);
  const BareLoopResult tuned = copy_with_bare_loop(bootstrap, "bench.tuned.out", o.messages, true);

  fmt::print("sluice run: bench.in -> bench.stage.out ...\n");
  std::fflush(stdout);
  const StageResult stage =
      run_passthrough_stage({SLUICE_BIN, scratch.path(), bootstrap, "bench.in", "bench.stage.out",
                             kPartitions, o.messages});
  fmt::print("stage admin: {} (stopped: {})\nstatus at half way: {}\n{}", stage.admin_url,
             stage.exit, stage.status_midway, stage.processing_metrics);

  const double n = static_cast<double>(o.messages);
  const double stage_rate = n / stage.seconds;
  fmt::print("\n==== bench_stage: {} records, {}-byte values, {} partitions, flush=always ====\n",
             o.messages, o.value_bytes, kPartitions);
  print_bare_loop("bare loop, librdkafka defaults", bare, n);
  print_bare_loop("bare loop, tuned like the stage", tuned, n);
  fmt::print("{:<32} {:>7.0f} msg/s ({:.2f} s from process start; first output after {:.2f} s)\n",
             "sluice run (passthrough stage)", stage_rate, stage.seconds, stage.ready_seconds);
  fmt::print("ratio: {:.2f} of the bare loop with defaults (target >= 0.80)\n",
             stage_rate * bare.seconds / n);
  fmt::print("ratio: {:.2f} of the tuned bare loop (the runtime's own cost)\n",
             stage_rate * tuned.seconds / n);
  fmt::print("broker: {}\n", broker.stop());
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  const auto options = sluice::bench::parse(argc, argv);
  try {
    return sluice::bench::run(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_stage: {}\n", e.what());
    return 1;
  }
}
