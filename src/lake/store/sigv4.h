// AWS Signature Version 4 for S3, as pure functions of the request, so they can
// be checked against AWS's published examples. The invariant: the canonical
// request built here is byte-for-byte what the server rebuilds from the bytes
// on the wire, so the caller must send exactly `canonical_uri`, the encoded
// query from canonical_query() and every header in `headers`.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::lake::sigv4 {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw bytes
std::string hex(std::string_view bytes);

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters stay,
// everything else becomes %XY (uppercase); '/' stays only when keep_slash.
std::string uri_encode(std::string_view s, bool keep_slash);

struct Request {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // already encoded path, e.g. "/bucket/a%20b"
  std::vector<std::pair<std::string, std::string>> query;  // raw (unencoded) pairs
  std::map<std::string, std::string> headers;  // lowercase name -> value; must include host
  std::string payload_hash;                    // hex sha256 of the body
};

struct Scope {
  std::string access_key;
  std::string secret_key;
  std::string region;
  std::string amz_date;  // "20130524T000000Z"
  std::string service = "s3";
};

// "a=1&b=x%2Fy": pairs encoded, then sorted by name (and value).
std::string canonical_query(const Request& r);
std::string canonical_request(const Request& r);
// The Authorization header value.
std::string authorization(const Request& r, const Scope& s);

// UTC "YYYYMMDDTHHMMSSZ" for a time_t.
std::string amz_date(long long unix_seconds);

}  // namespace sluice::lake::sigv4
