// Done in-process rather than by running dd so nothing depends on dd's output
// format or locale; the I/O pattern is the same as dd's (1 MiB writes, one
// fdatasync, timing includes the sync).
#include "disk_limit.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <vector>

namespace sluice::bench {

DiskResult measure_sequential_write(const std::filesystem::path& dir, int64_t megabytes) {
  constexpr size_t kBlock = 1 << 20;
  // Non-zero bytes so that no layer can shortcut zero pages; the filesystem does
  // not compress, so the content is otherwise irrelevant.
  std::vector<char> block(kBlock);
  for (size_t i = 0; i < kBlock; ++i) block[i] = static_cast<char>((i * 2654435761u) >> 13);

  const std::filesystem::path file = dir / "disk-baseline.bin";
  auto fail = [&](const char* what) {
    throw std::system_error(errno, std::generic_category(),
                            std::string(what) + " " + file.string());
  };
  const auto start = std::chrono::steady_clock::now();
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open");
  for (int64_t i = 0; i < megabytes; ++i) {
    size_t done = 0;
    while (done < kBlock) {
      ssize_t n = ::write(fd, block.data() + done, kBlock - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("write");
      done += static_cast<size_t>(n);
    }
  }
  if (::fdatasync(fd) != 0) fail("fdatasync");
  const auto end = std::chrono::steady_clock::now();
  ::close(fd);
  std::filesystem::remove(file);

  DiskResult r;
  r.method = "write(2) 1 MiB blocks + one fdatasync, as dd bs=1M conv=fdatasync";
  r.bytes = megabytes * static_cast<int64_t>(kBlock);
  r.seconds = std::chrono::duration<double>(end - start).count();
  return r;
}

}  // namespace sluice::bench
