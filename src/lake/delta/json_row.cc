#include "lake/delta/json_row.h"

#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <limits>
#include <string>

#include "common/iso8601.h"

namespace sluice::lake::delta {
namespace {

using parquet::Type;
using parquet::Value;
using simdjson::dom::element;
using simdjson::dom::element_type;

// Days since 1970-01-01 of a civil date (proleptic Gregorian), without timegm's locale/time zone
// state.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

int digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) throw RowError("truncated");
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') throw RowError("not a digit");
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int32_t iso_date_days(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') throw RowError("not YYYY-MM-DD");
  return int32_t(
      days_from_civil(digits(s, 0, 4), unsigned(digits(s, 5, 2)), unsigned(digits(s, 8, 2))));
}

[[noreturn]] void mismatch(const TableColumn& c, const std::string& why) {
  throw RowError("column '" + c.name + "' (" + delta_type_name(c) + "): " + why);
}

// "-12.5" -> -1250 for scale 2: the unscaled value of a decimal(precision, scale),
// exactly (no binary floating point on the way). Throws RowError.
int64_t parse_decimal_text(std::string_view s, int precision, int scale) {
  const bool negative = !s.empty() && s[0] == '-';
  size_t at = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  int64_t v = 0;
  int digits_seen = 0, fraction = 0, significant = 0;
  bool point = false;
  for (; at < s.size(); ++at) {
    if (s[at] == '.' && !point) {
      point = true;
      continue;
    }
    if (s[at] < '0' || s[at] > '9') throw RowError("is not a decimal number");
    ++digits_seen;
    if (point && ++fraction > scale)
      throw RowError("has more than the column's " + std::to_string(scale) + " fraction digits");
    if (v > 0 || s[at] != '0') ++significant;  // leading zeros do not count
    if (significant > precision) break;        // refused below, before v can overflow
    v = v * 10 + (s[at] - '0');
  }
  if (digits_seen == 0) throw RowError("is not a decimal number");
  for (int i = fraction; i < scale; ++i) {
    if (v > 0) ++significant;
    v *= 10;
  }
  if (significant > precision)
    throw RowError("has more than the column's " + std::to_string(precision) + " digits");
  return negative ? -v : v;
}

Value convert(const element& e, const TableColumn& c) {
  const element_type t = e.type();
  switch (c.type) {
    case Type::kString:
    case Type::kBinary:
      if (t != element_type::STRING) mismatch(c, "expected a JSON string");
      return std::string(std::string_view(e));
    case Type::kBoolean:
      if (t != element_type::BOOL) mismatch(c, "expected true or false");
      return bool(e);
    case Type::kInt64:
      if (t != element_type::INT64) mismatch(c, "expected an integer");
      return int64_t(e);
    case Type::kInt32: {
      if (t != element_type::INT64) mismatch(c, "expected an integer");
      int64_t v = int64_t(e);
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
        mismatch(c, std::to_string(v) + " does not fit in 32 bits");
      }
      return int32_t(v);
    }
    case Type::kDouble:
    case Type::kFloat: {
      double v = t == element_type::DOUBLE   ? double(e)
                 : t == element_type::INT64  ? double(int64_t(e))
                 : t == element_type::UINT64 ? double(uint64_t(e))
                                             : (mismatch(c, "expected a number"), 0.0);
      return c.type == Type::kFloat ? Value(float(v)) : Value(v);
    }
    case Type::kTimestampMicros:
      if (t == element_type::INT64) return int64_t(e) * 1000;  // epoch milliseconds
      if (t != element_type::STRING)
        mismatch(c, "expected an ISO-8601 string or epoch milliseconds");
      try {
        return parse_iso_timestamp_micros(std::string_view(e));
      } catch (const RowError& err) {
        // The validate and window-aggregate stages take these too (no offset: UTC); a row of
        // an event they passed must not be refused here.
        if (const auto ms = parse_iso8601_ms(std::string_view(e))) return *ms * 1000;
        mismatch(c, "'" + std::string(std::string_view(e)) + "' is not an ISO-8601 timestamp (" +
                        err.what() + ")");
      }
    case Type::kDecimal:
      if (t == element_type::INT64 || t == element_type::UINT64) {
        const std::string text =
            t == element_type::INT64 ? std::to_string(int64_t(e)) : std::to_string(uint64_t(e));
        try {
          return parse_decimal_text(text, c.precision, c.scale);
        } catch (const RowError& err) {
          mismatch(c, text + " " + err.what());
        }
      }
      if (t != element_type::STRING)
        mismatch(c,
                 "expected a decimal as a string (\"-12.50\", as avro-decode writes it) or an "
                 "integer; a JSON fraction is not exact");
      try {
        return parse_decimal_text(std::string_view(e), c.precision, c.scale);
      } catch (const RowError& err) {
        mismatch(c, "'" + std::string(std::string_view(e)) + "' " + err.what());
      }
    case Type::kDate:
      if (t != element_type::STRING) mismatch(c, "expected \"YYYY-MM-DD\"");
      try {
        return iso_date_days(std::string_view(e));
      } catch (const RowError& err) {
        mismatch(c,
                 "'" + std::string(std::string_view(e)) + "' is not a date (" + err.what() + ")");
      }
  }
  mismatch(c, "unsupported type");
}

}  // namespace

int64_t parse_iso_timestamp_micros(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    throw RowError("expected YYYY-MM-DDTHH:MM:SSZ");
  }
  int64_t days = iso_date_days(s.substr(0, 10));
  int64_t secs = days * 86400 + digits(s, 11, 2) * 3600 + digits(s, 14, 2) * 60 + digits(s, 17, 2);
  size_t at = 19;
  int64_t micros = 0;
  if (at < s.size() && s[at] == '.') {
    int scale = 100000;
    for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, scale /= 10)
      micros += (s[at] - '0') * scale;
  }
  if (at < s.size() && s[at] == 'Z' && at + 1 == s.size()) return secs * 1000000 + micros;
  if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    int64_t offset = digits(s, at + 1, 2) * 3600 + digits(s, at + 4, 2) * 60;
    return (secs - (s[at] == '+' ? offset : -offset)) * 1000000 + micros;
  }
  throw RowError("missing time zone (Z or +HH:MM)");
}

parquet::Row json_to_row(const simdjson::dom::element& parsed, const TableSchema& schema,
                         const std::vector<bool>& computed) {
  simdjson::dom::object object;
  if (auto err = parsed.get_object().get(object)) {
    throw RowError(std::string("the event is not a JSON object: ") + simdjson::error_message(err));
  }
  parquet::Row row;
  row.reserve(schema.size());
  for (size_t i = 0; i < schema.size(); ++i) {
    const auto& c = schema[i];
    element e;
    if (i < computed.size() && computed[i]) {
      row.emplace_back();
      continue;
    }
    if (object[c.name].get(e) != simdjson::SUCCESS || e.is_null()) {
      if (!c.nullable)
        throw RowError("column '" + c.name + "' is required but the event has no '" + c.name + "'");
      row.emplace_back();
      continue;
    }
    row.push_back(convert(e, c));
  }
  return row;
}

}  // namespace sluice::lake::delta
