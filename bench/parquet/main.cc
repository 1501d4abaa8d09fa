// bench_parquet: how fast sluice writes Parquet, against DuckDB writing the
// same rows. Both write N rows (default 2M) of
//   id int64, name string (100 distinct), payload string (unique, 40 bytes),
//   amount double, ts timestamp, flag boolean, opt optional int32 (20% null)
// with snappy to a local file. sluice: FileWriter::add_columns (the columnar
// path) + finish + file write, from columns already in memory. DuckDB (node,
// bench/parquet/duckdb_copy.mjs): only the COPY of an in-memory table, once
// with its default thread count and once with SET threads=1; sluice with
// WriterOptions::threads = DuckDB's default thread count, and with 1. Best of
// two runs on each side.
//
// Rates are "input MB/s": the same logical byte count for both (8 bytes per
// int64/double/timestamp, 4 per present int32, 1 per boolean, string bytes),
// divided by wall time. Prints both rates and the ratio sluice/DuckDB
// (target >= 1.0, never asserted); exits non-zero only if it could not run.
//
// Usage: bench_parquet [--rows N] [--keep-data]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lake/parquet/file_reader.h"
#include "lake/parquet/file_writer.h"

namespace sluice::bench {
namespace {

namespace pq = lake::parquet;

struct Options {
  int64_t rows = 2'000'000;
  bool keep_data = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rows") && i + 1 < argc) {
      o.rows = std::stoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--keep-data")) {
      o.keep_data = true;
    } else {
      fmt::print(stderr, "usage: bench_parquet [--rows N] [--keep-data]\n");
      std::exit(2);
    }
  }
  return o;
}

// The benchmark rows, column by column; strings live in one arena.
struct Columns {
  std::vector<int64_t> id, ts;
  std::vector<double> amount;
  std::unique_ptr<bool[]> flag;
  std::vector<int32_t> opt;
  std::vector<uint8_t> opt_valid;
  std::string arena;
  std::vector<std::string_view> name, payload;
  int64_t input_bytes = 0;
};

Columns generate(size_t n) {
  Columns c;
  c.id.resize(n), c.ts.resize(n), c.amount.resize(n), c.opt.resize(n), c.opt_valid.resize(n);
  c.flag.reset(new bool[n]);
  c.arena.reserve(n * 50);
  std::vector<std::pair<size_t, size_t>> name_at(n), payload_at(n);
  char buf[64];
  for (size_t r = 0; r < n; ++r) {
    const auto i = int64_t(r);
    c.id[r] = i;
    c.amount[r] = double(i % 10000) / 100;
    c.ts[r] = 1'700'000'000'000'000LL + i * 1000;
    c.flag[r] = i % 3 == 0;
    c.opt_valid[r] = i % 5 != 0;
    c.opt[r] = int32_t(i % 1000);
    int len = std::snprintf(buf, sizeof buf, "name_%lld", static_cast<long long>(i % 100));
    name_at[r] = {c.arena.size(), size_t(len)};
    c.arena.append(buf, size_t(len));
    len = std::snprintf(buf, sizeof buf, "%020lld-%019lld", static_cast<long long>(i),
                        static_cast<long long>((i * 2654435761LL) % 1000000007LL));
    payload_at[r] = {c.arena.size(), size_t(len)};
    c.arena.append(buf, size_t(len));
    c.input_bytes += 8 + 8 + 8 + 1 + (c.opt_valid[r] ? 4 : 0) +
                     int64_t(name_at[r].second + payload_at[r].second);
  }
  for (size_t r = 0; r < n; ++r) {
    c.name.emplace_back(c.arena.data() + name_at[r].first, name_at[r].second);
    c.payload.emplace_back(c.arena.data() + payload_at[r].first, payload_at[r].second);
  }
  return c;
}

struct Run {
  double seconds = 0;
  int64_t bytes = 0;
  int threads = 1;
  bool checked = false;
};

