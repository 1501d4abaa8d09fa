#include "lake/store/s3_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "lake/store/key_rules.h"
#include "lake/store/s3_xml.h"
#include "lake/store/sigv4.h"

namespace sluice::lake {
namespace {

// Worth another try: the request may not have reached S3, or S3 asked us to slow down.
bool transient(long status) {
  return status == 0 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

}  // namespace

// A conditional write lost: the key exists (412), or another conditional write to it
// is in flight (409 ConditionalRequestConflict), which will leave it existing.
bool already_exists(const HttpResponse& r) {
  return r.status == 412 ||
         (r.status == 409 && s3xml::text(r.body, "Code") == "ConditionalRequestConflict");
}

namespace {

std::string status_text(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

}  // namespace

S3Store::S3Store(S3Config config) : config_(std::move(config)) {
  while (!config_.endpoint.empty() && config_.endpoint.back() == '/') config_.endpoint.pop_back();
  const size_t scheme = config_.endpoint.find("://");
  const std::string proto = scheme == std::string::npos ? "" : config_.endpoint.substr(0, scheme);
  if (proto != "http" && proto != "https") {
    throw StoreError(url() + ": S3 endpoint '" + config_.endpoint +
                     "' must look like http://host:port or https://host; set ?endpoint= or "
                     "AWS_ENDPOINT_URL");
  }
  host_ = config_.endpoint.substr(scheme + 3);
  if (host_.empty() || host_.find('/') != std::string::npos) {
    throw StoreError(url() + ": S3 endpoint '" + config_.endpoint +
                     "' must be scheme://host[:port] without a path");
  }
  if (config_.bucket.empty())
    throw StoreError("s3:// URL without a bucket; use s3://bucket/prefix");
  if (config_.access_key.empty() || config_.secret_key.empty()) {
    throw StoreError(url() +
                     ": no S3 credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                     "(or access_key= and secret_key= in the URL)");
  }
  if (config_.part_size < (5LL << 20)) {
    throw StoreError(url() + ": part_size " + std::to_string(config_.part_size) +
                     " is below S3's 5 MiB minimum for multipart parts");
  }
  if (config_.multipart_threshold < 1 || config_.max_attempts < 1 || config_.max_keys < 0)
    throw StoreError(url() + ": multipart_threshold, max_attempts and max_keys must be positive");
}

std::string S3Store::url() const {
  return "s3://" + config_.bucket + (config_.prefix.empty() ? "" : "/" + config_.prefix);
}

std::string S3Store::object_name(const std::string& key) const {
  check_key(url(), key);
  return config_.prefix.empty() ? key : config_.prefix + "/" + key;
}

HttpResponse S3Store::send(const Call& call) const {
  sigv4::Request req;
  req.method = call.method;
  req.canonical_uri = "/" + sigv4::uri_encode(config_.bucket, false);
  if (!call.object.empty()) req.canonical_uri += "/" + sigv4::uri_encode(call.object, true);
  req.query = call.query;
  req.payload_hash = sigv4::sha256_hex(call.body);
  const std::string query = sigv4::canonical_query(req);
  HttpRequest http;
  http.method = call.method;
  http.url = config_.endpoint + req.canonical_uri + (query.empty() ? "" : "?" + query);
  http.body = call.body;

  HttpResponse r;
  for (int attempt = 1;; ++attempt) {
    const std::string date = sigv4::amz_date(static_cast<long long>(std::time(nullptr)));
    req.headers = {
        {"host", host_}, {"x-amz-content-sha256", req.payload_hash}, {"x-amz-date", date}};
    if (!config_.session_token.empty()) req.headers["x-amz-security-token"] = config_.session_token;
    for (const auto& [name, value] : call.headers) req.headers[name] = value;
    const sigv4::Scope scope{config_.access_key, config_.secret_key, config_.region, date};
    http.headers.clear();
    for (const auto& [name, value] : req.headers) http.headers.push_back(name + ": " + value);
    http.headers.push_back("Authorization: " + sigv4::authorization(req, scope));
    if (!call.body.empty() || call.method == "PUT" || call.method == "POST")
      http.headers.push_back("Content-Type: application/octet-stream");

    r = http_send(http);
    if (!transient(r.status) || attempt >= config_.max_attempts) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2000, 100 << (attempt - 1))));
  }
}

void S3Store::fail(const Call& call, const HttpResponse& r) const {
  const std::string code = s3xml::text(r.body, "Code").value_or("");
  const std::string message = s3xml::text(r.body, "Message").value_or("");
  std::string what = "S3 " + call.op + (call.key.empty() ? "" : " '" + call.key + "'") + " in " +
                     url() + " failed (" + call.method + " " + config_.endpoint + "/" +
                     config_.bucket + (call.object.empty() ? "" : "/" + call.object) + "): ";
  if (r.status == 0) {
    what += "no response: " + r.error;
  } else {
    what += "HTTP " + std::to_string(r.status);
    if (!code.empty())
      what += " " + code;
    else if (!status_text(r.status).empty())
      what += " " + status_text(r.status);
    if (!message.empty()) what += ": " + message.substr(0, message.find_last_not_of(". ") + 1);
  }
  std::string hint;
  if (r.status == 0) {
    hint = "check the endpoint " + config_.endpoint +
           " is reachable (set it with ?endpoint= or AWS_ENDPOINT_URL)";
  } else if (code == "RequestTimeTooSkewed") {
    hint = "check this machine's clock (NTP); S3 rejects requests more than 15 minutes off";
  } else if (code == "NoSuchBucket") {
    hint = "check that bucket '" + config_.bucket + "' exists at " + config_.endpoint;
  } else if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" ||
             r.status == 301) {
    hint = "check the region (region= in the URL or AWS_REGION; now " + config_.region + ")";
  } else if (r.status == 401 || r.status == 403 || code == "InvalidAccessKeyId" ||
             code == "SignatureDoesNotMatch") {
    hint =
        "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or access_key=/secret_key= in the "
        "URL) and that they may access bucket '" +
        config_.bucket + "'";
  } else if (transient(r.status)) {
    hint = "the server kept failing after " + std::to_string(config_.max_attempts) +
           " attempts; check its health and retry";
  } else {
    hint = "check the server's logs for this request";
  }
  if (transient(r.status) && r.status != 0)
    what += " (after " + std::to_string(config_.max_attempts) + " attempts)";
  throw StoreError(what + "; " + hint);
}

