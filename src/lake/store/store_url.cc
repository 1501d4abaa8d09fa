#include "lake/store/store_url.h"

#include <cstdlib>

#include "lake/store/key_rules.h"

namespace sluice::lake {
namespace {

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

int64_t parse_size(const std::string& url, const std::string& name, const std::string& value) {
  char* end = nullptr;
  const long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || n < 0)
    throw StoreError(url + ": option " + name + "='" + value + "' must be a whole number");
  return n;
}

bool parse_bool(const std::string& url, const std::string& name, const std::string& value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  throw StoreError(url + ": option " + name + "='" + value + "' must be true or false");
}

std::string get(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

}  // namespace

std::map<std::string, std::string> aws_environment() {
  std::map<std::string, std::string> env;
  for (const char* name : {"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
                           "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
    if (const char* v = std::getenv(name); v && *v) env[name] = v;
  }
  return env;
}

S3Config s3_config_from_url(const std::string& url, const std::map<std::string, std::string>& env) {
  if (url.rfind("s3://", 0) != 0) throw StoreError("'" + url + "' is not an s3:// URL");
  const size_t q = url.find('?');
  std::string location = url.substr(5, q == std::string::npos ? std::string::npos : q - 5);
  while (!location.empty() && location.back() == '/') location.pop_back();

  S3Config c;
  const size_t slash = location.find('/');
  c.bucket = location.substr(0, slash);
  if (slash != std::string::npos) c.prefix = location.substr(slash + 1);
  if (c.bucket.empty()) throw StoreError("'" + url + "' has no bucket; use s3://bucket/prefix");
  if (!c.prefix.empty()) check_key(url, c.prefix);

  c.endpoint = get(env, "AWS_ENDPOINT_URL");
  c.region = get(env, "AWS_REGION");
  if (c.region.empty()) c.region = get(env, "AWS_DEFAULT_REGION");
  if (c.region.empty()) c.region = "us-east-1";
  c.access_key = get(env, "AWS_ACCESS_KEY_ID");
  c.secret_key = get(env, "AWS_SECRET_ACCESS_KEY");
  c.session_token = get(env, "AWS_SESSION_TOKEN");

  const std::string query = q == std::string::npos ? "" : url.substr(q + 1);
  for (size_t start = 0; start < query.size();) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string item = query.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string name = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : percent_decode(item.substr(eq + 1));
    if (name == "endpoint")
      c.endpoint = value;
    else if (name == "region")
      c.region = value;
    else if (name == "access_key")
      c.access_key = value;
    else if (name == "secret_key")
      c.secret_key = value;
    else if (name == "session_token")
      c.session_token = value;
    else if (name == "conditional_put")
      c.conditional_put = parse_bool(url, name, value);
    else if (name == "multipart_threshold")
      c.multipart_threshold = parse_size(url, name, value);
    else if (name == "part_size")
      c.part_size = parse_size(url, name, value);
    else if (name == "max_keys")
      c.max_keys = static_cast<int>(parse_size(url, name, value));
    else if (name == "max_attempts")
      c.max_attempts = static_cast<int>(parse_size(url, name, value));
    else
      throw StoreError("s3://" + location + ": unknown option '" + name +
                       "'; known: endpoint, region, conditional_put, access_key, secret_key, "
                       "session_token, multipart_threshold, part_size, max_keys, max_attempts");
  }
  if (c.endpoint.empty()) c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  return c;
}

}  // namespace sluice::lake