Run write_sluice(const Columns& c, size_t n, const std::string& path, int threads) {
  const std::vector<pq::Field> schema = {pq::Field::leaf("id", pq::Type::kInt64, false),
                                         pq::Field::leaf("name", pq::Type::kString, false),
                                         pq::Field::leaf("payload", pq::Type::kString, false),
                                         pq::Field::leaf("amount", pq::Type::kDouble, false),
                                         pq::Field::leaf("ts", pq::Type::kTimestampMicros, false),
                                         pq::Field::leaf("flag", pq::Type::kBoolean, false),
                                         pq::Field::leaf("opt", pq::Type::kInt32, true)};
  const auto start = std::chrono::steady_clock::now();
  pq::WriterOptions options;  // snappy, 128 MiB row groups, 1 MiB pages
  options.threads = threads;
  pq::FileWriter w(schema, options);
  w.add_columns(n, {pq::ColumnView(c.id.data()), pq::ColumnView(c.name.data()),
                    pq::ColumnView(c.payload.data()), pq::ColumnView(c.amount.data()),
                    pq::ColumnView(c.ts.data()), pq::ColumnView(c.flag.get()),
                    pq::ColumnView(c.opt.data(), c.opt_valid.data())});
  const std::string file = w.finish();
  std::ofstream(path, std::ios::binary).write(file.data(), std::streamsize(file.size()));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Run{seconds, int64_t(file.size()), threads, false};
}

// Runs duckdb_copy.mjs and parses its one-line JSON answer.
Run run_duckdb(int64_t rows, const std::string& path, int threads, const std::string& sluice_file) {
  const std::string cmd =
      fmt::format("node '{}/duckdb_copy.mjs' '{}' {} '{}' {} '{}'", SLUICE_BENCH_PARQUET_DIR,
                  SLUICE_DUCKDB_MODULES_DIR, rows, path, threads, sluice_file);
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run node");
  std::string out;
  char buf[4096];
  while (size_t got = std::fread(buf, 1, sizeof buf, p)) out.append(buf, got);
  if (pclose(p) != 0) throw std::runtime_error("duckdb_copy.mjs failed: " + out);
  const auto field = [&](const char* name) {
    const auto at = out.find(fmt::format("\"{}\":", name));
    if (at == std::string::npos) throw std::runtime_error("duckdb_copy.mjs said: " + out);
    return out.substr(at + std::strlen(name) + 3);
  };
  Run r;
  r.threads = std::stoi(field("threads"));
  r.seconds = std::stod(field("seconds"));
  r.bytes = std::stoll(field("bytes"));
  r.checked = !sluice_file.empty() && field("sluice_file_matches").rfind("true", 0) == 0;
  return r;
}

double mb_per_s(int64_t bytes, double seconds) {
  return double(bytes) / 1e6 / seconds;
}

int run(const Options& o) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("sluice-bench-parquet-{}", getpid());
  std::filesystem::create_directories(dir);
  const size_t n = size_t(o.rows);
  const Columns c = generate(n);
  const std::string sluice_path = (dir / "sluice.parquet").string();
  // Best of two runs on each side: the first pays for faulting in fresh memory.
  const auto best = [&](int threads) {
    const Run a = write_sluice(c, n, sluice_path, threads);
    const Run b = write_sluice(c, n, sluice_path, threads);
    return a.seconds < b.seconds ? a : b;
  };
  const Run duck = run_duckdb(o.rows, (dir / "duckdb.parquet").string(), 0, "");
  const Run sluice = best(duck.threads);  // as many threads as DuckDB uses by default
  const Run sluice1 = best(1);
  const Run duck1 = run_duckdb(o.rows, (dir / "duckdb1.parquet").string(), 1, sluice_path);
  fmt::print("bench_parquet: {} rows, {:.1f} MB input-equivalent, snappy\n", o.rows,
             double(c.input_bytes) / 1e6);
  fmt::print("  {:<22} {:>8} {:>10} {:>12} {:>10}\n", "writer", "threads", "seconds", "input MB/s",
             "file MB");
  const auto line = [&](const char* who, const Run& r) {
    fmt::print("  {:<22} {:>8} {:>10.3f} {:>12.1f} {:>10.1f}\n", who, r.threads, r.seconds,
               mb_per_s(c.input_bytes, r.seconds), double(r.bytes) / 1e6);
  };
  line("sluice FileWriter", sluice);
  line("DuckDB COPY (default)", duck);
  line("sluice FileWriter", sluice1);
  line("DuckDB COPY threads=1", duck1);
  fmt::print("  ratio sluice/DuckDB, {} threads each: {:.2f}   (target >= 1.0)\n", duck.threads,
             duck.seconds / sluice.seconds);
  fmt::print("  ratio sluice/DuckDB, 1 thread each:  {:.2f}\n", duck1.seconds / sluice1.seconds);
  fmt::print("  DuckDB read sluice's file back: {}\n",
             duck1.checked ? "same count/sum/max" : "MISMATCH");
  if (!o.keep_data) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  try {
    return sluice::bench::run(sluice::bench::parse(argc, argv));
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_parquet: {}\n", e.what());
    return 1;
  }
}