bool S3Store::put(const std::string& key, std::string_view data, PutMode mode) {
  const bool if_absent = mode == PutMode::kIfAbsent;
  if (if_absent && !config_.conditional_put) {
    // Single-writer fallback: nothing stops another writer between this HEAD and the PUT.
    if (head(key)) return false;
    return static_cast<int64_t>(data.size()) > config_.multipart_threshold
               ? put_multipart(key, data, false)
               : put_single(key, data, false);
  }
  return static_cast<int64_t>(data.size()) > config_.multipart_threshold
             ? put_multipart(key, data, if_absent)
             : put_single(key, data, if_absent);
}

bool S3Store::put_single(const std::string& key, std::string_view data, bool if_absent) {
  Call call{"PUT", key, "PUT", object_name(key), {}, {}, data};
  if (if_absent) call.headers.emplace_back("if-none-match", "*");
  HttpResponse r = send(call);
  if (r.status == 200) return true;
  if (if_absent && already_exists(r)) return false;
  fail(call, r);
}

std::optional<std::string> S3Store::get(const std::string& key) {
  Call call{"GET", key, "GET", object_name(key), {}, {}, {}};
  HttpResponse r = send(call);
  if (r.status == 200) return std::move(r.body);
  if (r.status == 404) return std::nullopt;
  fail(call, r);
}

std::optional<ObjectInfo> S3Store::head(const std::string& key) {
  Call call{"HEAD", key, "HEAD", object_name(key), {}, {}, {}};
  HttpResponse r = send(call);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) fail(call, r);
  ObjectInfo info{key, 0, 0};
  if (auto it = r.headers.find("content-length"); it != r.headers.end())
    info.size = std::stoll(it->second);
  if (auto it = r.headers.find("last-modified"); it != r.headers.end()) {
    const long long s = http_date_seconds(it->second);
    info.modified_ms = s > 0 ? s * 1000 : 0;
  }
  return info;
}

std::vector<ObjectInfo> S3Store::list(const std::string& prefix) {
  check_prefix(url(), prefix);
  const std::string strip = config_.prefix.empty() ? "" : config_.prefix + "/";
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    Call call{"LIST", prefix, "GET", "", {{"list-type", "2"}, {"prefix", strip + prefix}}, {}, {}};
    if (config_.max_keys > 0) call.query.emplace_back("max-keys", std::to_string(config_.max_keys));
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    HttpResponse r = send(call);
    if (r.status != 200) fail(call, r);
    for (std::string_view item : s3xml::elements(r.body, "Contents")) {
      std::string name = s3xml::text(item, "Key").value_or("");
      if (name.compare(0, strip.size(), strip) != 0) continue;
      ObjectInfo info{name.substr(strip.size()), 0, 0};
      info.size = std::stoll(s3xml::text(item, "Size").value_or("0"));
      info.modified_ms = s3xml::iso8601_ms(s3xml::text(item, "LastModified").value_or(""));
      out.push_back(std::move(info));
    }
    if (s3xml::text(r.body, "IsTruncated").value_or("false") != "true") break;
    std::string next = s3xml::text(r.body, "NextContinuationToken").value_or("");
    if (next.empty() || next == token) {
      throw StoreError("S3 LIST '" + prefix + "' in " + url() +
                       ": the server said the listing is truncated but gave no new "
                       "NextContinuationToken; check the server's ListObjectsV2 support");
    }
    token = std::move(next);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

void S3Store::remove(const std::string& key) {
  Call call{"DELETE", key, "DELETE", object_name(key), {}, {}, {}};
  HttpResponse r = send(call);
  if (r.status == 200 || r.status == 204 || r.status == 404) return;
  fail(call, r);
}

}  // namespace sluice::lake
