// Pure text rules for configuration values; see config_text.h.
#include "pipeline/config_text.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace sluice::pipeline {
namespace {

struct Unit {
  std::string_view suffix;
  int64_t factor;
};

// Largest first, so formatting picks the biggest exact unit.
constexpr Unit kDurationUnits[] = {
    {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
constexpr Unit kSizeUnits[] = {
    {"TiB", int64_t(1) << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "<digits><unit>" with a unit from `units` (no unit means a factor of 1).
template <size_t N>
std::optional<int64_t> parse_with_unit(std::string_view text, const Unit (&units)[N]) {
  text = trim(text);
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 18) return std::nullopt;  // 18 digits always fit in int64
  int64_t number = std::stoll(std::string(text.substr(0, digits)));
  std::string_view suffix = text.substr(digits);
  int64_t factor = suffix.empty() ? 1 : 0;
  for (const Unit& u : units) factor = suffix == u.suffix ? u.factor : factor;
  int64_t result = 0;
  if (factor == 0 || __builtin_mul_overflow(number, factor, &result)) return std::nullopt;
  return result;
}

template <size_t N>
std::string format_with_unit(int64_t value, const Unit (&units)[N]) {
  for (const Unit& u : units) {
    if (value != 0 && value % u.factor == 0)
      return std::to_string(value / u.factor) + std::string(u.suffix);
  }
  return std::to_string(value) + std::string(units[N - 1].suffix);
}

bool topic_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = std::exchange(row[j], next);
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  return parse_with_unit(text, kDurationUnits);
}

std::optional<int64_t> parse_size_bytes(std::string_view text) {
  return parse_with_unit(text, kSizeUnits);
}

std::string format_duration_ms(int64_t ms) {
  return format_with_unit(ms, kDurationUnits);
}

std::string format_size_bytes(int64_t bytes) {
  return format_with_unit(bytes, kSizeUnits);
}

std::string topic_name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > 249) {
    return "is " + std::to_string(name.size()) + " characters long; Kafka allows at most 249";
  }
  if (name == "." || name == "..")
    return "is " + quote_value(name) + ", which Kafka does not allow";
  auto bad = std::find_if_not(name.begin(), name.end(), topic_char);
  if (bad == name.end()) return "";
  return "contains " + quote_value(std::string_view(&*bad, 1)) +
         ", which Kafka does not allow in topic names (use letters, digits, '.', '_' and '-')";
}

std::string host_port_problem(std::string_view text, int min_port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return "is not HOST:PORT";
  std::string_view port = text.substr(colon + 1);
  bool digits = !port.empty() && port.size() <= 5 &&
                std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  int number = digits ? std::stoi(std::string(port)) : -1;
  if (number < min_port || number > 65535) {
    return "has port " + quote_value(port) + ", expected a number from " +
           std::to_string(min_port) + " to 65535";
  }
  return "";
}

std::string env_name_part(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    c = std::isalnum(static_cast<unsigned char>(c))
            ? char(std::toupper(static_cast<unsigned char>(c)))
            : '_';
  }
  return out;
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  if (word.empty() || word.size() > 200) return std::nullopt;
  size_t limit = std::min(std::max<size_t>(2, word.size() / 3), word.size() - 1);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    size_t d = c.size() > 200 ? best_distance : edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string quote_value(std::string_view text) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7f) {
      out += char(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out + (text.size() > kMax ? "...'" : "'");
}

}  // namespace sluice::pipeline
