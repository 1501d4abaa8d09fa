#include "cli/incident/incident_log_lines.h"

#include <simdjson.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cli/support/datetime.h"

namespace sluice::cli {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool parse_json_object(std::string_view text, LogLine& out) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(text.data(), text.size()).get_object().get(obj) != simdjson::SUCCESS)
    return false;
  for (auto [key, value] : obj) {
    std::string v;
    std::string_view s;
    if (value.get_string().get(s) == simdjson::SUCCESS) {
      v = s;
    } else {
      v = simdjson::to_string(value);  // numbers and booleans, as JSON
    }
    const std::string k(key);
    if (k == "ts") {
      try {
        out.ts_ms = parse_datetime_ms(v);
      } catch (const std::exception&) {
        return false;
      }
    } else if (k == "level") {
      out.level = upper(v);  // "info" and "INFO" alike
      if (out.level == "WARNING") out.level = "WARN";
    } else if (k == "component") {
      out.component = v;
    } else if (k == "msg") {
      out.msg = v;
    } else {
      out.fields[k] = v;
    }
  }
  return out.ts_ms != 0 && !out.msg.empty();
}

// A JSON line, possibly with another writer's text glued after its closing
// brace: try the whole line, then each prefix that ends in '}'.
bool parse_json_line(const std::string& text, LogLine& out) {
  if (parse_json_object(text, out)) return true;
  for (size_t end = text.find('}'); end != std::string::npos; end = text.find('}', end + 1)) {
    LogLine candidate;
    if (parse_json_object(std::string_view(text).substr(0, end + 1), candidate)) {
      out = std::move(candidate);
      return true;
    }
  }
  return false;
}

// Where the fields begin in "message key=value key=value": the first " KEY="
// whose KEY is a lower-case identifier (log::write writes fields that way).
size_t field_start(const std::string& text, size_t from) {
  for (size_t at = text.find(' ', from); at != std::string::npos; at = text.find(' ', at + 1)) {
    size_t end = at + 1;
    while (end < text.size() &&
           (std::islower(static_cast<unsigned char>(text[end])) ||
            std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '_'))
      end += 1;
    if (end > at + 1 && end < text.size() && text[end] == '=' &&
        !std::isdigit(static_cast<unsigned char>(text[at + 1])))
      return at;
  }
  return std::string::npos;
}

// "msg key=value key=value" -> msg and fields. A value runs to the next " KEY="
// (values may hold spaces: error texts do), so only the last field can swallow
// a " word=" of its own.
void split_text_fields(LogLine& out) {
  size_t at = field_start(out.msg, 0);
  if (at == std::string::npos) return;
  std::string rest = out.msg.substr(at + 1);
  out.msg.erase(at);
  while (!rest.empty()) {
    const size_t eq = rest.find('=');
    const size_t next = field_start(rest, eq + 1);
    const std::string key = rest.substr(0, eq);
    out.fields[key] = rest.substr(eq + 1, next == std::string::npos ? next : next - eq - 1);
    rest = next == std::string::npos ? "" : rest.substr(next + 1);
  }
}

// "2026-11-27T13:26:54.880Z INFO  stage: message key=value".
bool parse_text_line(const std::string& text, LogLine& out) {
  const size_t ts_end = text.find(' ');
  if (ts_end == std::string::npos || ts_end < 20 || text[4] != '-') return false;
  try {
    out.ts_ms = parse_datetime_ms(text.substr(0, ts_end));
  } catch (const std::exception&) {
    return false;
  }
  size_t at = text.find_first_not_of(' ', ts_end);
  if (at == std::string::npos) return false;
  const size_t level_end = text.find(' ', at);
  if (level_end == std::string::npos) return false;
  out.level = text.substr(at, level_end - at);
  at = text.find_first_not_of(' ', level_end);
  const size_t colon = at == std::string::npos ? at : text.find(": ", at);
  if (colon == std::string::npos) return false;
  out.component = text.substr(at, colon - at);
  out.msg = text.substr(colon + 2);
  split_text_fields(out);
  return out.level == "DEBUG" || out.level == "INFO" || out.level == "WARN" || out.level == "ERROR";
}

// librdkafka's default logger: "%LEVEL|SECONDS.MILLIS|FACILITY|NAME| message",
// LEVEL being syslog's (3 error, 4 warning, 6 info, 7 debug).
bool parse_rdkafka_line(const std::string& text, LogLine& out) {
  size_t at = text.find('%');
  if (at == std::string::npos) return false;
  std::vector<std::string> parts;
  size_t from = at + 1;
  for (int i = 0; i < 4; ++i) {
    const size_t bar = text.find('|', from);
    if (bar == std::string::npos) return false;
    parts.push_back(text.substr(from, bar - from));
    from = bar + 1;
  }
  if (parts[0].size() != 1 || !std::isdigit(static_cast<unsigned char>(parts[0][0]))) return false;
  char* end = nullptr;
  const double seconds = std::strtod(parts[1].c_str(), &end);
  if (end == parts[1].c_str() || *end != '\0' || seconds <= 0) return false;
  const int syslog = parts[0][0] - '0';
  out.ts_ms = static_cast<int64_t>(seconds * 1000.0);
  out.level = syslog <= 3 ? "ERROR" : syslog == 4 ? "WARN" : syslog <= 6 ? "INFO" : "DEBUG";
  out.component = "librdkafka";
  std::string msg = text.substr(from);
  if (!msg.empty() && msg.front() == ' ') msg.erase(0, 1);
  out.msg = parts[2] + ": " + msg;
  return true;
}

}  // namespace

bool parse_log_line(const std::string& text, LogLine& out) {
  out = LogLine{};
  if (!text.empty() && text.front() == '{') return parse_json_line(text, out);
  if (text.starts_with("%")) return parse_rdkafka_line(text, out);
  return parse_text_line(text, out);
}

LogFile read_log_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read log file " + path + ": " + std::strerror(errno));
  const std::string source = std::filesystem::path(path).filename().string();
  LogFile file;
  std::string text;
  while (std::getline(in, text)) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    LogLine line;
    // A JSON line with librdkafka's text glued on yields the JSON line here;
    // the glued text is librdkafka's own line and is read as well.
    const size_t glued = !text.empty() && text.front() == '{' ? text.find("}%") : std::string::npos;
    // `sluice up` names the process on each line; a stage's own file is named after it.
    auto add = [&](LogLine& l) {
      auto process = l.fields.find("process");
      l.source = process == l.fields.end() || process->second.empty() ? source : process->second;
      file.lines.push_back(std::move(l));
    };
    if (parse_log_line(text, line)) {
      add(line);
    } else if (!text.empty()) {
      file.skipped += 1;
    }
    if (glued != std::string::npos && parse_log_line(text.substr(glued + 1), line)) add(line);
  }
  return file;
}

std::string message_kind(std::string_view msg) {
  std::string out;
  for (char c : msg) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (out.empty() || out.back() != '#') out += '#';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace sluice::cli
