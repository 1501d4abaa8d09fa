#include "stages/download/download_client.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>

#include "stages/download/download_sha256.h"
#include "stages/download/download_ssrf_guard.h"

namespace sluice::stages {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct ShareDeleter {
  void operator()(CURLSH* s) const { curl_share_cleanup(s); }
};

// The state one transfer's callbacks share.
struct Transfer {
  const FetchRequest* request = nullptr;
  CURL* easy = nullptr;
  FetchResult* result = nullptr;
  Sha256 hash;
  bool decided = false;    // headers judged (status, type, length)
  bool keep_body = false;  // the body is wanted
  bool stopped = false;    // we aborted the transfer on purpose (see result->kind)
  bool address_refused = false;
  std::string refused_address;
  bool request_ready = false;  // a connection (new or reused) was ready for the request
};

// Judges the response once its headers are complete: keep the body or stop.
void decide(Transfer& t) {
  if (t.decided) return;
  t.decided = true;
  FetchResult& r = *t.result;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &r.status);
  char* type = nullptr;
  if (curl_easy_getinfo(t.easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr)
    r.content_type = type;
  curl_off_t length = -1;
  if (curl_easy_getinfo(t.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK)
    r.content_length = length;
  const bool ok_status = r.status >= 200 && r.status < 300;
  t.keep_body = ok_status && (!t.request->want_body || t.request->want_body(r.content_type));
  r.kind = t.keep_body ? FetchResult::kBody : FetchResult::kHeadersOnly;
  // A declared length over the limit fails before a single byte is read.
  if (t.keep_body && r.content_length > t.request->max_bytes) r.kind = FetchResult::kTooLarge;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  decide(t);
  FetchResult& r = *t.result;
  if (r.kind != FetchResult::kBody) {
    t.stopped = true;
    return 0;  // CURLE_WRITE_ERROR: ends the transfer, no body is read or kept
  }
  if (int64_t(r.body.size() + n) > t.request->max_bytes) {
    r.kind = FetchResult::kTooLarge;
    t.stopped = true;
    return 0;
  }
  r.body.append(data, n);
  t.hash.update(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string line(data, n);
  // A new status line (after 100 Continue, say) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) t.result->location.clear();
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "location") {
      std::string v = line.substr(colon + 1);
      const size_t b = v.find_first_not_of(" \t");
      const size_t e = v.find_last_not_of(" \t\r\n");
      t.result->location = b == std::string::npos ? "" : v.substr(b, e - b + 1);
    }
  }
  return n;
}

// The last line of defence: whatever curl resolved, it only gets a socket for a vetted address.
curl_socket_t on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto& t = *static_cast<Transfer*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN ||
      !socket_address_allowed(&address->addr, t.request->addresses, *t.request->policy)) {
    t.address_refused = true;
    auto ip = from_sockaddr(&address->addr);
    t.refused_address = ip ? ip->str() : "a non-IP address";
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

// Called once a connection, new or reused, is ready to carry the request. A
// reused one never went through connect, so this is what tells a timeout
// after connecting from one before.
int on_request_ready(void* user, char*, char*, int, int) {
  static_cast<Transfer*>(user)->request_ready = true;
  return CURL_PREREQFUNC_OK;
}

// "host:port:addr1,addr2" for CURLOPT_RESOLVE, IPv6 addresses in brackets.
std::string resolve_entry(const std::string& host, int port, const std::vector<IpAddress>& addrs) {
  std::string s = host + ":" + std::to_string(port) + ":";
  for (size_t i = 0; i < addrs.size(); ++i) {
    if (i > 0) s += ",";
    s += addrs[i].is_v4() ? addrs[i].str() : "[" + addrs[i].str() + "]";
  }
  return s;
}

void classify_failure(Transfer& t, CURLcode rc) {
  FetchResult& r = *t.result;
  r.curl_code = int(rc);
  r.error = curl_easy_strerror(rc);
  curl_off_t connected_us = 0;
  curl_easy_getinfo(t.easy, CURLINFO_CONNECT_TIME_T, &connected_us);
  r.connect_phase = connected_us == 0 && !t.request_ready;
  if (t.address_refused) {
    r.kind = FetchResult::kAddressRefused;
    r.error = "connect to " + t.refused_address + " refused: not an address vetted for host " +
              t.request->url.host + " (possible DNS rebinding)";
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    r.kind = FetchResult::kTimeout;
  } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
    // Only the loop aborts this way (we set no progress callback): it is stopping.
    r.kind = FetchResult::kTransport;
    r.error = "the download stage stopped during the transfer";
  } else {
    r.kind = FetchResult::kTransport;
  }
}

}  // namespace

void download_curl_global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

FetchResult fetch(DownloadLoop& loop, const FetchRequest& request) {
  download_curl_global_init();
  FetchResult result;
  // A DNS cache of its own: in a multi handle the pins (CURLOPT_RESOLVE) would
  // otherwise go into one cache shared by all transfers, and a transfer still
  // waiting to connect could pick up another's (differently vetted) addresses
  // for the same host, which its socket check would then refuse. Declared
  // before the easy handle so that handle is cleaned up first.
  std::unique_ptr<CURLSH, ShareDeleter> dns(curl_share_init());
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!dns || !easy ||
      curl_share_setopt(dns.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
    result.error = "cannot create a curl handle (out of memory?)";
    return result;
  }
  Transfer t;
  t.request = &request;
  t.easy = easy.get();
  t.result = &result;

  std::unique_ptr<curl_slist, ListDeleter> pins;
  if (!request.url.ip_literal) {
    // Both spellings, so a URL written with a trailing dot is pinned too.
    for (const std::string& h : {request.url.host, request.url.host + "."}) {
      curl_slist* next = curl_slist_append(
          pins.get(), resolve_entry(h, request.url.port, request.addresses).c_str());
      if (next == nullptr) {
        result.error = "out of memory building the address pin";
        return result;
      }
      pins.release();
      pins.reset(next);
    }
  }
  CURL* c = easy.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.url.c_str());
  curl_easy_setopt(c, CURLOPT_SHARE, dns.get());
  curl_easy_setopt(c, CURLOPT_RESOLVE, pins.get());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never via a proxy named in the environment
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // the processor follows, re-checking each hop
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   long(std::min(request.connect_timeout_ms, request.timeout_ms)));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(std::max<int64_t>(1, request.timeout_ms)));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "sluice-download/1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_request_ready);
  curl_easy_setopt(c, CURLOPT_PREREQDATA, &t);

  const auto deadline = DownloadLoop::Clock::now() +
                        std::chrono::milliseconds(std::max<int64_t>(1, request.timeout_ms));
  const DownloadLoop::Done done =
      loop.perform(c, request.url.host + ":" + std::to_string(request.url.port), deadline);
  const CURLcode rc = done.code;
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && t.stopped)) {
    decide(t);  // a response with an empty body never reached on_body
    if (result.kind == FetchResult::kBody) result.sha256 = t.hash.hex();
    if (result.kind != FetchResult::kBody) result.body.clear();
    return result;
  }
  classify_failure(t, rc);
  result.never_started = !done.started && result.kind == FetchResult::kTimeout;
  return result;
}

}  // namespace sluice::stages
