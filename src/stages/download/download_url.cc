#include "stages/download/download_url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace sluice::stages {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

struct PartDeleter {
  void operator()(char* p) const { curl_free(p); }
};

// One part of a parsed URL; nullopt-like empty string when the URL has none.
std::string part(CURLU* u, CURLUPart which, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, which, &raw, flags) != CURLUE_OK || raw == nullptr) return "";
  std::unique_ptr<char, PartDeleter> owned(raw);
  return raw;
}

bool has_part(CURLU* u, CURLUPart which) {
  char* raw = nullptr;
  CURLUcode rc = curl_url_get(u, which, &raw, 0);
  curl_free(raw);
  return rc == CURLUE_OK;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Applies the rules every fetched URL must pass; `what` names the URL in messages.
DownloadUrl checked(CURLU* u, const std::string& what) {
  DownloadUrl d;
  std::string host = lower(part(u, CURLUPART_HOST));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    d.ip_literal = true;
  }
  while (!host.empty() && host.back() == '.') host.pop_back();
  d.scheme = lower(part(u, CURLUPART_SCHEME));
  if (d.scheme != "http" && d.scheme != "https") {
    throw UrlError(what + " uses scheme '" + d.scheme +
                       "'; only http and https may be downloaded (rule: scheme)",
                   false, host);
  }
  if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD)) {
    throw UrlError(what +
                       " carries credentials (user:password@); they are refused so tasks cannot "
                       "smuggle secrets or confuse the host check (rule: no credentials)",
                   false, host);
  }
  if (host.empty()) throw UrlError(what + " has no host", true);
  d.host = host;
  d.port = std::stoi(part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT));
  d.url = part(u, CURLUPART_URL);
  // curl normalises numeric IPv4 spellings (2130706433, 0x7f.1) to dotted quads.
  d.ip_literal = d.ip_literal || host.find_first_not_of("0123456789.") == std::string::npos;
  return d;
}

UrlHandle new_url() {
  UrlHandle u(curl_url());
  if (!u) throw std::bad_alloc();
  return u;
}

// Unsupported schemes must parse so the scheme rule can name them; no default scheme,
// so "example.com/x" is malformed rather than silently http.
constexpr unsigned kParseFlags = CURLU_NON_SUPPORT_SCHEME;

}  // namespace

DownloadUrl parse_download_url(const std::string& text) {
  UrlHandle u = new_url();
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, text.c_str(), kParseFlags);
  if (rc != CURLUE_OK) {
    throw UrlError("url '" + text + "' is not a valid absolute URL: " + curl_url_strerror(rc),
                   true);
  }
  return checked(u.get(), "url " + text);
}

DownloadUrl resolve_redirect(const std::string& base, const std::string& location) {
  UrlHandle u = new_url();
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, base.c_str(), kParseFlags);
  // With a URL already set, curl resolves the new one relative to it (RFC 3986).
  if (rc == CURLUE_OK) rc = curl_url_set(u.get(), CURLUPART_URL, location.c_str(), kParseFlags);
  if (rc != CURLUE_OK) {
    throw UrlError("redirect from " + base + " to '" + location +
                       "' is not a valid URL: " + curl_url_strerror(rc),
                   false);
  }
  return checked(u.get(), "redirect from " + base + " to " + part(u.get(), CURLUPART_URL));
}

}  // namespace sluice::stages
