// Who may change a process through its admin HTTP surface. GET and HEAD
// (/metrics, /healthz, /readyz, /status) stay open and read-only; every other
// method changes something (pause, resume, breakers) and must pass all of:
//
//  1. same origin: a request a browser sends on a web page's behalf carries an
//     Origin (and Sec-Fetch-Site) header; one that is not this server's own is
//     refused (403), so a page cannot pause a stage through the operator's
//     browser (CSRF);
//  2. the bearer token, when the server has one: `Authorization: Bearer TOKEN`
//     (401 without it or with a wrong one, compared in constant time);
//  3. a JSON body: Content-Type application/json (415 otherwise — the content
//     types a page may send cross-origin without a preflight are all refused)
//     and a body that is empty or a JSON object (400 otherwise).
//
// Invariant: a refusal says which rule failed and what to do, never which part
// of a token was wrong.
#pragma once

#include <optional>
#include <string>

#include "ops/router.h"

namespace sluice::ops {

struct AdminRequest {
  std::string method;
  std::string host;           // the Host header: the server as the client addressed it
  std::string origin;         // "" when absent
  std::string fetch_site;     // Sec-Fetch-Site, "" when absent
  std::string authorization;  // "" when absent
  std::string content_type;   // "" when absent
  const std::string* body = nullptr;
};

// True for methods that only read (GET, HEAD, OPTIONS).
bool is_read_only(const std::string& method);

// The refusal for `request`, or nullopt when it may be served. `token` empty:
// no token is required (rules 1 and 3 still apply).
std::optional<HttpReply> refuse_admin_request(const AdminRequest& request,
                                              const std::string& token);

// True when `host` names only this machine (127.0.0.0/8, ::1, localhost).
bool is_loopback_host(const std::string& host);

}  // namespace sluice::ops
