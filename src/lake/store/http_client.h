// One HTTP exchange over libcurl, nothing S3-specific: the S3 store signs the
// request, this sends exactly the given method, URL, headers and body and
// returns the status, headers and body. A transport failure (refused, DNS,
// timeout) is reported as status 0 with `error` set, so the caller decides
// whether to retry. Each call uses its own CURL handle, so calls may run on any
// threads at once.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::lake {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;
  long timeout_ms = 120000;
};

struct HttpResponse {
  long status = 0;                             // 0: no HTTP response at all, see `error`
  std::string error;                           // libcurl's description of a transport failure
  std::map<std::string, std::string> headers;  // lowercase name -> value
  std::string body;
};

HttpResponse http_send(const HttpRequest& request);

// Seconds since the epoch for an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"), -1 if malformed.
long long http_date_seconds(const std::string& date);

}  // namespace sluice::lake
