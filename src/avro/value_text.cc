#include "avro/value_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include "common/iso8601.h"

namespace sluice::avro {

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += char(c);
    } else {
      out += char(0xC0 | (c >> 6));
      out += char(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::optional<std::string> utf8_to_latin1(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c < 0x80) {
      out += char(c);
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < text.size() &&
               (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
      out += char(((c & 0x03) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F));
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string format_timestamp_micros(int64_t us) {
  const int64_t ms = floor_div(us, 1000);
  const int64_t sub_ms = us - ms * 1000;
  std::string text = format_iso8601_utc(floor_div(ms, 1000) * 1000);  // whole seconds, ends in Z
  const int64_t frac = (ms - floor_div(ms, 1000) * 1000) * 1000 + sub_ms;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    text.insert(text.size() - 1, buf);
  }
  return text;
}

std::optional<int64_t> parse_timestamp_micros(std::string_view text) {
  const auto ms = parse_iso8601_ms(text);
  if (!ms) return std::nullopt;
  // parse_iso8601_ms keeps three fraction digits; the next three are microseconds.
  int64_t extra = 0;
  const size_t dot = text.find_first_of(".,", 19);
  if (dot != std::string_view::npos) {
    size_t i = dot + 1;
    for (int k = 0; k < 6; ++k, ++i) {
      const bool digit = i < text.size() && text[i] >= '0' && text[i] <= '9';
      if (k >= 3) extra = extra * 10 + (digit ? text[i] - '0' : 0);
      if (!digit) i = text.size();  // pad the rest with zeros
    }
  }
  return *ms * 1000 + extra;
}

std::optional<int64_t> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (std::from_chars(t.data(), t.data() + 4, y).ptr != t.data() + 4 ||
      std::from_chars(t.data() + 5, t.data() + 7, m).ptr != t.data() + 7 ||
      std::from_chars(t.data() + 8, t.data() + 10, d).ptr != t.data() + 10)
    return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const int64_t days = days_from_civil(y, unsigned(m), unsigned(d));
  if (civil_from_days(days) != CivilDate{y, unsigned(m), unsigned(d)}) return std::nullopt;
  return days;
}

std::string format_decimal(std::string_view twos, int scale) {
  std::vector<uint8_t> mag(twos.begin(), twos.end());
  const bool negative = !mag.empty() && (mag[0] & 0x80);
  if (negative) {  // magnitude = two's complement negated
    for (auto& b : mag) b = uint8_t(~b);
    for (size_t i = mag.size(); i-- > 0;)
      if (++mag[i] != 0) break;
  }
  std::string digits;  // least significant first
  size_t start = 0;
  while (start < mag.size()) {
    unsigned rem = 0;
    for (size_t i = start; i < mag.size(); ++i) {
      const unsigned cur = (rem << 8) | mag[i];
      mag[i] = uint8_t(cur / 10);
      rem = cur % 10;
    }
    digits += char('0' + rem);
    while (start < mag.size() && mag[start] == 0) ++start;
  }
  while (digits.size() <= size_t(scale)) digits += '0';
  std::string out = negative ? "-" : "";
  for (size_t i = digits.size(); i-- > 0;) {
    out += digits[i];
    if (i == size_t(scale) && scale > 0) out += '.';
  }
  return out;
}

std::optional<std::string> parse_decimal(std::string_view t, int scale) {
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  std::string digits;
  int fraction = -1;  // digits after '.', -1 before it
  for (char c : t) {
    if (c == '.' && fraction < 0) {
      fraction = 0;
    } else if (c >= '0' && c <= '9') {
      digits += c;
      if (fraction >= 0) ++fraction;
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty() || fraction > scale) return std::nullopt;
  digits.append(size_t(scale - std::max(fraction, 0)), '0');
  std::vector<uint8_t> mag{0};  // big-endian magnitude
  for (char c : digits) {
    unsigned carry = unsigned(c - '0');
    for (size_t i = mag.size(); i-- > 0;) {
      const unsigned cur = mag[i] * 10u + carry;
      mag[i] = uint8_t(cur & 0xFF);
      carry = cur >> 8;
    }
    if (carry) mag.insert(mag.begin(), uint8_t(carry));
  }
  if (mag[0] & 0x80) mag.insert(mag.begin(), 0);  // room for the sign bit
  if (negative) {
    for (auto& b : mag) b = uint8_t(~b);
    for (size_t i = mag.size(); i-- > 0;)
      if (++mag[i] != 0) break;
  }
  // Minimal: drop leading bytes that only repeat the sign.
  size_t drop = 0;
  while (drop + 1 < mag.size() && ((mag[drop] == 0 && !(mag[drop + 1] & 0x80)) ||
                                   (mag[drop] == 0xFF && (mag[drop + 1] & 0x80))))
    ++drop;
  return std::string(mag.begin() + drop, mag.end());
}

namespace {
template <typename F>
void append_number(std::string& out, F v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else if (v == 0 && std::signbit(v)) {
    out += "-0.0";  // "-0" would read back as the integer 0
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    // A whole number past 64 bits in plain digits is not a number JSON parsers
    // (simdjson) read back: write it in scientific notation.
    if (std::string_view(buf, size_t(r.ptr - buf)).find_first_of(".e") == std::string_view::npos &&
        std::fabs(v) >= 1e18)
      r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    out.append(buf, r.ptr);
  }
}
}  // namespace

void append_double(std::string& out, double d) {
  append_number(out, d);
}
void append_float(std::string& out, float f) {
  append_number(out, f);
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += n + 1;
  }
  return true;
}

}  // namespace sluice::avro
