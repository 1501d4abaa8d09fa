// Format: docs/formats/acls.md.
#include "broker/acl/acl_file.h"

#include <fmt/format.h>

#include <stdexcept>

namespace sluice::broker::acl {
namespace {

constexpr std::string_view kMagic = "sluice-acls";
constexpr size_t kFields = 7;

// Backslash escapes for the three bytes that would break the line structure.
std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return std::nullopt;
    if (s[i] == '\\') {
      out += '\\';
    } else if (s[i] == 't') {
      out += '\t';
    } else if (s[i] == 'n') {
      out += '\n';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t end = line.find(sep, start);
    out.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// Parses one ACL line; the reason on failure.
AclBinding parse_line(std::string_view line) {
  auto fields = split(line, '\t');
  if (fields.size() != kFields)
    throw std::invalid_argument(fmt::format("{} fields, expected {}", fields.size(), kFields));
  auto require = [](auto parsed, std::string_view what, std::string_view text) {
    if (!parsed) throw std::invalid_argument(fmt::format("unknown {} '{}'", what, text));
    return *parsed;
  };
  auto text = [](std::string_view s) {
    auto v = unescape(s);
    if (!v) throw std::invalid_argument(fmt::format("bad escape in '{}'", s));
    return *v;
  };
  AclBinding b;
  b.pattern.type = require(parse_resource_type(fields[0]), "resource type", fields[0]);
  b.pattern.pattern = require(parse_pattern_type(fields[1]), "pattern type", fields[1]);
  b.pattern.name = text(fields[2]);
  b.entry.principal = text(fields[3]);
  b.entry.host = text(fields[4]);
  b.entry.operation = require(parse_operation(fields[5]), "operation", fields[5]);
  b.entry.permission = require(parse_permission(fields[6]), "permission", fields[6]);
  if (auto why = invalid_reason(b)) throw std::invalid_argument(*why);
  return b;
}

}  // namespace

std::string encode_acl_file(const std::vector<AclBinding>& acls) {
  std::string out = fmt::format("{} {}\n", kMagic, kAclFileVersion);
  for (const AclBinding& b : acls) {
    out +=
        fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", name_of(b.pattern.type),
                    name_of(b.pattern.pattern), escape(b.pattern.name), escape(b.entry.principal),
                    escape(b.entry.host), name_of(b.entry.operation), name_of(b.entry.permission));
  }
  return out;
}

std::vector<AclBinding> decode_acl_file(std::string_view text, const std::string& source) {
  auto lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  auto fail = [&](size_t line_no, const std::string& why) {
    return std::runtime_error(fmt::format(
        "ACL file {} line {}: {}; the broker refuses to start rather than lose rules (see "
        "docs/formats/acls.md)",
        source, line_no, why));
  };
  if (lines.empty() || !lines[0].starts_with(kMagic))
    throw fail(1, fmt::format("the first line is not '{} {}'", kMagic, kAclFileVersion));
  const std::string_view version = lines[0].substr(kMagic.size());
  if (version != fmt::format(" {}", kAclFileVersion)) {
    throw fail(1, fmt::format("format version '{}' is not {} (written by a newer sluice?)",
                              version.empty() ? version : version.substr(1), kAclFileVersion));
  }
  std::vector<AclBinding> out;
  for (size_t i = 1; i < lines.size(); ++i) {
    try {
      out.push_back(parse_line(lines[i]));
    } catch (const std::invalid_argument& e) {
      throw fail(i + 1, e.what());
    }
  }
  return out;
}

}  // namespace sluice::broker::acl
