// The yardstick for produce throughput: how fast this filesystem absorbs one
// sequential stream that must be durable at the end, i.e. what
// `dd if=/dev/zero of=F bs=1M count=N conv=fdatasync` reports. A broker with
// --flush always cannot beat it, so produce MB/s is printed as a fraction of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::bench {

struct DiskResult {
  std::string method;  // how the figure was obtained, printed next to it
  int64_t bytes = 0;
  double seconds = 0;
  double mb_per_s() const { return seconds > 0 ? bytes / seconds / 1e6 : 0; }
};

// Writes `megabytes` MiB in 1 MiB write(2) calls to a file in `dir`, fdatasyncs
// once at the end, times open-to-fdatasync and deletes the file.
DiskResult measure_sequential_write(const std::filesystem::path& dir, int64_t megabytes);

}  // namespace sluice::bench
