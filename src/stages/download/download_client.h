// One HTTP GET of a download, over libcurl, with the stage's safety limits
// built into the transfer rather than checked afterwards:
//  - it connects only to the vetted addresses (CURLOPT_RESOLVE pins them, and
//    the open-socket callback refuses any other address, the last line of
//    defence against DNS rebinding); no proxy, no redirects followed by curl;
//  - it reads a body only for a 2xx response the caller wants (decided from
//    the status and Content-Type before the first body byte is kept), and
//    stops as soon as the body would pass max_bytes, so it never holds more;
//  - it hashes the body (SHA-256) while receiving.
// The transfer runs on the stage's DownloadLoop (one curl_multi event loop),
// so its callbacks run on the loop thread while fetch() blocks its caller.
// Each call owns its easy handle and its DNS cache (the pins of one transfer
// never leak into another's), so calls may run on any threads at once.
// Connections are reused across calls: curl matches them by host and port,
// and every cached connection went to an address vetted for that host under
// the same policy, so a reused one is as safe as a new one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "stages/download/download_address_policy.h"
#include "stages/download/download_loop.h"
#include "stages/download/download_url.h"

namespace sluice::stages {

struct FetchRequest {
  DownloadUrl url;
  std::vector<IpAddress> addresses;  // vetted by vet_host(); the only ones connected to
  const AddressPolicy* policy = nullptr;
  int64_t connect_timeout_ms = 5000;
  int64_t timeout_ms = 30000;  // for this request, connect and waiting for a loop slot included
  int64_t max_bytes = 0;
  // Asked once, when the response headers are in, for a 2xx response: keep the body?
  std::function<bool(const std::string& content_type)> want_body;
};

struct FetchResult {
  enum Kind {
    kBody,            // a 2xx response and its whole body
    kHeadersOnly,     // a response whose body was not wanted (non-2xx, or declined)
    kTooLarge,        // the body passed max_bytes; the transfer was stopped there
    kAddressRefused,  // a connect to an address other than the vetted ones was refused
    kTimeout,         // connect or total timeout
    kTransport,       // refused, reset, TLS, protocol... see error
  };
  Kind kind = kTransport;
  bool connect_phase = false;  // kTimeout/kTransport: failed before connecting
  bool never_started = false;  // kTimeout: still waiting for a loop slot at the deadline
  long status = 0;
  std::string content_type;
  std::string location;  // the raw Location header, if any
  int64_t content_length = -1;
  std::string body;
  std::string sha256;  // kBody: hex digest of body
  std::string error;   // kTimeout/kTransport/kAddressRefused: curl's or our description
  int curl_code = 0;
};

FetchResult fetch(DownloadLoop& loop, const FetchRequest& request);

// curl_global_init once per process (it is not thread-safe to race).
void download_curl_global_init();

}  // namespace sluice::stages
