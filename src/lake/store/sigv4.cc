#include "lake/store/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

namespace sluice::lake::sigv4 {

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return hex(std::string_view(reinterpret_cast<char*>(md), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string uri_encode(std::string_view s, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string canonical_query(const Request& r) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [k, v] : r.query)
    encoded.emplace_back(uri_encode(k, false), uri_encode(v, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

namespace {

std::string signed_headers(const Request& r) {
  std::string out;
  for (const auto& [name, value] : r.headers) out += (out.empty() ? "" : ";") + name;
  return out;
}

std::string trim(const std::string& v) {
  const size_t b = v.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return v.substr(b, v.find_last_not_of(" \t") - b + 1);
}

}  // namespace

std::string canonical_request(const Request& r) {
  std::string out = r.method + "\n" + r.canonical_uri + "\n" + canonical_query(r) + "\n";
  for (const auto& [name, value] : r.headers) out += name + ":" + trim(value) + "\n";
  out += "\n" + signed_headers(r) + "\n" + r.payload_hash;
  return out;
}

std::string authorization(const Request& r, const Scope& s) {
  const std::string date = s.amz_date.substr(0, 8);
  const std::string scope = date + "/" + s.region + "/" + s.service + "/aws4_request";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + s.amz_date + "\n" + scope + "\n" + sha256_hex(canonical_request(r));
  std::string key = hmac_sha256("AWS4" + s.secret_key, date);
  key = hmac_sha256(key, s.region);
  key = hmac_sha256(key, s.service);
  key = hmac_sha256(key, "aws4_request");
  return "AWS4-HMAC-SHA256 Credential=" + s.access_key + "/" + scope +
         ",SignedHeaders=" + signed_headers(r) + ",Signature=" + hex(hmac_sha256(key, to_sign));
}

std::string amz_date(long long unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace sluice::lake::sigv4
