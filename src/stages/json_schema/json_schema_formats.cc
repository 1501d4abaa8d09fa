// The two string formats the validator checks, and JSON path spelling.
#include <simdjson.h>

#include <cctype>
#include <cstring>

#include "common/json.h"
#include "stages/json_schema/json_schema.h"

namespace sluice::stages::json_schema {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// Reads exactly `n` digits at s[at..] as a number; -1 when they are not all digits.
int digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!is_digit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool is_identifier(std::string_view s) {
  if (s.empty() || is_digit(s[0])) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

// A character allowed unescaped in a URI's path, query or fragment (RFC 3986).
bool is_uri_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::strchr("-._~:/?#[]@!$&'()*+,;=", c) != nullptr && c != '\0';
}

bool valid_host(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {  // an IPv6 literal
    if (host.size() < 3 || host.back() != ']') return false;
    for (char c : host.substr(1, host.size() - 2)) {
      if (!(is_hex(c) || c == ':' || c == '.')) return false;
    }
    return true;
  }
  for (size_t i = 0; i < host.size(); ++i) {
    char c = host[i];
    if (c == '%') {
      if (i + 2 >= host.size() || !is_hex(host[i + 1]) || !is_hex(host[i + 2])) return false;
      i += 2;
    } else if (!is_host_char(c)) {
      return false;
    }
  }
  return host.front() != '.' && host.front() != '-';
}

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  int v = 0;
  for (char c : port) {
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  return v <= 65535;
}

}  // namespace

std::string child_path(const std::string& parent, std::string_view property) {
  if (is_identifier(property)) return parent + "." + std::string(property);
  return parent + "[" + json::quote(property) + "]";
}

bool is_date_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS
  int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || minute < 0 || second < 0)
    return false;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':') {
    return false;
  }
  if (day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60) return false;
  size_t at = 19;
  if (at < s.size() && s[at] == '.') {  // fraction: at least one digit
    size_t start = ++at;
    while (at < s.size() && is_digit(s[at])) ++at;
    if (at == start) return false;
  }
  if (at >= s.size()) return false;  // the offset is mandatory
  if (s[at] == 'Z' || s[at] == 'z') return at + 1 == s.size();
  if (s[at] != '+' && s[at] != '-') return false;
  int oh = digits(s, at + 1, 2), om = digits(s, at + 4, 2);
  return at + 6 == s.size() && s[at + 3] == ':' && oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

bool is_http_uri(std::string_view s) {
  auto lower_prefix = [&](std::string_view p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
    }
    return true;
  };
  size_t at = lower_prefix("https://") ? 8 : lower_prefix("http://") ? 7 : 0;
  if (at == 0) return false;
  size_t end = s.find_first_of("/?#", at);
  if (end == std::string_view::npos) end = s.size();
  std::string_view authority = s.substr(at, end - at);
  if (size_t userinfo = authority.rfind('@'); userinfo != std::string_view::npos) {
    authority = authority.substr(userinfo + 1);
  }
  std::string_view host = authority;
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    if (!valid_port(authority.substr(colon + 1))) return false;
    host = authority.substr(0, colon);
  }
  if (!valid_host(host)) return false;
  for (size_t i = end; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!is_uri_char(s[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace sluice::stages::json_schema
