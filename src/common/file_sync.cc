#include "common/file_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace sluice {

void sync_file(int fd, const std::filesystem::path& path) {
  if (::fdatasync(fd) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot fsync " + path.string());
}

void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot open directory " + dir.string() + " to fsync it");
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0)
    throw std::system_error(err, std::generic_category(), "cannot fsync directory " + dir.string());
}

}  // namespace sluice
