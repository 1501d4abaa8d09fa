// Hand-rolled "--flag value" parsing: the bench links only sluice_common and
// librdkafka, and a dozen numeric flags do not justify another dependency.
#include "options.h"

#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace sluice::bench {
namespace {

constexpr const char* kUsage = R"(usage: bench_broker [flags]

Measures the disk's sequential-write limit, then `sluice broker` produce and consume
throughput (acks=all) and produce/end-to-end latency at a fixed rate.

  --sluice PATH              sluice binary (default: the one built with this bench)
  --dir DIR                  parent of the scratch directory (default /tmp); the
                             disk baseline and broker data share its filesystem
  --disk-mb N                MiB written by the disk baseline (default 1024)
  --messages N               messages produced per flush mode (default 1000000)
  --value-bytes N            message value size (default 1024)
  --partitions N             partitions of the benchmark topics (default 4)
  --flush-modes LIST         comma-separated broker --flush values (default always),
                             e.g. always,1000ms
  --linger-ms N              producer linger.ms (default 5)
  --batch-bytes N            producer batch.size (default 1000000)
  --latency-seconds S        length of the fixed-rate latency run (default 10)
  --latency-rate-fraction F  latency rate as a fraction of the measured max msg/s
                             (default 0.5)
  --latency-rate N           a fixed latency rate in msg/s instead, e.g. to compare
                             two builds at the same load (default: use the fraction)
  --latency-producers N      producers (connections) sharing the latency rate
                             (default 1)
  --protocols LIST           listeners compared on one broker with --flush always
                             (default PLAINTEXT,SSL,SASL_SSL; none: skip)
  --idle-connections N       idle connections held open during a last load phase
                             (default 10000; 0: skip)
  --quick                    --messages 200000 --disk-mb 256 --latency-seconds 5,
                             for a run of about two minutes (later flags override)
  --latency-timeline         also print each latency run's ack p99 and max per second
  --compare kafka            run each flush mode on a one-node Apache Kafka too (the
                             pinned release of scripts/install-kafka.sh), with
                             log.flush.interval.messages=1 for always and
                             log.flush.interval.ms=N for Nms, and print the ratios
  --keep-data                do not delete the scratch directory
  --help                     this text
)";

[[noreturn]] void usage_error(const std::string& message) {
  fmt::print(stderr, "bench_broker: {}\n\n{}", message, kUsage);
  std::exit(2);
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

template <typename T>
T parse_number(const std::string& flag, const std::string& text, T min) {
  try {
    size_t used = 0;
    T value;
    if constexpr (std::is_floating_point_v<T>) {
      value = static_cast<T>(std::stod(text, &used));
    } else {
      value = static_cast<T>(std::stoll(text, &used));
    }
    if (used == text.size() && value >= min) return value;
  } catch (const std::exception&) {
  }
  usage_error(fmt::format("{} '{}' must be a number >= {}", flag, text, min));
}

}  // namespace

BenchOptions parse_options(int argc, char** argv) {
  BenchOptions o;
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> setters = {
      {"--sluice", [&](const std::string& v) { o.sluice_bin = v; }},
      {"--dir", [&](const std::string& v) { o.parent_dir = v; }},
      {"--disk-mb",
       [&](const std::string& v) { o.disk_mb = parse_number<int64_t>("--disk-mb", v, 1); }},
      {"--messages",
       [&](const std::string& v) { o.messages = parse_number<int64_t>("--messages", v, 1); }},
      {"--value-bytes",
       [&](const std::string& v) {
         o.value_bytes = parse_number<int32_t>("--value-bytes", v, 16);
       }},
      {"--partitions",
       [&](const std::string& v) { o.partitions = parse_number<int32_t>("--partitions", v, 1); }},
      {"--flush-modes", [&](const std::string& v) { o.flush_modes = split_commas(v); }},
      {"--linger-ms",
       [&](const std::string& v) { o.linger_ms = parse_number<int32_t>("--linger-ms", v, 0); }},
      {"--batch-bytes",
       [&](const std::string& v) { o.batch_bytes = parse_number<int32_t>("--batch-bytes", v, 1); }},
      {"--latency-seconds",
       [&](const std::string& v) {
         o.latency_seconds = parse_number<double>("--latency-seconds", v, 0.1);
       }},
      {"--protocols",
       [&](const std::string& v) {
         o.protocols = v == "none" ? std::vector<std::string>{} : split_commas(v);
         for (const std::string& p : o.protocols) {
           if (p != "PLAINTEXT" && p != "SSL" && p != "SASL_SSL")
             usage_error("--protocols takes PLAINTEXT, SSL and SASL_SSL, not '" + p + "'");
         }
       }},
      {"--idle-connections",
       [&](const std::string& v) {
         o.idle_connections = parse_number<int64_t>("--idle-connections", v, 0);
       }},
      {"--latency-producers",
       [&](const std::string& v) {
         o.latency_producers = parse_number<int32_t>("--latency-producers", v, 1);
       }},
      {"--latency-rate",
       [&](const std::string& v) {
         o.latency_rate = parse_number<double>("--latency-rate", v, 1);
       }},
      {"--compare",
       [&](const std::string& v) {
         if (v != "kafka") usage_error("--compare takes kafka, not '" + v + "'");
         o.compare_kafka = true;
       }},
      {"--latency-rate-fraction",
       [&](const std::string& v) {
         o.latency_rate_fraction = parse_number<double>("--latency-rate-fraction", v, 0.001);
       }},
  };
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      fmt::print("{}", kUsage);
      std::exit(0);
    }
    if (flag == "--keep-data") {
      o.keep_data = true;
      continue;
    }
    if (flag == "--latency-timeline") {
      o.latency_timeline = true;
      continue;
    }
    if (flag == "--quick") {
      o.messages = 200'000;
      o.disk_mb = 256;
      o.latency_seconds = 5;
      continue;
    }
    std::string value;
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      usage_error(flag + " needs a value");
    }
    auto it = setters.find(flag);
    if (it == setters.end()) usage_error("unknown flag " + flag);
    it->second(value);
  }
  if (o.flush_modes.empty()) usage_error("--flush-modes must name at least one mode");
  return o;
}

}  // namespace sluice::bench
