// bench_stage: the stage runtime's overhead, measured against a bare librdkafka
// consume -> produce loop on the same data, same broker, same run.
//
// Usage: bench_stage [--messages N] [--value-bytes N]
#include <cstdio>
#include <cstring>
#include <string>

#include "../broker/broker_process.h"
#include "../broker/kafka_clients.h"
#include "../broker/scratch_dir.h"
#include "bare_loop.h"
#include "stage_run.h"

namespace {

class Counter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override { failed += m.err() ? 1 : 0; }
  int64_t failed = 0;
};

// Loads `count` records of `value_bytes` into `topic` and waits for every ack.
void load(const std::string& bootstrap, const std::string& topic, int64_t count, size_t value_bytes) {
  Counter acks;
  auto producer = sluice::bench::make_producer({bootstrap}, &acks);
  sluice::bench::ensure_topic(producer.get(), topic, 4);
  std::string value(value_bytes, 'x');
  for (int64_t i = 0; i < count; ++i) {
    std::string key = std::to_string(i);
    while (producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, value.data(),
                             value.size(), key.data(), key.size(), 0, nullptr) == RdKafka::ERR__QUEUE_FULL) {
      producer->poll(1);
    }
  }
  producer->flush(60'000);
  if (acks.failed) throw std::runtime_error("loading the input topic failed for some records");
}

}  // namespace

int main(int argc, char** argv) {
  int64_t messages = 200'000;
  size_t value_bytes = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--messages")) messages = std::stoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--value-bytes")) value_bytes = std::stoul(argv[i + 1]);
  }
  sluice::bench::ScratchDir dir("/tmp", false);
  sluice::bench::BrokerProcess broker({SLUICE_BIN, dir.path() / "broker", dir.path() / "broker.log", "always", 4});
  std::string bootstrap = broker.bootstrap();
  std::printf("loading %lld records of %zu bytes into bench.in (4 partitions) ...\n",
              static_cast<long long>(messages), value_bytes);
  load(bootstrap, "bench.in", messages, value_bytes);

  double bare = sluice::bench::run_bare_loop(bootstrap, "bench.in", "bench.bare.out", messages);
  double stage = sluice::bench::run_passthrough_stage(SLUICE_BIN, dir.path(), bootstrap, "bench.in", "bench.stage.out",
                                                      messages);
  double bare_rate = double(messages) / bare, stage_rate = double(messages) / stage;
  std::printf("\n==== stage runtime benchmark (%lld records, %zu-byte values, broker flush=always) ====\n",
              static_cast<long long>(messages), value_bytes);
  std::printf("bare librdkafka consume->produce loop: %.0f msg/s (%.2f s)\n", bare_rate, bare);
  std::printf("sluice run, passthrough stage:         %.0f msg/s (%.2f s, including process start)\n", stage_rate,
              stage);
  std::printf("ratio: %.2f of the bare loop (target >= 0.80)\n", stage_rate / bare_rate);
  return 0;
}
