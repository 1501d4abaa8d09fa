#include "broker/server/fd_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"

namespace sluice::broker {

uint64_t raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    log::warn("broker", "cannot read the open-file limit: {}", std::strerror(errno));
    return 0;
  }
  const rlim_t before = lim.rlim_cur;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
      log::warn("broker", "cannot raise the open-file limit from {} to {}: {}", before,
                lim.rlim_max, std::strerror(errno));
      return before;
    }
    log::info("broker", "raised the open-file limit from {} to {} (the hard limit)", before,
              lim.rlim_cur);
  } else {
    log::info("broker", "open-file limit is {} (already the hard limit)", lim.rlim_cur);
  }
  return lim.rlim_cur;
}

}  // namespace sluice::broker
