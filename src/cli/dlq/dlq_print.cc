#include "cli/dlq/dlq_print.h"

#include <ctime>

#include "cli/support/json.h"

namespace sluice::cli {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8.
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size() || (n == 2 && c < 0xc2)) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  if (n == 3 && c == 0xe0 && byte(i + 1) < 0xa0) return 0;   // overlong
  if (n == 3 && c == 0xed && byte(i + 1) >= 0xa0) return 0;  // surrogate
  if (n == 4 &&
      (c > 0xf4 || (c == 0xf0 && byte(i + 1) < 0x90) || (c == 0xf4 && byte(i + 1) >= 0x90)))
    return 0;
  return n;
}

std::string hex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string field(const char* name, const std::string& json_value) {
  return std::string(",\"") + name + "\":" + json_value;
}

}  // namespace

std::string iso_time_ms(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];  // room for any int, so the compiler sees no truncation
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms - int64_t(seconds) * 1000));
  return buf;
}

std::string iso_time_ms(const std::optional<int64_t>& ms) {
  return ms ? iso_time_ms(*ms) : "-";
}

bool is_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string one_line(std::string_view s, size_t max_chars) {
  if (!is_utf8(s)) {
    std::string h = "hex:" + hex(s.substr(0, max_chars / 2));
    return s.size() > max_chars / 2 ? h + "..." : h;
  }
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++chars) {
    if (chars == max_chars) return out + "...";
    size_t n = utf8_length(s, i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (n == 1 && (c < 0x20 || c == 0x7f)) ? std::string(" ") : std::string(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string hex_dump(std::string_view s, size_t max_bytes, const std::string& indent) {
  std::string out;
  size_t shown = std::min(s.size(), max_bytes);
  for (size_t i = 0; i < shown; i += 16) {
    out += indent;
    for (size_t k = i; k < std::min(shown, i + 16); ++k) {
      out += kHex[static_cast<unsigned char>(s[k]) >> 4];
      out += kHex[static_cast<unsigned char>(s[k]) & 0xf];
      out += ' ';
    }
    out.pop_back();
    out += '\n';
  }
  if (shown < s.size())
    out += indent + "... (" + std::to_string(s.size() - shown) + " more bytes)\n";
  return out;
}

std::string json_bytes(const std::optional<std::string>& bytes) {
  if (!bytes) return "null";
  return json_quote(is_utf8(*bytes) ? *bytes : "hex:" + hex(*bytes));
}

std::string dlq_record_json(const DlqRecord& r, const LedgerEntry* replayed, bool with_data) {
  std::string out = "{\"topic\":" + json_quote(r.raw.topic);
  out += field("partition", std::to_string(r.raw.partition));
  out += field("offset", std::to_string(r.raw.offset));
  out += field("timestamp", json_quote(iso_time_ms(r.raw.timestamp_ms)));
  out += field("trace_id", json_quote(r.trace_id));
  out += field("stage", json_quote(r.stage));
  out += field("category", json_quote(r.category));
  out += field("message", json_bytes(r.message));
  out += field("attempts", json_number(r.attempts));
  out += field("original_topic", json_quote(r.original_topic));
  out += field("original_partition", json_number(r.original_partition));
  out += field("original_offset", json_number(r.original_offset));
  out += field("first_failed_at",
               r.first_failed_at_ms ? json_quote(iso_time_ms(r.first_failed_at_ms)) : "null");
  out += field("last_failed_at",
               r.last_failed_at_ms ? json_quote(iso_time_ms(r.last_failed_at_ms)) : "null");
  out += field("replay_count", std::to_string(r.replay_count));
  out += field("replayed", replayed ? ReplayLedger::to_json(*replayed) : "null");
  if (with_data) {
    out += field("key", json_bytes(r.raw.key));
    out += field("value", json_bytes(r.raw.null_value ? std::nullopt : std::optional(r.raw.value)));
    std::string headers;
    for (const auto& [k, v] : r.raw.headers)
      headers += (headers.empty() ? "" : ",") + std::string("{\"name\":") + json_quote(k) +
                 ",\"value\":" + json_bytes(v) + "}";
    out += field("headers", "[" + headers + "]");
  }
  return out + "}";
}

}  // namespace sluice::cli
