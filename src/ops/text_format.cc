// Prometheus text format: value formatting, escaping and a line parser that
// accepts what Prometheus client libraries emit (whitespace around labels, a
// trailing comma, optional timestamps).
#include "ops/text_format.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace sluice::ops {

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

namespace {

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  return escape(value, true);
}

std::string escape_help(std::string_view help) {
  return escape(help, false);
}

std::string series_key(std::string_view name, const Labels& labels) {
  std::string out(name);
  if (labels.empty()) return out;
  char sep = '{';
  for (const auto& [label, value] : labels) {
    out += sep;
    out += label;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
    sep = ',';
  }
  out += '}';
  return out;
}

namespace {

// Parses one sample line: name[{labels}] value [timestamp].
class SampleParser {
 public:
  explicit SampleParser(std::string_view line) : s_(line) {}

  std::pair<std::string, double> parse() {
    std::string name = identifier("metric name");
    Labels labels;
    skip_spaces();
    if (at('{')) labels = label_set();
    skip_spaces();
    double value = number(token());
    return {series_key(name, labels), value};
  }

 private:
  [[noreturn]] static void fail(const std::string& what) { throw std::invalid_argument(what); }

  bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
  bool consume(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!consume(c)) fail(fmt::format("expected '{}' at column {}", c, pos_ + 1));
  }
  void skip_spaces() {
    while (at(' ') || at('\t')) ++pos_;
  }

  std::string identifier(std::string_view what) {
    size_t start = pos_;
    auto ok = [&](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
             (pos_ > start && std::isdigit(static_cast<unsigned char>(c)));
    };
    while (pos_ < s_.size() && ok(s_[pos_])) ++pos_;
    if (pos_ == start) fail(fmt::format("expected a {} at column {}", what, start + 1));
    return std::string(s_.substr(start, pos_ - start));
  }

  Labels label_set() {
    Labels labels;
    expect('{');
    for (;;) {
      skip_spaces();
      if (consume('}')) return labels;
      std::string label = identifier("label name");
      skip_spaces();
      expect('=');
      skip_spaces();
      labels.emplace_back(std::move(label), quoted());
      skip_spaces();
      if (!consume(',')) {
        expect('}');
        return labels;
      }
    }
  }

  std::string quoted() {
    expect('"');
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\' && pos_ < s_.size()) c = unescape(s_[pos_++], out);
      out += c;
    }
    if (!consume('"')) fail("unterminated label value");
    return out;
  }

  // Returns the character an escape stands for; unknown escapes stay verbatim.
  static char unescape(char c, std::string& out) {
    if (c == 'n') return '\n';
    if (c == '\\' || c == '"') return c;
    out += '\\';
    return c;
  }

  std::string_view token() {
    size_t start = pos_;
    while (pos_ < s_.size() && !at(' ') && !at('\t')) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  static double number(std::string_view text) {
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
      fail(fmt::format("'{}' is not a sample value", text));
    }
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::map<std::string, double> parse_prometheus_text(const std::string& text) {
  std::map<std::string, double> samples;
  std::string_view rest = text;
  for (size_t number = 1; !rest.empty(); ++number) {
    size_t eol = rest.find('\n');
    std::string_view line = trim(rest.substr(0, eol));
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    if (line.empty() || line.front() == '#') continue;
    try {
      auto [key, value] = SampleParser(line).parse();
      samples.insert_or_assign(std::move(key), value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(
          fmt::format("Prometheus text line {}: {}: {}", number, e.what(), line));
    }
  }
  return samples;
}

std::string series_name(const std::string& series) {
  return series.substr(0, series.find('{'));
}

std::string label_value(const std::string& series, const std::string& label) {
  const std::string needle = label + "=\"";
  auto at = series.find(needle);
  if (at == std::string::npos) return "";
  at += needle.size();
  return series.substr(at, series.find('"', at) - at);
}

}  // namespace sluice::ops
