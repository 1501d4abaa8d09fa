// The URLs a download task may name, parsed by libcurl's own URL parser (the
// same one that will send the request, so what we check is what gets fetched).
//
// Invariant: a DownloadUrl is http or https, has a host, carries no
// credentials, and its `url` is curl's normalised spelling of it. Anything
// else is a UrlError saying what is wrong with which URL. Redirect targets go
// through the same checks after being resolved against the URL that answered.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace sluice::stages {

class UrlError : public std::runtime_error {
 public:
  // `malformed`: the text is not a URL at all (a bad task) rather than a URL we refuse.
  UrlError(const std::string& message, bool malformed, std::string host = "")
      : std::runtime_error(message), malformed_(malformed), host_(std::move(host)) {}
  bool malformed() const { return malformed_; }
  const std::string& host() const { return host_; }  // "" when the URL has none

 private:
  bool malformed_;
  std::string host_;
};

struct DownloadUrl {
  std::string url;     // normalised by curl
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-case, no brackets, no trailing dot ("example.com", "::1")
  int port = 0;        // explicit or the scheme's default
  bool ip_literal = false;
};

// Throws UrlError.
DownloadUrl parse_download_url(const std::string& text);

// `location` (a Location header: absolute, scheme-relative, path-absolute or
// relative) resolved against `base`, then checked like parse_download_url().
DownloadUrl resolve_redirect(const std::string& base, const std::string& location);

}  // namespace sluice::stages
