// bench_compaction: how fast the log cleaner compacts, and what readers get while
// it does, beside the disk it runs on.
//
//   build/bench/bench_compaction [--megabytes 512] [--keys 100000] [--value-bytes 200]
//                                [--dir /tmp] [--keep]
//
// Writes a compacted partition log of the given size in-process (1 MiB segments,
// records of `keys` keys written round-robin, so all but the last round is
// garbage), then times, one after the other:
//  1. the disk: one sequential write of the same size, fdatasync'ed (disk_limit.h);
//  2. a reader alone: the whole log read start to end (page cache warm);
//  3. one compaction pass (clean_log), while the same reader runs in a loop:
//     the pass's MB/s read, and the reader's MB/s during it;
// and prints each with its ratio to the disk and to the reader alone. Figures
// only: nothing is asserted.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "../broker/disk_limit.h"
#include "../broker/scratch_dir.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/partition_log.h"
#include "common/clock.h"

namespace {

using namespace sluice;
using namespace sluice::broker;

struct Options {
  int64_t megabytes = 512;
  int64_t keys = 100'000;
  int64_t value_bytes = 200;
  std::string dir = "/tmp";
  bool keep = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--megabytes")
      o.megabytes = std::stoll(next());
    else if (a == "--keys")
      o.keys = std::stoll(next());
    else if (a == "--value-bytes")
      o.value_bytes = std::stoll(next());
    else if (a == "--dir")
      o.dir = next();
    else if (a == "--keep")
      o.keep = true;
    else
      throw std::runtime_error("unknown option " + a +
                               " (see the header of bench/compaction/main.cc)");
  }
  return o;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Reads the whole log once; returns the bytes read.
int64_t read_through(const PartitionLog& log) {
  int64_t bytes = 0;
  for (int64_t next = log.log_start_offset(); next < log.log_end_offset();) {
    auto r = log.read(next, 1 << 20);
    if (r.data.empty()) break;
    bytes += int64_t(r.data.size());
    ByteSpan rest = r.data;
    while (rest.size() >= kBatchHeaderSize) {
      auto h = *parse_batch_header(rest);
      next = h.last_offset() + 1;
      rest = rest.subspan(h.total_size());
    }
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  bench::ScratchDir scratch(o.dir, o.keep);
  const auto disk = bench::measure_sequential_write(scratch.path(), o.megabytes);

  LogConfig cfg;
  cfg.cleanup_policy = "compact";
  cfg.segment_bytes = 1 << 20;
  cfg.flush.always = false;
  cfg.flush.interval_ms = 1'000'000;
  auto log = PartitionLog::open(scratch.path() / "log", cfg);
  const std::string value(size_t(o.value_bytes), 'v');
  int64_t written = 0, records = 0;
  while (written < o.megabytes << 20) {
    std::vector<RecordInput> batch;
    for (int i = 0; i < 100; ++i, ++records)
      batch.push_back({now_ms(), "key-" + std::to_string(records % o.keys), value, {}});
    Bytes b = build_batch(0, batch);
    written += int64_t(b.size());
    log->append(b);
  }
  log->flush();

  auto t = std::chrono::steady_clock::now();
  const int64_t alone_bytes = read_through(*log);
  const double alone_s = seconds_since(t);

  std::atomic<bool> cleaning{true};
  std::atomic<int64_t> during_bytes{0};
  double during_s = 0;
  std::thread reader([&] {
    auto start = std::chrono::steady_clock::now();
    while (cleaning) during_bytes += read_through(*log);
    during_s = seconds_since(start);
  });
  t = std::chrono::steady_clock::now();
  CleanStats stats = clean_log(*log, now_ms());
  const double clean_s = seconds_since(t);
  cleaning = false;
  reader.join();

  auto mbs = [](double bytes, double s) { return s > 0 ? bytes / s / 1e6 : 0.0; };
  const double clean_mbs = mbs(double(stats.bytes_read), clean_s);
  const double alone_mbs = mbs(double(alone_bytes), alone_s);
  const double during_mbs = mbs(double(during_bytes.load()), during_s);
  fmt::print("log: {} MB in {} records of {} keys ({} B values), {} segments -> {}\n",
             written / 1'000'000, records, o.keys, o.value_bytes, stats.segments_before,
             stats.segments_after);
  fmt::print("disk ({}): {:.1f} MB/s\n", disk.method, disk.mb_per_s());
  fmt::print(
      "compaction pass: {:.1f} MB/s read, {} -> {} bytes, kept {} of {} records, "
      "{:.2f} s; {:.2f}x the disk's write speed\n",
      clean_mbs, stats.bytes_read, stats.bytes_written, stats.records_kept, stats.records_read,
      clean_s, disk.mb_per_s() > 0 ? clean_mbs / disk.mb_per_s() : 0);
  fmt::print("reader alone: {:.1f} MB/s; reader during the pass: {:.1f} MB/s ({:.2f}x)\n",
             alone_mbs, during_mbs, alone_mbs > 0 ? during_mbs / alone_mbs : 0);
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "bench_compaction: {}\n", e.what());
  return 1;
}
