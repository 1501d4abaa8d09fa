#include "ops/admin_request_guard.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

namespace sluice::ops {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "application/json; charset=utf-8" -> "application/json".
std::string media_type(const std::string& content_type) {
  std::string type = lower(content_type.substr(0, content_type.find(';')));
  type.erase(0, type.find_first_not_of(" \t"));
  type.erase(type.find_last_not_of(" \t") + 1);
  return type;
}

// Compares every byte whatever the first difference, so timing does not tell
// how much of a guess was right.
bool same_secret(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  return diff == 0;
}

HttpReply refusal(int status, std::string why) {
  return {.status = status, .body = std::move(why) + "\n"};
}

std::optional<HttpReply> check_origin(const AdminRequest& r) {
  if (r.fetch_site == "cross-site" || r.fetch_site == "same-site")
    return refusal(403, "cross-origin request refused (Sec-Fetch-Site: " + r.fetch_site +
                            "): the admin endpoints take commands from the sluice CLI or curl, "
                            "not from web pages");
  if (r.origin.empty()) return std::nullopt;
  const std::string own = "http://" + lower(r.host);
  if (!r.host.empty() && lower(r.origin) == own) return std::nullopt;
  return refusal(403, "cross-origin request refused: Origin " + r.origin + " is not this server (" +
                          own +
                          "); the admin endpoints take commands from the sluice CLI or curl, not "
                          "from web pages");
}

std::optional<HttpReply> check_token(const AdminRequest& r, const std::string& token) {
  if (token.empty()) return std::nullopt;
  static const std::string kScheme = "bearer ";
  const std::string& a = r.authorization;
  if (a.size() <= kScheme.size() || lower(a.substr(0, kScheme.size())) != kScheme) {
    HttpReply reply = refusal(
        401,
        "this admin endpoint needs its token: send `Authorization: Bearer TOKEN` (the sluice CLI "
        "reads it from the `sluice up` data dir's admin-token file, --admin-token-file or "
        "SLUICE_ADMIN_TOKEN)");
    return reply;
  }
  std::string given = a.substr(kScheme.size());
  given.erase(given.find_last_not_of(" \t") + 1);
  if (!same_secret(given, token))
    return refusal(401,
                   "wrong admin token: use the one the process was started with (the "
                   "admin-token file of its `sluice up` data dir, or its --admin-token-file)");
  return std::nullopt;
}

std::optional<HttpReply> check_body(const AdminRequest& r) {
  const std::string type = media_type(r.content_type);
  if (type != "application/json")
    return refusal(415,
                   "admin commands take a JSON body: send Content-Type: application/json (got " +
                       (type.empty() ? std::string("none") : "'" + type + "'") +
                       "), e.g. {\"name\": \"STAGE\"} or {}");
  if (!r.body || r.body->find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(*r.body).get_object().get(object) != simdjson::SUCCESS)
    return refusal(400, "the body is not a JSON object: send e.g. {\"name\": \"STAGE\"} or {}");
  return std::nullopt;
}

}  // namespace

bool is_read_only(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

std::optional<HttpReply> refuse_admin_request(const AdminRequest& request,
                                              const std::string& token) {
  if (is_read_only(request.method)) return std::nullopt;
  if (auto refused = check_origin(request)) return refused;
  if (auto refused = check_token(request, token)) return refused;
  return check_body(request);
}

bool is_loopback_host(const std::string& host) {
  const std::string h = lower(host);
  return h == "localhost" || h == "::1" || h == "[::1]" || h.rfind("127.", 0) == 0;
}

}  // namespace sluice::ops
