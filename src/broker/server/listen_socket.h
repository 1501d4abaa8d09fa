// Opening a listener's socket: non-blocking, close-on-exec, SO_REUSEADDR, with a
// backlog long enough for a burst of connects while accepting is paused.
#pragma once

#include <string>

namespace sluice::broker {

// Binds and listens on host:port (port 0 picks a free one) and stores the bound
// port in `bound_port`. Throws std::runtime_error naming the address and reason.
int open_listen_socket(const std::string& host, int port, int& bound_port);

}  // namespace sluice::broker
