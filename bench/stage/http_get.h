// A few lines of HTTP/1.1 so the benchmark can read the stage's admin endpoint
// (/status, /metrics) and say where the time went, without an HTTP library.
#pragma once

#include <string>

namespace sluice::bench {

// GET http://127.0.0.1:PORT/PATH; returns the body, or "" on any failure.
std::string http_get(int port, const std::string& path);

}  // namespace sluice::bench
